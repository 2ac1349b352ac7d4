#!/usr/bin/env bash
# Starts a throw-away PostgreSQL (Debian's package) on loopback for the test suite and prints the
# URL to export as ZHIQIAN_TEST_PG_URL. Everything else goes to stderr, so that
#     ZHIQIAN_TEST_PG_URL="$(.ci/postgres.sh)"; export ZHIQIAN_TEST_PG_URL
# works. Safe to run twice: a cluster already answering on the port is reused.
#
# Settings (environment): ZHIQIAN_PG_PORT (55432), ZHIQIAN_PG_DATA (/dev/shm/zhiqian-ci-pg when
# /dev/shm has room, else /tmp/zhiqian-ci-pg),
# ZHIQIAN_PG_USER / ZHIQIAN_PG_PASSWORD / ZHIQIAN_PG_DB (zhiqian / zhiqian-ci / zhiqian).
set -euo pipefail

port="${ZHIQIAN_PG_PORT:-55432}"
# The tests create a database per test (~1,200 files each): on tmpfs that takes ~20 ms, on a
# virtual machine's disk ~300 ms. The cluster is thrown away, so memory is the right place.
if [[ -z "${ZHIQIAN_PG_DATA:-}" && -d /dev/shm && -w /dev/shm ]] \
  && [[ "$(df -Pk /dev/shm | awk 'NR == 2 {print $4}')" -gt 1048576 ]]; then
  data=/dev/shm/zhiqian-ci-pg
else
  data="${ZHIQIAN_PG_DATA:-/tmp/zhiqian-ci-pg}"
fi
user="${ZHIQIAN_PG_USER:-zhiqian}"
password="${ZHIQIAN_PG_PASSWORD:-zhiqian-ci}"
dbname="${ZHIQIAN_PG_DB:-zhiqian}"
sockets="$data-sockets"

log() { printf '%s\n' "postgres.sh: $*" >&2; }

find_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "$dir" && -x "$dir/pg_ctl" ]]; then
    printf '%s\n' "$dir"
  fi
}

bindir="$(find_bindir)"
if [[ -z "$bindir" ]]; then
  log "installing PostgreSQL from the Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bindir="$(find_bindir)"
fi
if [[ -z "$bindir" ]]; then
  log "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin"
  exit 1
fi

# initdb and postgres refuse to run as root: run them as the postgres system user.
as_pg() {
  if [[ "$(id -u)" -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if as_pg "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port"; then
  log "a server already answers on 127.0.0.1:$port; reusing it"
else
  if [[ ! -s "$data/PG_VERSION" ]]; then
    log "creating a cluster in $data"
    mkdir -p "$data" "$sockets"
    [[ "$(id -u)" -eq 0 ]] && chown postgres:postgres "$data" "$sockets"
    chmod 700 "$data"
    as_pg "$bindir/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 >&2
  fi
  # A test server: durability is traded for speed (it is thrown away after the run); no
  # autovacuum, whose workers a test database's DROP ... WITH (FORCE) may not stop.
  as_pg "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $sockets -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
        -c autovacuum=off" >&2
fi

psql_admin() {
  as_pg "$bindir/psql" -v ON_ERROR_STOP=1 -q -h "$sockets" -p "$port" -U postgres -d postgres "$@"
}

# The test role creates one database per test from a migrated template, hence CREATEDB.
psql_admin -v user="$user" -v password="$password" >&2 <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', :'user', :'password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'user', :'password') \gexec
-- Dropping a test database WITH (FORCE) may have to stop an autovacuum worker on it.
SELECT format('GRANT pg_signal_backend TO %I', :'user') \gexec
SQL
psql_admin -v user="$user" -v dbname="$dbname" >&2 <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'dbname', :'user', 'UTF8')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'dbname') \gexec
SQL
# pg_trgm (quick search) is a trusted extension; creating it in template1 as well lets every
# database the tests create have it without superuser rights.
psql_admin -d template1 -c "CREATE EXTENSION IF NOT EXISTS pg_trgm" >&2
psql_admin -d "$dbname" -c "CREATE EXTENSION IF NOT EXISTS pg_trgm" >&2

log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') ready on 127.0.0.1:$port"
printf 'postgresql+psycopg://%s:%s@127.0.0.1:%s/%s\n' "$user" "$password" "$port" "$dbname"
