#!/usr/bin/env bash
# Start the ltijs test tool against a fresh PostgreSQL database; waits until it answers /healthz.
# Usage: PLATFORM_ISS=... PLATFORM_CLIENT_ID=... PLATFORM_AUTH_URL=... PLATFORM_TOKEN_URL=... PLATFORM_JWKS_URL=... ./start-tool.sh
set -euo pipefail
cd "$(dirname "$0")"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}" PGDATABASE="${PGDATABASE:-ltijs_tool}"
export TOOL_HOST="${TOOL_HOST:-127.0.0.1}" TOOL_PORT="${TOOL_PORT:-3100}"
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
psql -qX -d postgres -c "DROP DATABASE IF EXISTS \"$PGDATABASE\"" -c "CREATE DATABASE \"$PGDATABASE\""
node tool.js > "${TOOL_LOG:-tool.log}" 2>&1 &
echo $! > tool.pid
for _ in $(seq 1 60); do
  if curl -sf "http://$TOOL_HOST:$TOOL_PORT/healthz" >/dev/null; then echo "tool up (pid $(cat tool.pid))"; exit 0; fi
  kill -0 "$(cat tool.pid)" 2>/dev/null || { cat "${TOOL_LOG:-tool.log}"; exit 1; }
  sleep 0.5
done
echo "tool did not start"; cat "${TOOL_LOG:-tool.log}"; exit 1
