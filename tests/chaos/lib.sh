# SPDX-License-Identifier: MIT
# lib.sh: helpers for the chaos scenarios (tests/chaos/README.md). Builds on the e2e
# helpers (tmux, screens, keys, sanitizer reports) and adds: a demo server that can be
# stalled, expired, killed with -9 and restarted on the same port; the chaos_proxy
# between dhtui and the server; CPU and request-rate sampling; the rows of an object as
# the server computes them; and the list of checks disabled by a known defect.
#
# Environment (set by ctest): DHTUI, DH_SERVER, DH_PROXY. Optional: DH_CHAOS_ALL=1 runs
# the checks listed in known-defects too; DH_CHAOS_ONLY="CHECK..." runs only those;
# DH_CHAOS_LONG=1 adds the long faults (make soak); DH_CHAOS_FIGURES=FILE appends one line of
# figures per scenario (make soak).

. "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
: "${DH_PROXY:?DH_PROXY must point at the chaos_proxy binary}"

CHAOS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERVER_PORT=""  # where the demo server listens (fixed across restarts)
SERVER_SEEN=0   # lines of the current server's stdout already read
SERVER_ARGS=()  # extra arguments, kept for restarts
SERVER_GEN=0    # restarts so far (each server has its own fifo and output)
SERVER_FROZEN=0 # 1 while the server is stopped by SIGSTOP (its control channel too)
PROXY_PID=""
PROXY_SEEN=0
REPLY=""
# Figures for the soak run.
FAULTS=0
WRONG_ROWS=0
TICKETS_LOST=0
WORST_KEY_MS=0
PEAK_CPU=0 # per mille of one core
PEAK_RSS_KB=0

# Sanitizer builds are several times slower: time bounds scale by this factor.
SLOW=1
if ldd "$DHTUI" 2>/dev/null | grep -q libasan; then
    SLOW=3
fi

now_ms() {
    echo $(($(date +%s%N) / 1000000))
}

REF_PID=""
chaos_cleanup() {
    if [ -n "$REF_PID" ]; then
        exec 5>&- 2>/dev/null || true # EOF on its stdin: it exits
        kill "$REF_PID" 2>/dev/null || true
        wait "$REF_PID" 2>/dev/null || true
    fi
    [ -n "$E2E_SERVER_PID" ] && kill -CONT "$E2E_SERVER_PID" 2>/dev/null
    if [ -n "$PROXY_PID" ]; then
        exec 6>&- 2>/dev/null || true
        kill "$PROXY_PID" 2>/dev/null || true
        wait "$PROXY_PID" 2>/dev/null || true
    fi
    e2e_cleanup
}
trap chaos_cleanup EXIT

# ---- checks disabled by a known defect ----

# enabled CHECK: whether check CHECK runs. A check named in tests/chaos/known-defects
# (one "CHECK  defect" per line) is skipped, saying why, unless DH_CHAOS_ALL=1.
enabled() {
    local why
    if [ -n "${DH_CHAOS_ONLY:-}" ] && ! [[ " $DH_CHAOS_ONLY " == *" $1 "* ]]; then
        echo "-- check $1 skipped (not in DH_CHAOS_ONLY)"
        return 1
    fi
    why=$(awk -v c="$1" '$1 == c { $1 = ""; sub(/^ +/, ""); print; exit }' \
        "$CHAOS_DIR/known-defects")
    if [ -z "$why" ] || [ "${DH_CHAOS_ALL:-0}" = 1 ]; then
        echo "-- check $1"
        return 0
    fi
    echo "-- check $1 DISABLED (known defect: $why)"
    return 1
}

# ---- the demo server ----

