#!/usr/bin/env bash
# Stops the redis-server started by scripts/redis-start.sh (reads PCR_REDIS_PIDFILE / PCR_REDIS_DIR) and
# removes its directory. Safe to call twice or when nothing was started.
set -uo pipefail

pidfile="${PCR_REDIS_PIDFILE:-}"
dir="${PCR_REDIS_DIR:-}"
if [ -n "$pidfile" ] && [ -f "$pidfile" ]; then
  pid="$(cat "$pidfile")"
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    echo "redis-stop: redis-server (pid $pid) stopped" >&2
  fi
fi
case "$dir" in
  */pcr-redis.*) rm -rf "$dir" ;;
esac
exit 0
