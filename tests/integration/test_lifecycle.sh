#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_lifecycle.sh: runs itest_lifecycle (reconnect within seconds after a
# kill -9 and restart, quit in under a second after many renewals on a
# stalled server, the "stalled" state coming and going). The program runs
# its own demo servers.
. "$(dirname "$0")/lib.sh"

: "${DH_BUILD_DIR:?DH_BUILD_DIR must name the build directory}"
PROG=$DH_BUILD_DIR/tests/itest_lifecycle
[ -x "$PROG" ] || { echo "FATAL: $PROG is not built"; exit 1; }

timeout 180 "$PROG" "$DH_SERVER" >"$IT_TMP/itest.out" 2>&1
rc=$?
cat "$IT_TMP/itest.out"
if [ "$rc" -eq 0 ]; then pass "itest_lifecycle"; else fail "itest_lifecycle exited $rc"; fi
finish
