#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the apache-arrow JS reader (tests/golden/package-lock.json, from npm)
# into a cache directory with `npm ci`, once per lock file, and print the
# directory. Tests copy their .mjs scripts there to import apache-arrow.
# Usage: scripts/arrow-js.sh [DIR]   (default: build/arrow-js)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/build/arrow-js}
command -v npm >/dev/null || { echo "arrow-js: npm is missing (scripts/install-deps.sh --test)" >&2; exit 1; }
mkdir -p "$dir"
exec 7>"$dir.lock"
flock 7 # tests running in parallel share one install
if ! cmp -s "$root/tests/golden/package-lock.json" "$dir/package-lock.json" ||
   [ ! -f "$dir/node_modules/apache-arrow/package.json" ]; then
    cp "$root/tests/golden/package.json" "$root/tests/golden/package-lock.json" "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
echo "$dir"