# launch_server: start the server on SERVER_PORT (0 the first time) with a new control
# fifo on fd 7; sets SERVER_PORT, E2E_SERVER_PID. Dies if it does not come up.
launch_server() {
    SERVER_GEN=$((SERVER_GEN + 1))
    local ctl="$E2E_TMP/ctl.$SERVER_GEN" out="$E2E_TMP/server.out.$SERVER_GEN"
    mkfifo "$ctl"
    "$DH_SERVER" --port "${SERVER_PORT:-0}" "${SERVER_ARGS[@]}" <"$ctl" >"$out" \
        2>>"$E2E_TMP/server.err" &
    E2E_SERVER_PID=$!
    exec 7>"$ctl"
    local end=$(($(now_ms) + 10000 * SLOW)) port
    while [ "$(now_ms)" -lt $end ]; do
        port=$(sed -n 's/^listening on [0-9.]*:\([0-9][0-9]*\).*/\1/p' "$out" | head -n 1)
        if [ -n "$port" ]; then
            SERVER_PORT=$port
            SERVER_SEEN=1
            return 0
        fi
        kill -0 "$E2E_SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    tail -n 5 "$E2E_TMP/server.err" >&2
    die "the demo server did not start (port ${SERVER_PORT:-0})"
}

# chaos_server [ARGS...]: start the demo server; dhtui will connect to it directly
# (E2E_PORT) until chaos_proxy is started. A twin server that no fault touches starts
# first: it computes the same cells (server/catalog.c is deterministic), and its ticking
# table is at least as long, so it gives the reference rows even while the server under
# test is stalled, frozen or down.
chaos_server() {
    mkfifo "$E2E_TMP/ref.ctl"
    "$DH_SERVER" --port 0 --quiet <"$E2E_TMP/ref.ctl" >"$E2E_TMP/ref.out" 2>&1 &
    REF_PID=$!
    exec 5>"$E2E_TMP/ref.ctl"
    local end=$(($(now_ms) + 10000 * SLOW))
    REF_PORT=""
    while [ -z "$REF_PORT" ] && [ "$(now_ms)" -lt $end ]; do
        REF_PORT=$(sed -n 's/^listening on [0-9.]*:\([0-9][0-9]*\).*/\1/p' "$E2E_TMP/ref.out")
        [ -n "$REF_PORT" ] || sleep 0.05
    done
    [ -n "$REF_PORT" ] || die "the reference server did not start"
    SERVER_ARGS=("$@")
    SERVER_PORT=""
    launch_server
    E2E_PORT=$SERVER_PORT
}

# server_ctl COMMAND: send a control command and wait for its reply line (in REPLY).
server_ctl() {
    echo "$*" >&7
    local out="$E2E_TMP/server.out.$SERVER_GEN" want=$((SERVER_SEEN + 1))
    local end=$(($(now_ms) + 5000 * SLOW))
    while [ "$(now_ms)" -lt $end ]; do
        if [ "$(wc -l <"$out")" -ge $want ]; then
            SERVER_SEEN=$want
            REPLY=$(sed -n "${want}p" "$out")
            return 0
        fi
        sleep 0.02
    done
    die "the demo server did not answer '$*'"
}

