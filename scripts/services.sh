#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis servers for the tests (and for trying the platform on real services).
#
#   scripts/services.sh start    start both (idempotent), write .run/env, print the URLs to export
#   scripts/services.sh stop     stop what `start` started (found through the pid files), nothing else
#   scripts/services.sh status   say what runs; exit 0 only when both answer
#   scripts/services.sh stop-redis | stop-postgres | restart-postgres
#                                one service alone, for the fault tests (tests/test_faults.py); `start`
#                                brings a stopped one back
#
# Both listen on 127.0.0.1 only, on fixed non-default ports so they never meet a system server:
# FABRIQUE_PG_PORT (55433) and FABRIQUE_REDIS_PORT (63790). Data lives under .run/ (gitignored).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="${FABRIQUE_RUN_DIR:-$ROOT/.run}"
PG_PORT="${FABRIQUE_PG_PORT:-55433}"
REDIS_PORT="${FABRIQUE_REDIS_PORT:-63790}"
PG_USER=fabrique
PG_PASSWORD=fabrique
PG_DB=fabrique
ENV_FILE="$RUN_DIR/env"
REDIS_DIR="$RUN_DIR/redis"
REDIS_PID="$RUN_DIR/redis.pid"
REDIS_LOG="$RUN_DIR/redis.log"
# Where the cluster lives when PostgreSQL's own user cannot reach .run/ (see pg_data_dir).
PG_DATA_POINTER="$RUN_DIR/postgres-data-dir"

