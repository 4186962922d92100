#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The house style (.clang-format) over every C source the project owns.
# Usage: scripts/format.sh          reformat in place
#        scripts/format.sh --check  list what differs and fail (CI, make test)
# Tables whose layout carries meaning (wire tables, Unicode ranges, key
# bindings) sit between /* clang-format off */ and /* clang-format on */.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "format: clang-format is not installed" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.c' '*.h')
if [ "${1:-}" = "--check" ]; then
  bad=()
  for f in "${files[@]}"; do
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
  done
  if [ ${#bad[@]} -gt 0 ]; then
    echo "format: not in the house style (scripts/format.sh fixes them): ${bad[*]}" >&2
    exit 1
  fi
  echo "format: ${#files[@]} files in the house style"
  exit 0
fi
clang-format -i "${files[@]}"
