# Starts a throw-away PostgreSQL cluster on 127.0.0.1 for the tests (sourced by test.sh).

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && { echo "$dir"; return; }; done
  dirname "$(command -v initdb)"
}

# Runs a PostgreSQL tool as a non-root user: the server refuses to run as root.
as_pg_user() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

start_private_postgres() {
  local bin port
  bin=$(pg_bin)
  pg_dir=$(mktemp -d /tmp/switchboard-pg.XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown postgres "$pg_dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_pg_user "$bin/initdb" -D "$pg_dir/data" -U postgres -A trust --no-sync >/dev/null
  # Durability settings are off: this cluster lives for one test run.
  as_pg_user "$bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
    -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null
  SWITCHBOARD_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Include Error Detail=true"
  echo "Private PostgreSQL on 127.0.0.1:$port"
}

stop_private_postgres() {
  as_pg_user "$(pg_bin)/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