# calls_total: CALLS gets the server's count of calls accepted so far (not in a
# subshell: server_ctl keeps count of the reply lines).
calls_total() {
    server_ctl calls
    CALLS=${REPLY#calls=}
    CALLS=${CALLS%% *}
}

# kill_server: kill -9 the server (no goodbye to anyone).
kill_server() {
    kill -9 "$E2E_SERVER_PID" 2>/dev/null
    wait "$E2E_SERVER_PID" 2>/dev/null
    exec 7>&-
    E2E_SERVER_PID=""
}

# restart_server: a fresh server on the same port (new sessions, exports, tickets).
restart_server() {
    launch_server
}

# ---- the proxy ----

# chaos_proxy: start chaos_proxy in front of the server; dhtui connects to it from now
# on (E2E_PORT). Commands go to fd 6.
chaos_proxy() {
    mkfifo "$E2E_TMP/proxy.ctl"
    "$DH_PROXY" --target "$SERVER_PORT" --max-seconds 600 <"$E2E_TMP/proxy.ctl" \
        >"$E2E_TMP/proxy.out" 2>"$E2E_TMP/proxy.err" &
    PROXY_PID=$!
    exec 6>"$E2E_TMP/proxy.ctl"
    local end=$(($(now_ms) + 5000 * SLOW)) port
    while [ "$(now_ms)" -lt $end ]; do
        port=$(sed -n 's/^listening on [0-9.]*:\([0-9][0-9]*\).*/\1/p' "$E2E_TMP/proxy.out")
        if [ -n "$port" ]; then
            E2E_PORT=$port
            PROXY_SEEN=1
            return 0
        fi
        sleep 0.05
    done
    die "chaos_proxy did not start: $(cat "$E2E_TMP/proxy.err")"
}

# proxy_ctl COMMAND: send a command to the proxy and wait for its reply (in REPLY).
proxy_ctl() {
    echo "$*" >&6
    local want=$((PROXY_SEEN + 1)) end=$(($(now_ms) + 5000 * SLOW))
    while [ "$(now_ms)" -lt $end ]; do
        if [ "$(wc -l <"$E2E_TMP/proxy.out")" -ge $want ]; then
            PROXY_SEEN=$want
            REPLY=$(sed -n "${want}p" "$E2E_TMP/proxy.out")
            return 0
        fi
        sleep 0.02
    done
    die "chaos_proxy did not answer '$*'"
}

# ---- faults: fault_start NAME, then fault_end NAME when the cause is gone ----

# fault_start NAME: begin a fault: stall | expire | kill | cut | drop | slow | freeze.
# Faults that last (stall, kill, cut, slow, freeze) hold until fault_end.
fault_start() {
    FAULTS=$((FAULTS + 1))
    echo "-- fault $1 ($(date +%T))"
    case "$1" in
    stall) server_ctl stall 600 ;;
    expire) server_ctl expire-all ;;
    kill) kill_server ;;
    cut) proxy_ctl cut 600 ;;
    drop) proxy_ctl drop ;;
    slow) proxy_ctl slow 300 ;;
    freeze)
        SERVER_FROZEN=1
        kill -STOP "$E2E_SERVER_PID"
        ;;
    *) die "unknown fault '$1'" ;;
    esac
}

# The faults every scenario goes through, with how long each holds (0: a one-off).
CHAOS_FAULTS="stall:2 expire:0 kill:2 cut:2 drop:0 slow:1 freeze:2"

# each_fault FN: FN FAULT HOLD for every fault above, in order.
each_fault() {
    local f
    for f in $CHAOS_FAULTS; do
        "$1" "${f%%:*}" "${f##*:}"
    done
}

# hold_fault SESSION FAULT HOLD [FN]: start FAULT; if it lasts, run FN (checks while it
# holds; it gets SESSION), expect dhtui in SESSION to stay quiet for HOLD seconds, then end it. Dies if
# dhtui exited meanwhile.
hold_fault() {
    fault_start "$2"
    if [ "$3" -gt 0 ]; then
        [ -n "${4:-}" ] && "$4" "$1"
        expect_quiet "$1" "$3"
        fault_end "$2"
    fi
    dhtui_exited "$1" && die "dhtui exited during $2"
    return 0
}

# fault_end NAME: the cause of the fault is gone (the server answers again).
fault_end() {
    case "$1" in
    stall) server_ctl stall 0 ;;
    kill) restart_server ;;
    cut | slow) proxy_ctl pass ;;
    freeze)
        kill -CONT "$E2E_SERVER_PID"
        SERVER_FROZEN=0
        ;;
    esac
}

# ---- the dhtui process ----

# dhtui_pid NAME: the pid of dhtui in tmux session NAME (the pane's shell's child).
dhtui_pid() {
    local shell
    shell=$(tm display-message -p -t "${1:-main}" '#{pane_pid}' 2>/dev/null) || return 1
    ps -o pid= --ppid "$shell" 2>/dev/null | awk '{print $1; exit}'
}

# cpu_ticks PID: user+system clock ticks the process used so far.
cpu_ticks() {
    awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# rss_kb PID
rss_kb() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0
}

