#!/usr/bin/env bash
# Throw-away PostgreSQL cluster for the tests, on 127.0.0.1:55432 (trust auth, fsync on).
#   eval "$(scripts/pg-cluster.sh start)"   # prints export lines for SLUIS_TEST_PG
#   scripts/pg-cluster.sh stop [--force]   # no-op when start reused a running cluster
# Idempotent: when a server already answers on the port, start reuses it. Installs nothing
# (scripts/install-deps.sh installs postgresql). Runs as root (through runuser postgres) or
# as an ordinary user.
set -euo pipefail
PORT=${SLUIS_PG_PORT:-55432}
STATE=${TMPDIR:-/tmp}/sluis-pg-$PORT.dir   # remembers the data dir of the cluster we started
URL="postgresql://postgres@127.0.0.1:$PORT/postgres"

pgbin() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
    done
    command -v pg_ctl >/dev/null && { dirname "$(command -v pg_ctl)"; return 0; }
    echo "pg-cluster: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
    return 1
}

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

answers() {
    "$B/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres >/dev/null 2>&1
}

B=$(pgbin)
case "${1:-}" in
start)
    REUSED=0
    if answers; then
        D=$(cat "$STATE" 2>/dev/null || true)
        REUSED=1
    else
        D=$(mktemp -d "${TMPDIR:-/tmp}/sluis-pg.XXXXXX")
        [ "$(id -u)" -eq 0 ] && chown postgres: "$D"
        # 64 MiB WAL segments and rare checkpoints: fewer segment switches and full-page
        # images in the write benchmarks (bench/api). Durability is untouched: fsync=on,
        # synchronous_commit=on (the default), full_page_writes=on (the default).
        as_pg "$B/initdb" -D "$D/data" -A trust -U postgres -E UTF8 --no-sync --wal-segsize=64 \
            >"$D/initdb.log" 2>&1 ||
            { cat "$D/initdb.log" >&2; exit 1; }
        as_pg "$B/pg_ctl" -D "$D/data" -l "$D/pg.log" -w -t 60 \
            -o "-p $PORT -k $D -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=300 -c synchronous_commit=on -c max_wal_size=4GB -c checkpoint_timeout=30min" \
            start >/dev/null || { cat "$D/pg.log" >&2; exit 1; }
        echo "$D" >"$STATE"
    fi
    echo "export SLUIS_TEST_PG=$URL"
    echo "export SLUIS_PG_CLUSTER_DIR=$D"
    echo "export SLUIS_PG_CLUSTER_REUSED=$REUSED"
    ;;
stop)
    # A run that found the cluster already up leaves it to whoever started it.
    if [ "${SLUIS_PG_CLUSTER_REUSED:-0}" = 1 ] && [ "${2:-}" != --force ]; then exit 0; fi
    D=${SLUIS_PG_CLUSTER_DIR:-$(cat "$STATE" 2>/dev/null || true)}
    if [ -n "$D" ] && [ -d "$D/data" ]; then
        as_pg "$B/pg_ctl" -D "$D/data" -m fast -w stop >/dev/null 2>&1 || true
        rm -rf "$D"
    fi
    rm -f "$STATE"
    ;;
status)
    if answers; then echo "up: $URL"; else echo "down"; exit 1; fi
    ;;
*)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
