#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_idle_wakeups: an idle dhtui on a static page sleeps (issue 9: every
# blocked stream used to poll an interrupt flag ten times a second). Counts
# the context switches of all of dhtui's threads from /proc over a quiet
# window and reports wake-ups per second.
. "$(dirname "$0")/lib.sh"

WINDOW_S=${DH_IDLE_WINDOW_S:-10}

start_server
start_dhtui main 120 40
expect_text main " objects" 15
expect_text main "trades" 15
keys main /
type_text main trades
keys main Enter
sleep 0.2
keys main Enter
expect_text main "trades (Table)" 10
expect_text main "of 1,000,000" 10

pid=$(pgrep -f -- "^$DHTUI .*--log $E2E_TMP/main.log" | head -n 1)
[ -n "$pid" ] || die "cannot find the dhtui process"

# Sum of voluntary context switches (each one a thread going to sleep, so
# one per wake-up; involuntary ones are preemptions under load) over every thread.
switches() {
    local total=0 t v
    for t in /proc/"$pid"/task/*/status; do
        v=$(awk '/^voluntary_ctxt_switches:/ {s += $2} END {print s + 0}' "$t" 2>/dev/null)
        total=$((total + ${v:-0}))
    done
    echo "$total"
}

sleep 2 # let the first page, the session clock and the probes settle
threads=$(ls /proc/"$pid"/task | wc -l)
before=$(switches)
sleep "$WINDOW_S"
after=$(switches)
wakeups=$((after - before))
per_s=$(awk -v w="$wakeups" -v s="$WINDOW_S" 'BEGIN { printf "%.1f", w / s }')
echo "idle dhtui on a static page: $wakeups wake-ups in ${WINDOW_S} s over $threads threads ($per_s per second)"
# Goal: fewer than 5 a second, all threads together.
awk -v w="$wakeups" -v s="$WINDOW_S" 'BEGIN { exit !(w / s < 5) }' ||
    fail "an idle dhtui woke $per_s times a second (goal: fewer than 5)"

keys main q
sleep 0.2
keys main q
wait_exit main 10 || die "q did not quit"
finish
