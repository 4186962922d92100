# SPDX-License-Identifier: MIT
# lib.sh: helpers for the CLI integration tests: a private demo server on an
# ephemeral loopback port with a control fifo on its stdin, running dhtui,
# and assertions. Source it; it cleans up on exit.
# Environment (set by ctest): DHTUI, DH_SERVER, DH_BUILD_DIR, DH_TESTS_DIR.

set -u

: "${DHTUI:?DHTUI must name the dhtui binary}"
: "${DH_SERVER:?DH_SERVER must name the dhtui-demo-server binary}"

# Sanitizer builds: ignore the resolver string c-ares keeps for the process
# lifetime (not ours); see tests/e2e/lsan.supp.
if [ -n "${DH_TESTS_DIR:-}" ] && [ -f "$DH_TESTS_DIR/e2e/lsan.supp" ] && [ -z "${LSAN_OPTIONS:-}" ]; then
    export LSAN_OPTIONS="suppressions=$DH_TESTS_DIR/e2e/lsan.supp:print_suppressions=0"
fi

IT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/dhtui-it.XXXXXX")
IT_FAILS=0
IT_BG_PIDS=()
SERVER_PID=
SERVER_PORT=
SERVER_OUT=$IT_TMP/server.out
SERVER_ERR=$IT_TMP/server.err
SERVER_SEEN=0   # server stdout lines consumed so far

# Stop everything we started and remove the scratch directory.
it_cleanup() {
    local pid
    for pid in "${IT_BG_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in "${IT_BG_PIDS[@]}"; do
        wait "$pid" 2>/dev/null
    done
    stop_server
    rm -rf "$IT_TMP"
}
trap it_cleanup EXIT

# Remember a background pid so that cleanup stops it.
track_pid() {
    IT_BG_PIDS+=("$1")
}

# Milliseconds since the epoch.
now_ms() {
    echo $(($(date +%s%N) / 1000000))
}

# Print the number of lines in file $1 (0 if missing).
count_lines() {
    if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}

# wait_for_lines FILE N: wait up to 10 s until FILE has at least N lines.
wait_for_lines() {
    local i
    for i in $(seq 1 200); do
        [ "$(count_lines "$1")" -ge "$2" ] && return 0
        sleep 0.05
    done
    return 1
}

# start_server [args...]: run $DH_SERVER --port 0 args with the control fifo on
# stdin; sets SERVER_PID and SERVER_PORT from its first line
# "listening on 127.0.0.1:<port>". Fails the test if it does not come up in 10 s.
start_server() {
    stop_server
    rm -f "$IT_TMP/ctl"
    mkfifo "$IT_TMP/ctl"
    : >"$SERVER_OUT"
    "$DH_SERVER" --port 0 "$@" <"$IT_TMP/ctl" >"$SERVER_OUT" 2>"$SERVER_ERR" &
    SERVER_PID=$!
    exec 9>"$IT_TMP/ctl"
    local i line
    for i in $(seq 1 200); do
        line=$(head -n 1 "$SERVER_OUT" 2>/dev/null)
        case "$line" in
        "listening on "*:*)
            SERVER_PORT=${line##*:}
            SERVER_SEEN=1
            return 0
            ;;
        esac
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            break
        fi
        sleep 0.05
    done
    echo "FATAL: the demo server did not start: $(head -c 500 "$SERVER_ERR")" >&2
    exit 1
}

# ctl "command": send one control command and print the server's reply line
# (waits up to 5 s for it).
ctl() {
    echo "$*" >&9
    local want=$((SERVER_SEEN + 1)) i
    for i in $(seq 1 100); do
        if [ "$(count_lines "$SERVER_OUT")" -ge "$want" ]; then
            SERVER_SEEN=$want
            sed -n "${want}p" "$SERVER_OUT"
            return 0
        fi
        sleep 0.05
    done
    echo "(no reply to '$*')"
    return 1
}

# stop_server: `quit`, then SIGTERM, then SIGKILL; idempotent.
stop_server() {
    if [ -n "$SERVER_PID" ]; then
        echo quit >&9 2>/dev/null
        exec 9>&-
        local i
        for i in $(seq 1 100); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.05
        done
        kill -TERM "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
        SERVER_PID=
    fi
}

# run_cli args...: run dhtui (with a 60 s cap); sets RC, OUT (stdout file), ERR.
OUT=$IT_TMP/out
ERR=$IT_TMP/err
RC=0
run_cli() {
    timeout 60 "$DHTUI" "$@" >"$OUT" 2>"$ERR"
    RC=$?
}

# publish NAME OUTFILE [args]: start `dhtui publish NAME` against the server in
# the background (stderr in OUTFILE.err); sets PUB_PID and TICKET (its first
# stdout line, within 15 s).
publish() {
    local name=$1 out=$2
    shift 2
    "$DHTUI" publish "$name" --port "$SERVER_PORT" "$@" >"$out" 2>"$out.err" &
    PUB_PID=$!
    track_pid "$PUB_PID"
    TICKET=
    local i
    for i in $(seq 1 300); do
        if [ "$(count_lines "$out")" -ge 1 ]; then
            TICKET=$(head -n 1 "$out")
            return 0
        fi
        kill -0 "$PUB_PID" 2>/dev/null || break
        sleep 0.05
    done
    fail "publish $name printed no ticket: $(head -c 400 "$out.err")"
    return 1
}

fail() {
    echo "FAIL: $*"
    IT_FAILS=$((IT_FAILS + 1))
}

pass() {
    echo "ok: $*"
}

# check "description" command...: pass if the command succeeds.
check() {
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}

# expect_rc N "description": the last run_cli exited with N.
expect_rc() {
    if [ "$RC" -eq "$1" ]; then
        pass "$2 (exit $RC)"
    else
        fail "$2: expected exit $1, got $RC; stderr: $(head -c 400 "$ERR")"
    fi
}

# expect_out_has REGEX "description" / expect_err_has / expect_out_lacks.
expect_out_has() {
    if grep -Eq -- "$1" "$OUT"; then pass "$2"; else fail "$2: stdout lacks /$1/: $(head -c 400 "$OUT")"; fi
}
expect_out_lacks() {
    if grep -Eq -- "$1" "$OUT"; then fail "$2: stdout has /$1/"; else pass "$2"; fi
}
expect_err_has() {
    if grep -Eq -- "$1" "$ERR"; then pass "$2"; else fail "$2: stderr lacks /$1/: $(head -c 400 "$ERR")"; fi
}

# expect_one_err_line "description": stderr holds exactly one line starting "dhtui: ".
expect_one_err_line() {
    local n
    n=$(count_lines "$ERR")
    if [ "$n" -eq 1 ] && grep -q '^dhtui: ' "$ERR"; then
        pass "$1: one error line"
    else
        fail "$1: expected one 'dhtui: ' line on stderr, got $n: $(head -c 400 "$ERR")"
    fi
}

# is_json FILE: 0 if FILE parses as JSON (python3), else a rough check.
is_json() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1" 2>/dev/null
    else
        grep -q '^[[{]' "$1" && grep -q '[]}]$' "$1"
    fi
}

# finish: exit 1 if any check failed.
finish() {
    if [ "$IT_FAILS" -ne 0 ]; then
        echo "$IT_FAILS check(s) failed"
        exit 1
    fi
    echo "all checks passed"
    exit 0
}