# note_cpu PERMILLE: CPU_PCT gets the percentage; the peak figure keeps tenths.
note_cpu() {
    CPU_PCT=$(($1 / 10))
    [ "$1" -gt "$PEAK_CPU" ] && PEAK_CPU=$1
    return 0
}

# sample_load PID SECONDS: watch a process and the server for SECONDS; sets CPU_PCT (the
# process's CPU use, percent of one core) and RATE (calls a second the server accepted;
# the server must be up and answering its control channel). Updates the peaks.
sample_load() {
    local pid=$1 secs=$2 hz t0 t1 c0 c1 ms rss
    hz=$(getconf CLK_TCK)
    calls_total
    c0=$CALLS
    t0=$(now_ms)
    local k0
    k0=$(cpu_ticks "$pid")
    sleep "$secs"
    local k1
    k1=$(cpu_ticks "$pid")
    t1=$(now_ms)
    calls_total
    c1=$CALLS
    ms=$((t1 - t0))
    note_cpu $(((k1 - k0) * 1000000 / hz / ms))
    RATE=$(((c1 - c0) * 1000 / ms))
    rss=$(rss_kb "$pid")
    [ "${rss:-0}" -gt "$PEAK_RSS_KB" ] && PEAK_RSS_KB=$rss
    echo "   load: ${CPU_PCT}% CPU, $RATE calls/s"
}

# sample_cpu PID SECONDS: like sample_load without the server (it may be down).
sample_cpu() {
    local pid=$1 secs=$2 hz k0 k1 t0 t1 rss
    hz=$(getconf CLK_TCK)
    t0=$(now_ms)
    k0=$(cpu_ticks "$pid")
    sleep "$secs"
    k1=$(cpu_ticks "$pid")
    t1=$(now_ms)
    note_cpu $(((k1 - k0) * 1000000 / hz / (t1 - t0)))
    rss=$(rss_kb "$pid")
    [ "${rss:-0}" -gt "$PEAK_RSS_KB" ] && PEAK_RSS_KB=$rss
    echo "   cpu: ${CPU_PCT}%"
}

# Bounds for a client that is waiting: generous, far below a spin or a storm (a storm
# measured 123% CPU and thousands of calls a second).
MAX_WAIT_CPU=25
MAX_WAIT_RATE=20

# expect_quiet NAME SECONDS: while a fault holds, dhtui in NAME uses little CPU and (with
# the server listening) sends few requests.
expect_quiet() {
    local pid
    pid=$(dhtui_pid "$1")
    [ -n "$pid" ] || die "no dhtui process in $1"
    expect_quiet_pid "$pid" "$2"
}

# key_latency NAME KEY TEXT [TIMEOUT]: send KEY and wait for TEXT on the screen; the
# time it took goes into KEY_MS and the worst figure. 1 if TEXT never showed.
key_latency() {
    local t0 t1
    t0=$(now_ms)
    keys "$1" "$2"
    wait_for_text "$1" "$3" "${4:-10}" || return 1
    t1=$(now_ms)
    KEY_MS=$((t1 - t0))
    [ $KEY_MS -gt "$WORST_KEY_MS" ] && WORST_KEY_MS=$KEY_MS
    return 0
}

# expect_quit NAME [KEYS...]: from the object list (q in a view goes back), q (and
# KEYS, e.g. y to confirm) makes dhtui exit within 1 s (times SLOW under sanitizers).
expect_quit() {
    local name=$1 t0 end
    shift
    back_to_list "$name"
    t0=$(now_ms)
    keys "$name" q "$@"
    end=$((t0 + 1000 * SLOW))
    while [ "$(now_ms)" -lt $end ]; do
        dhtui_exited "$name" && {
            echo "   quit in $(($(now_ms) - t0)) ms"
            return 0
        }
        sleep 0.02
    done
    fail "$name: q did not quit within $((1000 * SLOW)) ms"
    wait_exit "$name" 30 || true
}

# ---- rows as the server computes them ----

