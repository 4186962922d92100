#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_idle_wakeups: an idle dhtui on a static page sleeps (issue 9: every
# blocked stream used to poll an interrupt flag ten times a second). Counts
# the context switches of all of dhtui's threads from /proc over a quiet
# window and reports wake-ups per second, ours and gRPC's.
. "$(dirname "$0")/lib.sh"

WINDOW_S=${DH_IDLE_WINDOW_S:-10}

start_server
start_dhtui main 120 40
expect_text main " objects" 15
expect_text main "trades" 15
open_table trades
expect_text main "of 1,000,000" 10

pid=$(pgrep -f -- "^$DHTUI .*--log $E2E_TMP/main.log" | head -n 1)
[ -n "$pid" ] || die "cannot find the dhtui process"

# Voluntary context switches (each one a thread going to sleep, so one per
# wake-up; involuntary ones are preemptions under load) of every thread, as
# "TID COMM COUNT" lines. gRPC names its own threads (timer_manager,
# grpc_global_timer, event_engine, ...); ours keep the name "dhtui".
switches() {
    local t
    for t in /proc/"$pid"/task/*; do
        printf '%s %s %s\n' "${t##*/}" "$(cat "$t/comm" 2>/dev/null)" \
            "$(awk '/^voluntary_ctxt_switches:/ {print $2}' "$t/status" 2>/dev/null)"
    done | sort
}

sleep 2 # let the first page and the probes settle
switches >"$E2E_TMP/before"
sleep "$WINDOW_S"
switches >"$E2E_TMP/after"
# Per thread: wake-ups in the window (threads that came or went count what they did).
join -a 2 "$E2E_TMP/before" "$E2E_TMP/after" |
    awk 'NF == 5 { print $2, $5 - $3 } NF == 3 { print $2, $3 }' >"$E2E_TMP/delta"
ours=$(awk '$1 == "dhtui" { s += $2 } END { print s + 0 }' "$E2E_TMP/delta")
all=$(awk '{ s += $2 } END { print s + 0 }' "$E2E_TMP/delta")
threads=$(wc -l <"$E2E_TMP/after")
rate() { awk -v w="$1" -v s="$WINDOW_S" 'BEGIN { printf "%.1f", w / s }'; }
echo "idle dhtui on a static page, over ${WINDOW_S} s and $threads threads:" \
    "$(rate "$all")/s in all (goal: < 5), $(rate "$ours")/s in dhtui's own threads," \
    "$(rate $((all - ours)))/s in gRPC's internal threads"
awk '{ w[$1] += $2 } END { for (n in w) if (w[n]) printf "  %-18s %d\n", n, w[n] }' "$E2E_TMP/delta"
# dhtui's own threads must not poll: the UI's status clock ticks once a
# minute and blocked calls wait without timeouts. gRPC's timer threads (about
# 2.5/s on a quiet machine, more under load) are outside our control, so the
# assertion covers ours; the total is reported against the goal above.
awk -v w="$ours" -v s="$WINDOW_S" 'BEGIN { exit !(w / s < 1) }' ||
    fail "dhtui's own threads woke $(rate "$ours") times a second while idle (want < 1)"

keys main q
sleep 0.2
keys main q
wait_exit main 10 || die "q did not quit"
finish
