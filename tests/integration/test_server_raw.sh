#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_server_raw.sh: run itest_server_raw (raw grpc-core client calls) against three
# fresh demo servers: a default one (Anonymous auth, 5000 trades rows, control fifo),
# one with --psk, one with a 2 s session duration.
set -u
: "${DH_SERVER:?DH_SERVER must name the dhtui-demo-server binary}"
: "${DH_BUILD_DIR:?DH_BUILD_DIR must name the build directory}"
ITEST=${ITEST:-$DH_BUILD_DIR/tests/itest_server_raw}
[ -x "$ITEST" ] || { echo "FAIL: $ITEST is not built"; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/dh-raw.XXXXXX")
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT

# start NAME args...: start a server with a fifo on stdin; sets PORT.
start() {
    local name=$1
    shift
    mkfifo "$TMP/$name.ctl"
    "$DH_SERVER" --port 0 "$@" <"$TMP/$name.ctl" >"$TMP/$name.out" 2>"$TMP/$name.err" &
    PIDS+=($!)
    # keep a writer open so the server never sees EOF between commands
    eval "exec {fd_$name}>\"$TMP/$name.ctl\""
    local i line
    for i in $(seq 1 200); do
        line=$(head -n 1 "$TMP/$name.out" 2>/dev/null)
        case "$line" in "listening on "*) PORT=${line##*:}; return 0 ;; esac
        sleep 0.05
    done
    echo "FAIL: server $name did not start: $(cat "$TMP/$name.err")"
    exit 1
}

start main --rows 5000
MAIN=$PORT
MAIN_PID=${PIDS[0]}
start psk --psk s3cret-key
PSKP=$PORT
start short --session-duration-ms 2000
SHORT=$PORT

"$ITEST" "$MAIN" "$TMP/main.ctl" "$TMP/main.out" "$PSKP" s3cret-key "$SHORT"
rc=$?
# The last test sent `quit` to the main server: it must exit 0 by itself.
for i in $(seq 1 200); do kill -0 "$MAIN_PID" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$MAIN_PID" 2>/dev/null; then
    echo "FAIL: the main server did not exit after quit"
    rc=1
else
    wait "$MAIN_PID"
    src=$?
    if [ $src -ne 0 ]; then echo "FAIL: the main server exited $src"; rc=1; else echo "ok main server exited 0"; fi
fi
if [ $rc -ne 0 ]; then
    echo "--- main server stderr"; tail -n 30 "$TMP/main.err"
fi
exit $rc
