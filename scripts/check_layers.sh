#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check_layers.sh BUILD_DIR: the dependency rules of HACKING.md's layer map, read from the
# object files (which file calls which): libdh's layers call only downwards (util < codec
# < net < client), and neither libdh's files nor the demo server's form a cycle.
set -euo pipefail
build=${1:?usage: check_layers.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# "caller callee" pairs of the object files under $1 whose sources are under $2 (file
# names without .c.o), one per line: caller uses a symbol that callee defines.
edges() {
  local o n
  : >"$tmp/defs"
  : >"$tmp/uses"
  while IFS= read -r o; do
    n=${o#"$1"/}
    n=${n%.c.o}
    # An object whose source is gone (moved or deleted since that build) is stale.
    [ -f "$2/$n.c" ] || continue
    nm --defined-only "$o" | awk -v n="$n" '$2 ~ /[TDBR]/ {print $3, n}' >>"$tmp/defs"
    nm -u "$o" | awk -v n="$n" '{print $2, n}' >>"$tmp/uses"
  done < <(find "$1" -name '*.c.o' | sort)
  join <(sort "$tmp/uses") <(sort "$tmp/defs") | awk '$2 != $3 {print $2, $3}' | sort -u
}

acyclic() { # name, edges file
  if ! tsort "$2" >/dev/null 2>"$tmp/tsort"; then
    echo "layers: $1 has a dependency cycle:" >&2
    grep -v 'input contains a loop' "$tmp/tsort" | sed 's/^tsort: /  /' | sort -u >&2
    fail=1
  fi
}

lib="$build/CMakeFiles/dhclient.dir/src"
srv="$build/CMakeFiles/dhtui-demo-server.dir/server"
[ -d "$lib" ] && [ -d "$srv" ] || { echo "layers: build $build first" >&2; exit 1; }

edges "$lib" "$root/src" >"$tmp/lib"
acyclic libdh "$tmp/lib"
rank() { case ${1%%/*} in util) echo 0 ;; codec) echo 1 ;; net) echo 2 ;; client) echo 3 ;; *) echo 9 ;; esac; }
while read -r from to; do
  if [ "$(rank "$from")" -lt "$(rank "$to")" ]; then
    echo "layers: src/$from.c calls up into src/$to.c" >&2
    fail=1
  fi
done <"$tmp/lib"

edges "$srv" "$root/server" >"$tmp/srv"
acyclic "the demo server" "$tmp/srv"

[ $fail -eq 0 ] || exit 1
echo "layers: libdh $(wc -l <"$tmp/lib") and demo server $(wc -l <"$tmp/srv") file dependencies, in layers, no cycle"
