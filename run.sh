#!/usr/bin/env bash
# Runs Switchboard on its embedded default: SQLite in ./data, API and console on http://127.0.0.1:5000.
# --demo starts demo mode (a demo tenant whose channels talk to the built-in provider simulator; simulated customers write in).
# Other arguments go to the server, e.g. ./run.sh --urls http://127.0.0.1:8080
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
ensure_node
build_web_apps_if_stale
args=()
for arg in "$@"; do
  if [ "$arg" = "--demo" ]; then args+=("--Demo:Enabled=true"); else args+=("$arg"); fi
done
exec dotnet run --project src/Switchboard.Server -c Release -- "${args[@]}"
