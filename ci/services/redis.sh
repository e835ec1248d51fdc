#!/usr/bin/env bash
# Makes sure a Redis answers on 127.0.0.1:6379: uses a running one as is, else installs (if needed) and
# starts one without persistence. Idempotent; exits non-zero with a message if Redis never answers.
set -euo pipefail

HOST=127.0.0.1
PORT="${REDIS_PORT:-6379}"   # override only to try the script on another port
DEADLINE_S=20

answers() {
  command -v redis-cli >/dev/null 2>&1 && [ "$(redis-cli -h "$HOST" -p "$PORT" ping 2>/dev/null)" = "PONG" ]
}

if answers; then
  echo "redis: already answering on $HOST:$PORT"
  exit 0
fi

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  echo "redis: installing redis-server and redis-tools"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server redis-tools >/dev/null
fi

echo "redis: starting redis-server on $HOST:$PORT (no persistence)"
redis-server --bind "$HOST" --port "$PORT" --daemonize yes --save '' --appendonly no --dir /tmp

for _ in $(seq 1 $((DEADLINE_S * 10))); do
  if answers; then
    echo "redis: ready on $HOST:$PORT"
    exit 0
  fi
  sleep 0.1
done
echo "redis: no PONG from $HOST:$PORT within ${DEADLINE_S}s; check that the port is free and see redis-server's log" >&2
exit 1
