#!/usr/bin/env bash
# Starts a throwaway redis-server on 127.0.0.1 on a free port for the test run (installing the Debian package
# `redis-server` first when the binary is missing and we are root, as in CI). Prints shell assignments to eval:
#   eval "$(scripts/redis-start.sh)"  ->  exports PCR_REDIS_URL, PCR_REDIS_PIDFILE, PCR_REDIS_DIR
# Exits non-zero (printing nothing to stdout) when no server could be started.
set -euo pipefail

log() { echo "redis-start: $*" >&2; }

if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    log "installing redis-server (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2 || log "apt-get update failed; trying the install anyway"
    apt-get install -y --no-install-recommends redis-server >&2
  else
    log "redis-server is not installed and cannot be installed here (not root or no apt-get)"
    exit 1
  fi
fi

# A free port: ask the kernel for one through node (always present here).
port="$(node -e '
  const s = require("node:net").createServer();
  s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => console.log(port)); });
')"

dir="$(mktemp -d "${TMPDIR:-/tmp}/pcr-redis.XXXXXX")"
pidfile="$dir/redis.pid"
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --pidfile "$pidfile" --dir "$dir" --logfile "$dir/redis.log" >&2

for _ in $(seq 1 100); do
  if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
    log "redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') up on 127.0.0.1:$port"
    echo "export PCR_REDIS_URL=redis://127.0.0.1:$port"
    echo "export PCR_REDIS_PIDFILE=$pidfile"
    echo "export PCR_REDIS_DIR=$dir"
    exit 0
  fi
  sleep 0.1
done
log "redis-server did not answer PING on port $port"
[ -f "$dir/redis.log" ] && tail -20 "$dir/redis.log" >&2
[ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
rm -rf "$dir"
exit 1
