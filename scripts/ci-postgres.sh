#!/usr/bin/env bash
# A throw-away PostgreSQL server on 127.0.0.1 for the export tests.
#
#   eval "$(scripts/ci-postgres.sh)"        # install if missing, start, print the export line
#   scripts/ci-postgres.sh --stop           # stop it
#
# Installs Debian's `postgresql` when no server binaries are found, creates a cluster in
# $SELECTA_PG_DIR (default /tmp/selecta-pg) listening on 127.0.0.1:$SELECTA_PG_PORT (default
# 55432, away from a system server on 5432), with password (SCRAM) authentication over TCP,
# a role `selecta` and a database `selecta_test`. Everything but the final
# `export SELECTA_TEST_PG_URL=…` line goes to stderr, so `eval "$(…)"` sets the variable.
# Idempotent: a running server is reused.
set -euo pipefail

DIR="${SELECTA_PG_DIR:-/tmp/selecta-pg}"
PORT="${SELECTA_PG_PORT:-55432}"
ROLE=selecta
PASSWORD="${SELECTA_PG_PASSWORD:-selecta-test-pw}"
DB=selecta_test

log() { echo "ci-postgres: $*" >&2; }

find_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

BIN="$(find_bin)"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
    log "installing PostgreSQL (Debian package postgresql)"
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y postgresql >&2
    BIN="$(find_bin)"
fi
[ -x "$BIN/initdb" ] || { log "no initdb found under /usr/lib/postgresql"; exit 1; }

# The server refuses to run as root: run its tools as `postgres` then.
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
    AS=(runuser -u postgres --)
    OWNER=postgres
else
    AS=()
    OWNER="$(id -un)"
fi

if [ "${1:-}" = "--stop" ]; then
    if [ -f "$DIR/data/postmaster.pid" ]; then
        "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >&2
    fi
    exit 0
fi

mkdir -p "$DIR"
chown "$OWNER" "$DIR"
if [ ! -f "$DIR/data/PG_VERSION" ]; then
    log "initdb in $DIR/data"
    pwfile="$(mktemp)"
    echo "postgres-$PASSWORD" > "$pwfile"
    chown "$OWNER" "$pwfile"
    "${AS[@]}" "$BIN/initdb" -D "$DIR/data" -U postgres --pwfile="$pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >&2
    rm -f "$pwfile"
fi

if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
    log "a server already answers on 127.0.0.1:$PORT"
else
    log "starting on 127.0.0.1:$PORT"
    "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DIR" start >&2
fi

psql_admin() { "${AS[@]}" "$BIN/psql" -h "$DIR" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_admin -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != "1" ]; then
    psql_admin -d postgres -c "CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'" >&2
fi
if [ "$(psql_admin -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != "1" ]; then
    psql_admin -d postgres -c "CREATE DATABASE $DB OWNER $ROLE ENCODING 'UTF8' TEMPLATE template0" >&2
fi
log "ready: postgres://$ROLE:***@127.0.0.1:$PORT/$DB"
echo "export SELECTA_TEST_PG_URL=postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB"
