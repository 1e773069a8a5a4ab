#!/usr/bin/env bash
# What the tests need beyond `npm ci`, installed once: the Node 22 that autotel-devtools runs on
# (pinned in test/support/node22, kept apart so npm scripts stay on Node 20), Debian's Chromium
# for the viewer's browser tests (nothing is downloaded at test time), and the openssl command for
# the WebFetch test's local HTTPS site. Where they cannot be installed, those tests skip with one
# message saying so.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --prefix test/support/node22 --no-audit --no-fund
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [ "${#missing[@]}" -gt 0 ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  log="$(mktemp)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >"$log" 2>&1; then
    echo "${missing[*]} could not be installed (the tests that need them will be skipped): $(tail -n 1 "$log")"
  fi
  rm -f "$log"
fi
