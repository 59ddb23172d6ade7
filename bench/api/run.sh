#!/usr/bin/env bash
# bench/api/run.sh - reads/s and writes/s of the register API per core, p50/p99, with wrk on
# loopback. The server runs pinned to one core (taskset), wrk on the other.
#   bench/api/run.sh [BUILD_DIR] [sqlite|pg|both]
# BUILD_DIR: a Release build (cmake -DCMAKE_BUILD_TYPE=Release); default build/release.
# pg needs SLUIS_TEST_PG (eval "$(scripts/pg-cluster.sh start)").
# Env: DUR (seconds per run, default 10), CONNS (default 32).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/release}
WHICH=${2:-both}
BIN=$BUILD/src/cli/sluis
DUR=${DUR:-10}
CONNS=${CONNS:-32}
W=$(mktemp -d /tmp/sluis-bench.XXXXXX)
SRV_PID=""
trap '[ -n "$SRV_PID" ] && kill $SRV_PID 2>/dev/null; rm -rf "$W"' EXIT
[ -x "$BIN" ] || { echo "build first: cmake -S . -B $BUILD -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build $BUILD --target sluis" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk missing (apt-get install wrk)" >&2; exit 2; }
NCPU=$(nproc)
SRV_CPU=0; WRK_CPU=$((NCPU > 1 ? 1 : 0))

summary() { # label file
    awk -v L="$1" '
      /Requests\/sec/ {rps=$2}
      /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
      /Non-2xx/ {bad=$NF}
      END {printf "%-34s %10s req/s  p50 %8s  p99 %8s  non-2xx %s\n", L, rps, p50, p99, (bad==""?0:bad)}' "$2"
}

one() { # backend db-url
    local be=$1 db=$2
    "$BIN" demo --db "$db" --tokens "$W/tokens.json" >/dev/null
    local tok; tok=$(sed -n 's/.*"procurement": "\(sluis_[0-9a-f]*\)".*/\1/p' "$W/tokens.json")
    taskset -c $SRV_CPU "$BIN" serve --db "$db" --listen 127.0.0.1:0 --port-file "$W/port" \
        --threads 1 --no-gateway >"$W/serve.log" 2>&1 &
    SRV_PID=$!
    for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.1; done
    local port; port=$(cat "$W/port")
    local url="http://127.0.0.1:$port"
    export SLUIS_TOKEN=$tok SLUIS_CONNS=$CONNS
    taskset -c $WRK_CPU wrk -t1 -c$CONNS -d2s -s bench/api/read.lua "$url" >/dev/null # warm-up
    taskset -c $WRK_CPU wrk -t1 -c$CONNS -d${DUR}s --latency -s bench/api/read.lua "$url" >"$W/r.txt"
    summary "$be read (max)" "$W/r.txt"
    local rmax; rmax=$(awk '/Requests\/sec/ {printf "%d", $2}' "$W/r.txt")
    SLUIS_RATE=$((rmax / 2)) taskset -c $WRK_CPU wrk -t1 -c$CONNS -d${DUR}s --latency \
        -s bench/api/read.lua "$url" >"$W/r2.txt"
    summary "$be read (half load, paced)" "$W/r2.txt"
    SLUIS_RUN=max taskset -c $WRK_CPU wrk -t1 -c$CONNS -d${DUR}s --latency -s bench/api/write.lua \
        "$url" >"$W/w.txt"
    summary "$be write (max)" "$W/w.txt"
    local wmax; wmax=$(awk '/Requests\/sec/ {printf "%d", $2}' "$W/w.txt")
    SLUIS_RUN=half SLUIS_RATE=$((wmax / 2)) taskset -c $WRK_CPU wrk -t1 -c$CONNS -d${DUR}s \
        --latency -s bench/api/write.lua "$url" >"$W/w2.txt"
    summary "$be write (half load, paced)" "$W/w2.txt"
    kill $SRV_PID; wait $SRV_PID 2>/dev/null || true; SRV_PID=""
    rm -f "$W/port"
}

echo "sluis API bench: server pinned to cpu $SRV_CPU (1 HTTP thread), wrk on cpu $WRK_CPU, $CONNS connections, ${DUR}s per run"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$WHICH" != pg ]; then one sqlite "$W/bench.db"; fi
if [ "$WHICH" != sqlite ]; then
    if [ -z "${SLUIS_TEST_PG:-}" ]; then
        echo "pg: skipped (SLUIS_TEST_PG not set)"
    else
        name=sluis_bench_$$
        psql "$SLUIS_TEST_PG" -qc "CREATE DATABASE $name"
        url=$(echo "$SLUIS_TEST_PG" | sed "s#/[^/]*\$#/$name#")
        one pg "$url"
        psql "$SLUIS_TEST_PG" -qc "DROP DATABASE $name WITH (FORCE)"
    fi
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