log() { printf 'services: %s\n' "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}

# PostgreSQL 15 as asked; another major version only when 15 is absent (a newer Debian).
pg_bin_dir() {
    if [[ -n "${PG_BIN:-}" ]]; then
        echo "$PG_BIN"
    elif [[ -x /usr/lib/postgresql/15/bin/pg_ctl ]]; then
        echo /usr/lib/postgresql/15/bin
    else
        local found
        found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
        [[ -n "$found" ]] || die "PostgreSQL is not installed (run scripts/install-system-deps.sh as root)."
        echo "$found"
    fi
}

# initdb and postgres refuse to run as root: as root everything runs as the `postgres` user.
as_pg() {
    if [[ "$(id -u)" -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# The cluster lives in .run/postgres, unless the `postgres` user cannot reach that folder (a clone under
# /root, mode 700) or its path is too long for a Unix socket (108 bytes): then in a folder under /tmp,
# remembered in .run/postgres-data-dir so that `stop` finds it.
pg_data_dir() {
    if [[ -f "$PG_DATA_POINTER" ]]; then
        cat "$PG_DATA_POINTER"
        return
    fi
    local dir="$RUN_DIR/postgres"
    if [[ ${#dir} -gt 80 ]] || { [[ "$(id -u)" -eq 0 ]] && ! runuser -u postgres -- test -x "$RUN_DIR"; }; then
        dir="$(mktemp -d /tmp/fabrique-postgres.XXXXXX)"
        log "the postgres user cannot use $RUN_DIR/postgres: the cluster goes to $dir"
    fi
    echo "$dir" >"$PG_DATA_POINTER"
    echo "$dir"
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

database_url() { echo "postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"; }
# Broker on Redis database 0, cache and task results on database 1: clearing the cache between tests
# (tests/conftest.py) must not wipe the broker's queues.
broker_url() { echo "redis://127.0.0.1:$REDIS_PORT/0"; }
redis_url() { echo "redis://127.0.0.1:$REDIS_PORT/1"; }

# Only a cluster that `start` created can be running (the pointer file is written by `start`).
pg_running() {
    [[ -f "$PG_DATA_POINTER" ]] || return 1
    local data
    data="$(cat "$PG_DATA_POINTER")"
    [[ -f "$data/postmaster.pid" ]] && as_pg "$(pg_bin_dir)/pg_ctl" -D "$data" status >/dev/null 2>&1
}

redis_running() {
    [[ -f "$REDIS_PID" ]] && kill -0 "$(cat "$REDIS_PID")" 2>/dev/null
}

start_postgres() {
    local bin data pg_log
    bin="$(pg_bin_dir)"
    data="$(pg_data_dir)"
    if pg_running; then
        log "PostgreSQL already running on 127.0.0.1:$PG_PORT (started earlier by this script)"
        return
    fi
    if port_in_use "$PG_PORT"; then
        die "port $PG_PORT is taken by another program: set FABRIQUE_PG_PORT to a free port."
    fi
    if [[ ! -f "$data/PG_VERSION" ]]; then
        log "creating a PostgreSQL cluster in $data"
        mkdir -p "$data"
        if [[ "$(id -u)" -eq 0 ]]; then chown postgres:postgres "$data"; fi
        chmod 700 "$data"
        # Socket logins are trusted: the socket sits in the data folder (mode 700), so only its owner
        # (and root) reach it. TCP logins need the password.
        as_pg "$bin/initdb" -D "$data" -U postgres -E UTF8 --locale=C.UTF-8 \
            --auth-local=trust --auth-host=scram-sha-256 --no-instructions >"$RUN_DIR/initdb.log" 2>&1 ||
            die "initdb failed, see $RUN_DIR/initdb.log"
    fi
    # The log sits in the data folder, which the postgres user can always write.
    pg_log="$data/server.log"
    # Durability is pointless for throwaway data: without fsync the test database is created faster.
    as_pg "$bin/pg_ctl" -D "$data" -l "$pg_log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null || die "PostgreSQL did not start, see $pg_log"
    as_pg "$bin/psql" -h "$data" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q >/dev/null <<SQL ||
DO \$\$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
        CREATE ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
    END IF;
END \$\$;
SELECT 'CREATE DATABASE $PG_DB OWNER $PG_USER' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DB')
\gexec
SQL
        die "could not create the role and database, see $pg_log"
    log "PostgreSQL running on 127.0.0.1:$PG_PORT (data in $data)"
}

start_redis() {
    if redis_running; then
        log "Redis already running on 127.0.0.1:$REDIS_PORT (started earlier by this script)"
        return
    fi
    command -v redis-server >/dev/null || die "redis-server is not installed (run scripts/install-system-deps.sh as root)."
    # redis-server --daemonize exits 0 even when the port is taken: look first.
    if port_in_use "$REDIS_PORT"; then
        die "port $REDIS_PORT is taken by another program: set FABRIQUE_REDIS_PORT to a free port."
    fi
    mkdir -p "$REDIS_DIR"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --pidfile "$REDIS_PID" \
        --dir "$REDIS_DIR" --logfile "$REDIS_LOG" --save "" --appendonly no >/dev/null
    local _
    for _ in $(seq 50); do
        if [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]] && redis_running; then
            log "Redis running on 127.0.0.1:$REDIS_PORT"
            return
        fi
        sleep 0.1
    done
    die "Redis did not answer on port $REDIS_PORT, see $REDIS_LOG"
}

stop_postgres() {
    local data
    [[ -f "$PG_DATA_POINTER" ]] || return 0
    data="$(pg_data_dir)"
    if pg_running; then
        as_pg "$(pg_bin_dir)/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null
        log "PostgreSQL stopped"
    fi
}

restart_postgres() {
    pg_running || die "PostgreSQL is not running (start it first)"
    # -m fast: the server ends every session at once, as a crash or a failover would for the clients.
    local data
    data="$(pg_data_dir)"
    # The options (port, socket folder) are those of the last start, which pg_ctl keeps in postmaster.opts.
    as_pg "$(pg_bin_dir)/pg_ctl" -D "$data" -l "$data/server.log" -m fast -w -t 60 restart >/dev/null
    log "PostgreSQL restarted"
}

stop_redis() {
    if redis_running; then
        local pid _
        pid="$(cat "$REDIS_PID")"
        kill "$pid"
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        log "Redis stopped"
    fi
    rm -f "$REDIS_PID"
}

write_env() {
    cat >"$ENV_FILE" <<ENV
DATABASE_URL=$(database_url)
CELERY_BROKER_URL=$(broker_url)
REDIS_URL=$(redis_url)
ENV
    log "environment written to ${ENV_FILE#"$ROOT"/}; to use these services:"
    sed 's/^/export /' "$ENV_FILE"
}

status() {
    local ok=0
    if pg_running; then
        log "PostgreSQL: running on 127.0.0.1:$PG_PORT"
    else
        log "PostgreSQL: stopped"
        ok=3
    fi
    if redis_running; then
        log "Redis: running on 127.0.0.1:$REDIS_PORT"
    else
        log "Redis: stopped"
        ok=3
    fi
    return "$ok"
}

mkdir -p "$RUN_DIR"
case "${1:-}" in
start)
    start_postgres
    start_redis
    write_env
    ;;
stop)
    stop_redis
    stop_postgres
    ;;
status) status ;;
stop-redis) stop_redis ;;
stop-postgres) stop_postgres ;;
restart-postgres) restart_postgres ;;
*)
    echo "usage: $0 start|stop|status|stop-redis|stop-postgres|restart-postgres" >&2
    exit 2
    ;;
esac
