#!/bin/sh
# SPDX-License-Identifier: MIT
# The README's two commands, runnable on a fresh Debian machine (no make yet):
#   ./build.sh demo   install what is missing, build, start dhtui on the demo server
#   ./build.sh test   install what is missing, build, run every test
# Everything else lives in the Makefile; this only makes sure make exists.
set -eu
cd "$(dirname "$0")"
case "${1:-}" in
demo) scripts/install-deps.sh ;;
test) scripts/install-deps.sh --test ;;
*) echo "usage: ./build.sh demo|test" >&2; exit 2 ;;
esac
exec make "$1"
