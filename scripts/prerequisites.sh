# Shared set-up steps for run.sh and test.sh (sourced, not executed).

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# Node.js 20.19+ builds the console and the chat widget (Vite 7).
ensure_node() {
  if ! command -v npm >/dev/null 2>&1; then apt_install nodejs npm; fi
  local major minor
  IFS=. read -r major minor _ <<<"$(node --version | tr -d v)"
  if [ "$major" -lt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -lt 19 ]; }; then
    echo "Node.js 20.19 or newer is needed to build the console (found $(node --version))." >&2
    exit 1
  fi
}

# Rebuilds a web project (web/console, web/widget) when $2, a file of its dist/, is missing or older than its sources.
build_web_if_stale() {
  local dir=$1 built=$1/dist/$2
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    # `npm install` rather than `npm ci`: the lock file lists no platform builds of rollup that this registry copy lacks,
    # which `npm ci` reports as out of sync; `npm install` still takes every version from the lock file.
    (cd "$dir" && npm install --no-audit --no-fund)
    touch "$dir/node_modules"
  fi
  if [ ! -f "$built" ] || [ -n "$(find "$dir" \( -name node_modules -o -name dist \) -prune -o -type f -newer "$built" -print -quit)" ]; then
    (cd "$dir" && npm run build)
  fi
}

build_web_apps_if_stale() {
  build_web_if_stale web/console index.html
  build_web_if_stale web/widget switchboard-widget.js
}
