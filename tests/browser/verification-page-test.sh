#!/usr/bin/env bash
# The verification page in a real browser: headless Chromium (Debian's `chromium`, installed by
# scripts/install-deps) opens the page of a freshly issued code from `viscode serve` on
# 127.0.0.1 and the test reads the verdict from the rendered DOM. The same browser opening it
# again (its cookie) must see the same first verdict; another browser (no cookie) sees the
# possible copy; a forged signature and a serial never imported get their own verdicts.
# Usage: verification-page-test.sh VISCODE_CLI [SAMPLES_DIR]
set -euo pipefail
viscode=$(realpath "$1")
samples=$(realpath "${2:-$(dirname "$0")/../../samples}")
fail() { echo "browser test: $*" >&2; exit 1; }
command -v chromium >/dev/null || fail "chromium is missing: run scripts/install-deps"

scratch=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$scratch"
}
trap cleanup EXIT
cd "$scratch"
export HOME=$scratch XDG_CONFIG_HOME=$scratch/.config XDG_CACHE_HOME=$scratch/.cache

"$viscode" keygen --out brand >/dev/null
"$viscode" keygen --out other >/dev/null
"$viscode" batch --logo "$samples/brand.png" --sign brand.key --count 1 \
  --template 'https://brand.example.com/a/{serial}.{sig}' --out-dir run >/dev/null
# Signed by the brand's key but never imported: not issued.
"$viscode" batch --logo "$samples/brand.png" --sign brand.key --count 1 \
  --template 'https://brand.example.com/a/{serial}.{sig}' --out-dir stray >/dev/null
"$viscode" ledger --db ledger.db import run/manifest.csv >/dev/null
# Made before the server starts: under load the loop below can run before the server's
# own redirection has created it (sed then fails, and set -e ends the test).
: >serve.err
"$viscode" serve --db ledger.db --pub brand.pub --listen 127.0.0.1:0 >access.log 2>serve.err &
server=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's#.*listening on http://127.0.0.1:\([0-9]*\)/.*#\1#p' serve.err)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "viscode serve did not start: $(cat serve.err)"

path_of() { sed -n 2p "$1/manifest.csv" | cut -d, -f3 | sed 's#^https://brand.example.com##'; }
genuine="http://127.0.0.1:$port$(path_of run)"
stray="http://127.0.0.1:$port$(path_of stray)"
serial=$(sed -n 2p run/manifest.csv | cut -d, -f2)
# The same serial with another key's signature: forged.
echo "$serial" >serial.txt
forged_sig=$("$viscode" batch --logo "$samples/brand.png" --sign other.key \
  --serials serial.txt --lines \
  --template 'https://brand.example.com/a/{serial}.{sig}' --out-dir forged >/dev/null &&
  path_of forged)
forged="http://127.0.0.1:$port$forged_sig"

# The rendered page's verdict heading, as text. A profile directory is one browser: its
# cookies are kept between runs.
heading() {
  local profile=$1 url=$2 dom
  dom=$(timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$scratch/$profile" --dump-dom "$url" 2>>chromium.log) ||
    fail "chromium could not open $url (see its log: $(tail -3 chromium.log))"
  sed -n 's#.*<h1[^>]*>\([^<]*\)</h1>.*#\1#p' <<<"$dom"
}
expect() {
  local what=$1 got=$2 want=$3
  [ "$got" = "$want" ] || fail "$what: the page's heading is '$got', expected '$want'"
  echo "browser test: $what: $got"
}

expect "first scan" "$(heading shopper "$genuine")" "Genuine, first scan"
expect "the same browser again" "$(heading shopper "$genuine")" "Genuine, first scan"
expect "another browser" "$(heading copier "$genuine")" \
  "Genuine serial, seen before: possible copy"
expect "forged signature" "$(heading copier "$forged")" "Forged"
expect "not issued" "$(heading copier "$stray")" "Not issued"

# The reload was not counted: the shopper's scan and the other browser's, nothing else.
status=$("$viscode" ledger --db ledger.db status "$serial")
grep -q "scanned 2 times" <<<"$status" ||
  fail "the ledger should count 2 scans of $serial (the reload is not one), it says: $status"
echo "browser test: ok"