# ref_rows NAME COUNT: the first COUNT rows of NAME as TSV (Timestamp and Sym columns,
# the ones every checked table starts with), from the reference twin, into
# $E2E_TMP/ref.NAME.
ref_rows() {
    env $(sanitizer_env "ref-$1") "$DHTUI" rows "a/demo/f/$1" --port "$REF_PORT" --limit "$2" --format tsv \
        --columns Timestamp,Sym >"$E2E_TMP/ref.tsv" 2>"$E2E_TMP/ref.err" ||
        die "cannot read the reference rows of $1: $(cat "$E2E_TMP/ref.err")"
    tail -n +2 "$E2E_TMP/ref.tsv" >"$E2E_TMP/ref.$1"
}

# screen_rows NAME: "N<TAB>Timestamp<TAB>Sym" for each row on the pager's screen.
screen_rows() {
    # a row that came while the window follows the end is marked new: "286+2024-..."
    screen "$1" | sed -E 's/^( *[0-9]+)\+/\1 /' | awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9][0-9][0-9][0-9]-/ { print $1 "\t" $2 "\t" $3 }'
}

# check_rows NAME OBJECT: the pager in NAME shows OBJECT in its title and every row on
# screen is OBJECT's row at that position (rows the reference lacks are fetched). 1 and
# counts a wrong row if not. A screen without rows passes (loading).
check_rows() {
    local name=$1 obj=$2 rows max have bad
    screen "$name" | head -n 1 | grep -q "$obj" || {
        fail "$name: the title does not name $obj: $(screen "$name" | head -n 1)"
        WRONG_ROWS=$((WRONG_ROWS + 1))
        return 1
    }
    rows=$(screen_rows "$name")
    [ -n "$rows" ] || return 0
    max=$(echo "$rows" | awk -F'\t' 'BEGIN { m = 0 } $1 > m { m = $1 } END { print m }')
    have=$(wc -l <"$E2E_TMP/ref.$obj" 2>/dev/null || echo 0)
    [ "$max" -le "$have" ] || ref_rows "$obj" $((max + 1000))
    bad=$(echo "$rows" | awk -F'\t' -v ref="$E2E_TMP/ref.$obj" '
        BEGIN { while ((getline l < ref) > 0) { n++; r[n] = l } }
        { if (r[$1] != $2 "\t" $3) { print "row " $1 ": screen " $2 " " $3 ", " "server " r[$1]; exit } }')
    if [ -n "$bad" ]; then
        fail "$name: rows are not $obj's: $bad"
        WRONG_ROWS=$((WRONG_ROWS + 1))
        return 1
    fi
    return 0
}

# ---- end ----

# chaos_finish: print the figures (and append them to DH_CHAOS_FIGURES), then finish.
chaos_finish() {
    local line
    line="$E2E_NAME faults=$FAULTS fails=$E2E_FAILS wrong_rows=$WRONG_ROWS"
    line="$line tickets_lost=$TICKETS_LOST worst_key_ms=$WORST_KEY_MS"
    line="$line peak_cpu_permille=$PEAK_CPU peak_rss_kb=$PEAK_RSS_KB"
    echo "figures: $line"
    if [ -n "${DH_CHAOS_FIGURES:-}" ]; then
        echo "$line" >>"$DH_CHAOS_FIGURES"
    fi
    finish
}

# ---- views ----

# open_object NAME OBJECT: on the object list of session NAME, open OBJECT (filter,
# Enter) and wait for its pager.
open_object() {
    keys "$1" /
    type_text "$1" "$2"
    keys "$1" Enter
    sleep 0.2
    keys "$1" Enter
    expect_text "$1" "› $2 (Table)" $((10 * SLOW))
    wait_for_text "$1" " of " $((10 * SLOW)) || die "$1: the pager on $2 shows no rows"
}

# expect_list NAME: the object list of session NAME is loaded (trades is on it).
expect_list() {
    expect_text "$1" "synthetic trades" $((15 * SLOW))
}

# back_to_list NAME: Esc until the object list shows, unfiltered.
back_to_list() {
    local i top
    for i in 1 2 3 4; do
        top=$(screen "$1" | head -n 1)
        case "$top" in
        *Objects*match*) ;;
        *Objects*) return 0 ;;
        esac
        esc "$1"
    done
    expect_list "$1"
}

