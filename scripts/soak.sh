#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Soak (issue 8): run the chaos scenarios (tests/chaos/test_*.sh) in a loop for N minutes
# and print figures: scenario runs and failures, faults survived, tickets lost, wrong rows
# shown, worst key latency during faults, peak CPU and RSS of dhtui. Judges nothing.
# Usage: scripts/soak.sh [MINUTES] [BUILD_DIR]   (defaults: 10, build)
# DH_CHAOS_ALL=1 also runs the checks tests/chaos/known-defects disables.
set -uo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-10}
BUILD=${2:-build}
export DHTUI=$PWD/$BUILD/dhtui DH_SERVER=$PWD/$BUILD/dhtui-demo-server
export DH_PROXY=$PWD/$BUILD/tests/chaos_proxy
for b in "$DHTUI" "$DH_SERVER" "$DH_PROXY"; do
    [ -x "$b" ] || { echo "build first: make build ($b is missing)" >&2; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dhtui-soak.XXXXXX")
failed=0
# Logs of failed runs stay for reading.
trap '[ "$failed" -gt 0 ] && echo "logs of the failed runs: $tmp/fail.*.log" || rm -rf "$tmp"' EXIT
export DH_CHAOS_FIGURES=$tmp/figures DH_CHAOS_LONG=1
: >"$DH_CHAOS_FIGURES"

end=$(($(date +%s) + MINUTES * 60))
runs=0
while [ "$(date +%s)" -lt $end ]; do
    for t in tests/chaos/test_*.sh; do
        [ "$(date +%s)" -lt $end ] || break
        name=$(basename "$t" .sh)
        runs=$((runs + 1))
        if timeout 300 bash "$t" >"$tmp/last.log" 2>&1; then
            echo "$(date +%T) $name ok"
        else
            failed=$((failed + 1))
            cp "$tmp/last.log" "$tmp/fail.$runs.log"
            echo "$(date +%T) $name FAILED:"
            grep -E '^(FAIL|FATAL)' "$tmp/last.log" | head -n 5 | sed 's/^/    /'
            grep -q "^$name " "$DH_CHAOS_FIGURES" || echo "$name faults=0 fails=1" >>"$DH_CHAOS_FIGURES"
        fi
    done
done

echo
echo "soak: $MINUTES min, $runs scenario runs, $failed failed"
awk '
    { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] + 0 } }
    { faults += v["faults"]; lost += v["tickets_lost"]; wrong += v["wrong_rows"]
      if (v["worst_key_ms"] > key) key = v["worst_key_ms"]
      if (v["peak_cpu_permille"] > cpu) cpu = v["peak_cpu_permille"]
      if (v["peak_rss_kb"] > rss) rss = v["peak_rss_kb"]
      if (v["fails"] > 0) bad[$1]++; delete v }
    END {
      printf "faults survived: %d\n", faults
      printf "tickets lost: %d\n", lost
      printf "wrong rows shown: %d\n", wrong
      printf "worst key latency during faults: %d ms\n", key
      printf "peak CPU of a waiting dhtui: %.1f%%\n", cpu / 10
      printf "peak RSS of dhtui: %.1f MB\n", rss / 1024
      for (s in bad) printf "failed runs of %s: %d\n", s, bad[s]
    }' "$DH_CHAOS_FIGURES"
