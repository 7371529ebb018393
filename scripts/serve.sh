#!/usr/bin/env bash
# Serve the site over ASGI (HTTP + WebSocket) with the task worker beside it.
# Both stop together on Ctrl-C.
set -euo pipefail
host=${1:-127.0.0.1}
port=${2:-8000}
cd "$(dirname "$0")/.."

# The daily privacy run (retention): queued once, then it queues itself for the next day.
.venv/bin/python manage.py purge_personal_data --schedule
.venv/bin/python manage.py db_worker &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM

.venv/bin/uvicorn config.asgi:application --host "$host" --port "$port" --ws websockets-sansio --log-level warning