# reuse_export_ids NAME: open other objects first so the next one's export id is not 1
# (after a session renewal, ids restart at 1: a stale id then names another object).
reuse_export_ids() {
    local o
    for o in wide nulls; do
        open_object "$1" "$o"
        back_to_list "$1"
    done
}

# keys_during_fault NAME: a key that needs no server (help) answers during a fault;
# its latency goes into the worst figure.
keys_during_fault() {
    key_latency "$1" "?" "› Help" $((5 * SLOW)) || fail "$1: ? did not open help during a fault"
    esc "$1"
    wait_for_no_text "$1" "› Help" $((5 * SLOW)) || fail "$1: Esc did not close help"
}

# wait_row NAME ROW [TIMEOUT]: wait until the pager shows row number ROW with its cells.
wait_row() {
    local end=$(($(now_ms) + ${3:-10} * 1000))
    while [ "$(now_ms)" -lt $end ]; do
        screen_rows "$1" | awk -F'\t' -v r="$2" '$1 == r { f = 1 } END { exit !f }' && return 0
        sleep 0.05
    done
    return 1
}

# title_count NAME: the row count the pager's title gives ("of 1,234" -> 1234).
title_count() {
    screen "$1" | head -n 1 | sed -n 's/.* of \([0-9,]*\) .*/\1/p' | tr -d ,
}

# group N: N with digit grouping, as the pager shows it (1234567 -> 1,234,567).
group() {
    echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'
}

# expect_quiet_pid PID SECONDS: while a fault holds, process PID uses little CPU and
# (with the server listening) sends few requests.
expect_quiet_pid() {
    if [ -n "$E2E_SERVER_PID" ] && [ "$SERVER_FROZEN" = 0 ]; then
        sample_load "$1" "$2"
        [ "$RATE" -le $MAX_WAIT_RATE ] ||
            fail "pid $1: $RATE requests a second while waiting (at most $MAX_WAIT_RATE)"
    else
        sample_cpu "$1" "$2"
    fi
    [ "$CPU_PCT" -le $((MAX_WAIT_CPU * SLOW)) ] ||
        fail "pid $1: ${CPU_PCT}% CPU while waiting (at most $((MAX_WAIT_CPU * SLOW))%)"
}

# sanitizer_env NAME: the environment that sends sanitizer reports of a CLI run to
# $E2E_TMP/sanitizer-NAME.* (finish counts them).
sanitizer_env() {
    echo "ASAN_OPTIONS=log_path=$E2E_TMP/sanitizer-$1:${ASAN_OPTIONS:-}" \
        "LSAN_OPTIONS=suppressions=$E2E_DIR/lsan.supp:print_suppressions=0:${LSAN_OPTIONS:-}" \
        "UBSAN_OPTIONS=log_path=$E2E_TMP/sanitizer-$1:print_stacktrace=1:${UBSAN_OPTIONS:-}"
}

# start_publisher PORT: `dhtui publish trades` against PORT in the background; sets
# PUB_PID and TICKET (its first stdout line). Dies if no ticket comes.
start_publisher() {
    # shellcheck disable=SC2046
    env $(sanitizer_env publish) "$DHTUI" publish trades --port "$1" \
        >"$E2E_TMP/publish.out" 2>"$E2E_TMP/publish.err" &
    PUB_PID=$!
    local end=$(($(now_ms) + 10000 * SLOW))
    TICKET=""
    while [ -z "$TICKET" ] && [ "$(now_ms)" -lt $end ]; do
        TICKET=$(head -n 1 "$E2E_TMP/publish.out")
        kill -0 $PUB_PID 2>/dev/null || break
        [ -n "$TICKET" ] || sleep 0.05
    done
    [ -n "$TICKET" ] || die "publish printed no ticket: $(cat "$E2E_TMP/publish.err")"
    echo "ticket $TICKET"
}
