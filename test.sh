#!/usr/bin/env bash
# Runs every test suite (.NET integration on SQLite and PostgreSQL, browser tests in Chromium, console and widget unit tests) and
# ends with one line: "N passed, N failed". Installs what is missing (Debian: postgresql, chromium) and starts a private
# PostgreSQL cluster on 127.0.0.1 unless SWITCHBOARD_TEST_POSTGRES names one.
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD
source scripts/prerequisites.sh
artifacts="$root/artifacts"
rm -rf "$artifacts" && mkdir -p "$artifacts"

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -x /usr/lib/postgresql/15/bin/initdb ] || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then echo "Installing ${missing[*]}..."; apt_install "${missing[@]}"; fi
ensure_node
build_web_apps_if_stale

if [ -z "${SWITCHBOARD_TEST_POSTGRES:-}" ]; then
  source scripts/private-postgres.sh
  start_private_postgres
  trap stop_private_postgres EXIT
fi
export SWITCHBOARD_TEST_POSTGRES
export SWITCHBOARD_ARTIFACTS="$artifacts"

passed=0; failed=0; status=0

for app in console widget; do
  echo "== ${app^} unit tests (vitest)"
  report="$artifacts/vitest-$app.json"
  if (cd "web/$app" && npx vitest run --reporter=default --reporter=json --outputFile="$report"); then :; else status=1; fi
  if [ -f "$report" ]; then
    read -r p f < <(node -e 'const r=require(process.argv[1]);console.log(r.numPassedTests, r.numFailedTests)' "$report")
    passed=$((passed + p)); failed=$((failed + f))
  else
    failed=$((failed + 1))
  fi
done

echo "== .NET tests (integration on SQLite + PostgreSQL, browser)"
dotnet build Switchboard.slnx -c Release -nologo -v q
for project in tests/Switchboard.Tests tests/Switchboard.BrowserTests; do
  name=$(basename "$project")
  if dotnet test "$project" -c Release --no-build -nologo --logger "trx;LogFileName=$artifacts/$name.trx" --results-directory "$artifacts"; then :; else status=1; fi
  if [ -f "$artifacts/$name.trx" ]; then
    read -r p f < <(python3 - "$artifacts/$name.trx" <<'PY'
import sys, xml.etree.ElementTree as ET
counters = ET.parse(sys.argv[1]).getroot().find('.//{*}Counters')
print(counters.get('passed'), int(counters.get('failed')) + int(counters.get('error', 0)) + int(counters.get('timeout', 0)))
PY
)
    passed=$((passed + p)); failed=$((failed + f))
  else
    failed=$((failed + 1))
  fi
done

echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
