#!/usr/bin/env bash
# Makes sure headless Chromium is there for the browser test (test/browser/): installs the Debian package
# `chromium` when no binary is found and we are root with apt-get (as in CI), as scripts/redis-start.sh does
# for redis-server. playwright-core drives it; it never downloads a browser of its own.
#   scripts/chromium-install.sh   -> prints the binary's path; exits non-zero when none could be had
# The test looks at PCR_CHROMIUM, else /usr/bin/chromium.
set -euo pipefail

log() { echo "chromium-install: $*" >&2; }
binary="${PCR_CHROMIUM:-/usr/bin/chromium}"

if [ ! -x "$binary" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    log "installing chromium (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2 || log "apt-get update failed; trying the install anyway"
    apt-get install -y --no-install-recommends chromium >&2
  else
    log "no Chromium at $binary and it cannot be installed here (not root or no apt-get)"
    exit 1
  fi
fi
if [ ! -x "$binary" ]; then
  log "the chromium package installed no binary at $binary"
  exit 1
fi
log "$("$binary" --version 2>/dev/null | head -1)"
echo "$binary"
