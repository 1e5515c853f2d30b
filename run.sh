#!/usr/bin/env bash
# Runs Switchboard on its embedded default: SQLite in ./data, API and console on http://127.0.0.1:5000.
# Extra arguments go to the server, e.g. ./run.sh --urls http://127.0.0.1:8080
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
ensure_node
build_web_apps_if_stale
exec dotnet run --project src/Switchboard.Server -c Release -- "$@"
