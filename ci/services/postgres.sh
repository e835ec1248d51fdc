#!/usr/bin/env bash
# Makes sure PostgreSQL answers on 127.0.0.1:$PGPORT (default 5432, trust auth, user postgres) and that the
# test database exists. Idempotent: a server already answering is used as is. Otherwise it starts the
# Debian cluster if there is one, else initialises and starts a private one under $OJS_PG_DIR.
#
#   bash ci/services/postgres.sh        # then: DATABASE_URL=postgres://postgres@127.0.0.1:5432/ojs_test
set -euo pipefail

HOST=127.0.0.1
PORT="${PGPORT:-5432}"
DB="${OJS_TEST_DB:-ojs_test}"
PG_DIR="${OJS_PG_DIR:-/tmp/ojs-postgres-$PORT}"
DEADLINE_SECS=30

say() { echo "postgres.sh: $*" >&2; }
ready() { pg_isready -h "$HOST" -p "$PORT" -q 2>/dev/null; }

wait_ready() {
    local end=$((SECONDS + DEADLINE_SECS))
    while ((SECONDS < end)); do
        ready && return 0
        sleep 0.5
    done
    return 1
}

# Runs a command as the postgres user (the data directory must belong to it).
as_postgres() {
    if [ "$(id -un)" = postgres ]; then
        "$@"
    elif [ "$(id -u)" = 0 ] && command -v runuser >/dev/null; then
        runuser -u postgres -- "$@"
    elif [ "$(id -u)" = 0 ]; then
        su -s /bin/sh postgres -c "$(printf '%q ' "$@")"
    else
        say "must run as root or postgres to start PostgreSQL"
        return 1
    fi
}

pg_bin() {
    local dir
    for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
    done
    command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return 0; }
    return 1
}

start_debian_cluster() {
    [ "$PORT" = 5432 ] && command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ] || return 1
    local version
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    [ -n "$version" ] && [ -d "/etc/postgresql/$version/main" ] || return 1
    say "starting the Debian cluster $version/main"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || return 1
    wait_ready
}

start_private_cluster() {
    local bin
    bin="$(pg_bin)" || { say "no PostgreSQL binaries found (apt-get install -y postgresql)"; return 1; }
    mkdir -p "$PG_DIR"
    chown postgres: "$PG_DIR" 2>/dev/null || true
    if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
        say "initialising a cluster in $PG_DIR/data"
        as_postgres "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust >/dev/null
    fi
    say "starting PostgreSQL from $PG_DIR/data on $HOST:$PORT (log: $PG_DIR/pg.log)"
    as_postgres "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/pg.log" -w -t "$DEADLINE_SECS" start \
        -o "-c listen_addresses=$HOST -p $PORT -c unix_socket_directories=$PG_DIR" >/dev/null
    wait_ready
}

if ! ready; then
    start_debian_cluster || start_private_cluster || true
fi
if ! ready; then
    say "PostgreSQL is not answering on $HOST:$PORT after ${DEADLINE_SECS}s; see $PG_DIR/pg.log or /var/log/postgresql"
    exit 1
fi

psql_admin() { psql -X -q -U postgres -h "$HOST" -p "$PORT" -d postgres -v ON_ERROR_STOP=1 "$@"; }
exists="$(psql_admin -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" || {
    say "cannot connect as user postgres to $HOST:$PORT (trust auth expected)"
    exit 1
}
if [ "$exists" != 1 ]; then
    # A concurrent run may win the race; only fail if the database is still missing.
    psql_admin -c "CREATE DATABASE \"$DB\"" 2>/dev/null ||
        [ "$(psql_admin -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" = 1 ] || {
        say "cannot create database $DB"
        exit 1
    }
fi
say "ready: DATABASE_URL=postgres://postgres@$HOST:$PORT/$DB"
