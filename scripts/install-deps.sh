#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the Debian packages dhtui needs to build and test, if missing.
# Usage: scripts/install-deps.sh [--test]   (--test adds what the test suite uses)
set -euo pipefail

pkgs=(build-essential make cmake pkg-config libgrpc-dev libprotobuf-c-dev protobuf-c-compiler
      libncurses-dev libreadline-dev libinih-dev libjansson-dev)
if [ "${1:-}" = "--test" ]; then
  # man-db: `man -l` of the page; file and dpkg-dev: cpack -G DEB; zsh: the
  # completion's syntax check; ccache: rebuilds of the test matrix; clang-format:
  # the style check.
  pkgs+=(tmux clang libclang-rt-dev openssl strace tzdata python3 nodejs npm time
         man-db file dpkg-dev zsh ccache clang-format)
fi

# Installed per dpkg; npm also counts when its command is there: NodeSource's
# nodejs package bundles npm and conflicts with Debian's npm package.
present() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" && return 0
  [ "$1" = npm ] && command -v npm >/dev/null
}

missing=()
for p in "${pkgs[@]}"; do
  present "$p" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
