#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fuzz.sh: build the libFuzzer targets (tests/fuzz/fuzz_*.c) with clang in
# build-fuzz and run each for N seconds over its seed corpus.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     e.g. scripts/fuzz.sh 60 fuzz_arrow
#
# Seeds are read from tests/fuzz/corpus/<target>/ (or corpus/<target without
# "fuzz_">/); new inputs go to build-fuzz/corpus/<target>/ so the committed corpus
# stays small; crashes go to build-fuzz/artifacts/. Exits non-zero if any target
# crashed, leaked, timed out or hit a sanitizer error. Targets run $(nproc) at a
# time (each fuzzer uses one core).
#
# Environment: DH_FUZZ_BUILD_DIR (default build-fuzz), CC_FUZZ (default clang),
# DH_FUZZ_WERROR=ON (warnings are errors), DH_FUZZ_BUILD_ALL=1 (build every
# target, not only the fuzzers: `make test` uses this build as its clang Debug
# check), DH_FUZZ_LAUNCHER (a compiler launcher such as ccache).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-20}
[ $# -gt 0 ] && shift
build=${DH_FUZZ_BUILD_DIR:-$root/build-fuzz}
cc=${CC_FUZZ:-clang}

if [ $# -gt 0 ]; then
    targets=("$@")
else
    targets=()
    for src in "$root"/tests/fuzz/fuzz_*.c; do
        targets+=("$(basename "$src" .c)")
    done
fi

# The library is instrumented too (fuzzer-no-link), so libFuzzer sees coverage in
# the decoders, not only in the target files.
flags="-g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
jobs=$(nproc 2>/dev/null || echo 2)
launcher=()
[ -n "${DH_FUZZ_LAUNCHER:-}" ] && launcher=(-DCMAKE_C_COMPILER_LAUNCHER="$DH_FUZZ_LAUNCHER")
cmake -S "$root" -B "$build" -DDH_FUZZ=ON -DCMAKE_C_COMPILER="$cc" "${launcher[@]}" \
    -DCMAKE_BUILD_TYPE=Debug -DDH_WERROR="${DH_FUZZ_WERROR:-OFF}" -DCMAKE_C_FLAGS="$flags" >/dev/null
if [ "${DH_FUZZ_BUILD_ALL:-0}" = 1 ]; then
    cmake --build "$build" -j"$jobs"
else
    cmake --build "$build" -j"$jobs" --target "${targets[@]}"
fi

# run_target T: fuzz T for $secs seconds; its output goes to $build/T.log.
run_target() {
    local t=$1 seeds work
    seeds=$root/tests/fuzz/corpus/$t
    [ -d "$seeds" ] || seeds=$root/tests/fuzz/corpus/${t#fuzz_}
    work=$build/corpus/$t
    mkdir -p "$work" "$build/artifacts"
    local dirs=("$work")
    [ -d "$seeds" ] && dirs+=("$seeds")
    echo "== $t: ${secs}s over ${dirs[*]}" >"$build/$t.log"
    "$build/tests/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" "${dirs[@]}" \
        >>"$build/$t.log" 2>&1
}

# Run the targets $jobs at a time, then report each in order.
declare -A pid_of
running=0
for t in "${targets[@]}"; do
    if [ "$running" -ge "$jobs" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    run_target "$t" &
    pid_of[$t]=$!
    running=$((running + 1))
done
failed=()
for t in "${targets[@]}"; do
    if ! wait "${pid_of[$t]}"; then
        echo "!! $t failed; see $build/$t.log and $build/artifacts/"
        tail -n 40 "$build/$t.log"
        failed+=("$t")
    else
        head -n 1 "$build/$t.log"
        grep -E '^stat::number_of_executed_units|^Done' "$build/$t.log" || true
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: FAILED: ${failed[*]}"
    exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran ${secs}s without a finding"
