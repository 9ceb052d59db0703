#!/usr/bin/env bash
# scripts/install-deps on a machine where it cannot install: a user that is not root, with
# no sudo, and every package missing. It must exit non-zero and print the exact apt-get line.
# Fakes for id, dpkg-query and sudo come first on PATH; nothing is installed.
set -euo pipefail
script=$1
fakes=$(mktemp -d)
trap 'rm -rf "$fakes"' EXIT
printf '#!/bin/sh\n[ "$1" = -u ] && echo 1000 || echo designer\n' > "$fakes/id"
printf '#!/bin/sh\necho not-installed\n' > "$fakes/dpkg-query"
printf '#!/bin/sh\nexit 1\n' > "$fakes/sudo"
chmod +x "$fakes"/*

set +e
out=$(PATH="$fakes:$PATH" "$script" 2>&1)
rc=$?
set -e
fail() { echo "install-deps test: $*"; echo "--- output:"; echo "$out"; exit 1; }
[[ $rc -ne 0 ]] || fail "exit code 0 although nothing could be installed"
grep -q "cannot install as designer (not root, no password-less sudo). Run:" <<< "$out" ||
  fail "no explanation of why it cannot install"
grep -qE "^  sudo apt-get update && sudo apt-get install -y --no-install-recommends build-essential cmake .*libzxing-dev libzbar-dev qrencode poppler-utils openssl postgresql$" <<< "$out" ||
  fail "the apt-get line to run is missing or incomplete"

# And where everything is installed, it says so and changes nothing.
printf '#!/bin/sh\necho installed\n' > "$fakes/dpkg-query"
out=$(PATH="$fakes:$PATH" "$script" 2>&1) || fail "exit code $? with every package installed"
grep -qE "^install-deps: all [0-9]+ Debian packages are installed$" <<< "$out" ||
  fail "does not report that everything is installed"
echo "install-deps test: ok"
