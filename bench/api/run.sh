#!/usr/bin/env bash
# bench/api/run.sh - reads/s and writes/s of the register API per core, p50/p99, with wrk on
# loopback. The server runs pinned to one core (taskset), wrk on the other.
#   bench/api/run.sh [BUILD_DIR] [sqlite|pg|both]
# BUILD_DIR: a Release build (cmake -DCMAKE_BUILD_TYPE=Release); default build/release.
# pg needs SLUIS_TEST_PG (eval "$(scripts/pg-cluster.sh start)").
# Env: DUR (seconds per run, default 10), CONNS (default 32), THREADS (HTTP threads of the
# server; default: what `sluis serve` picks, 16 per CPU it may run on = 16 here),
# RUNS (read,write), CKPT_COMPARE (1 = also run SQLite writes with SQLite's own inline
# autocheckpoint instead of the background checkpointer, for comparison; default 1),
# PG_SOCKET (1 = also run PostgreSQL over its Unix socket instead of TCP, rows `pg-socket`).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/release}
WHICH=${2:-both}
BIN=$BUILD/src/cli/sluis
DUR=${DUR:-10}
CONNS=${CONNS:-32}
THREADS=${THREADS:-}
RUNS=${RUNS:-read,write}
CKPT_COMPARE=${CKPT_COMPARE:-1}
W=$(mktemp -d /tmp/sluis-bench.XXXXXX)
SRV_PID=""
trap '[ -n "$SRV_PID" ] && kill $SRV_PID 2>/dev/null; rm -rf "$W"' EXIT
[ -x "$BIN" ] || { echo "build first: cmake -S . -B $BUILD -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build $BUILD --target sluis" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk missing (apt-get install wrk)" >&2; exit 2; }
NCPU=$(nproc)
SRV_CPU=0; WRK_CPU=$((NCPU > 1 ? 1 : 0))

# CPU seconds the server used so far (user + system), from /proc.
cpu_s() {
    awk -v hz="$(getconf CLK_TCK)" '{printf "%.3f", ($14 + $15) / hz}' "/proc/$SRV_PID/stat"
}

# CPU seconds PostgreSQL used so far (the postmaster, every process it runs now, and the
# processes it has reaped), when PG_PID is set; else 0.
pg_cpu_s() {
    [ -n "${PG_PID:-}" ] || { echo 0; return; }
    local hz; hz=$(getconf CLK_TCK)
    { awk '{print $14 + $15 + $16 + $17}' "/proc/$PG_PID/stat"
      for c in $(pgrep -P "$PG_PID"); do awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null; done
    } | awk -v hz="$hz" '{t += $1} END {printf "%.3f", t / hz}'
}

# wrk run with the server's CPU time measured around it; prints one summary line.
# "per core" = requests / server CPU seconds: fair on a shared machine, where the
# wall-clock req/s only shows the share of a core the server got.
run() { # label out-file wrk-args...
    local label=$1 out=$2; shift 2
    local c0 c1 p0 p1; c0=$(cpu_s); p0=$(pg_cpu_s)
    taskset -c $WRK_CPU wrk "$@" >"$out"
    c1=$(cpu_s); p1=$(pg_cpu_s)
    awk -v L="$label" -v cpu="$(echo "$c1 - $c0" | bc)" -v pg="$(echo "$p1 - $p0" | bc)" '
      /requests in/ {n=$1}
      /Requests\/sec/ {rps=$2}
      /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
      /Non-2xx/ {bad=$NF}
      END {printf "%-30s %9s req/s wall  %9.0f req/s per core (cpu %ss)  p50 %8s  p99 %8s  non-2xx %s",
                  L, rps, (cpu > 0 ? n / cpu : 0), cpu, p50, p99, (bad==""?0:bad)
           if (pg > 0) printf "  | pg cpu %ss: %.0f req/s per core of sluis+pg", pg, n / (cpu + pg)
           printf "\n"}' "$out"
}

one() { # label db-url
    local be=$1 db=$2
    "$BIN" demo --db "$db" --tokens "$W/tokens.json" >/dev/null
    local tok; tok=$(sed -n 's/.*"procurement": "\(sluis_[0-9a-f]*\)".*/\1/p' "$W/tokens.json")
    taskset -c $SRV_CPU "$BIN" serve --db "$db" --listen 127.0.0.1:0 --port-file "$W/port" \
        ${THREADS:+--threads $THREADS} --no-gateway >"$W/serve.log" 2>&1 &
    SRV_PID=$!
    for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.1; done
    local port; port=$(cat "$W/port")
    local url="http://127.0.0.1:$port"
    export SLUIS_TOKEN=$tok SLUIS_CONNS=$CONNS
    taskset -c $WRK_CPU wrk -t1 -c$CONNS -d2s -s bench/api/read.lua "$url" >/dev/null # warm-up
    if [[ $RUNS == *read* ]]; then
    run "$be read (max)" "$W/r.txt" -t1 -c$CONNS -d${DUR}s --latency -s bench/api/read.lua "$url"
    local rmax; rmax=$(awk '/Requests\/sec/ {printf "%d", $2}' "$W/r.txt")
    SLUIS_RATE=$((rmax / 2)) run "$be read (half load, paced)" "$W/r2.txt" -t1 -c$CONNS \
        -d${DUR}s --latency -s bench/api/read.lua "$url"
    # half of the issue's goal (20,000 reads/s)
    SLUIS_RATE=10000 run "$be read (10,000/s, paced)" "$W/r3.txt" -t1 -c$CONNS \
        -d${DUR}s --latency -s bench/api/read.lua "$url"
    fi
    if [[ $RUNS == *write* ]]; then
    SLUIS_RUN=max run "$be write (max)" "$W/w.txt" -t1 -c$CONNS -d${DUR}s --latency \
        -s bench/api/write.lua "$url"
    local wmax; wmax=$(awk '/Requests\/sec/ {printf "%d", $2}' "$W/w.txt")
    SLUIS_RUN=half SLUIS_RATE=$((wmax / 2)) run "$be write (half load, paced)" "$W/w2.txt" -t1 \
        -c$CONNS -d${DUR}s --latency -s bench/api/write.lua "$url"
    # half of the issue's goal (2,000 writes/s): the load at which p99 must stay under 5 ms
    SLUIS_RUN=goal SLUIS_RATE=1000 run "$be write (1,000/s, paced)" "$W/w3.txt" -t1 \
        -c$CONNS -d${DUR}s --latency -s bench/api/write.lua "$url"
    fi
    kill $SRV_PID; wait $SRV_PID 2>/dev/null || true; SRV_PID=""
    rm -f "$W/port"
}

echo "sluis API bench: server pinned to cpu $SRV_CPU (${THREADS:-default: 16} HTTP threads), wrk on cpu $WRK_CPU, $CONNS connections, ${DUR}s per run"
# fdatasync latency of the disk under the bench's files right now (4 KiB overwrites): a
# durable write's latency cannot be below it, and other processes' I/O raises it.
fsync_probe() { # dir label
    command -v python3 >/dev/null || return 0
    python3 - "$1" "$2" <<'PY' || true
import os, sys, time
path = os.path.join(sys.argv[1], "fsync-probe")
fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
os.write(fd, b"x" * 65536); os.fsync(fd)
lat = []
for i in range(300):
    os.pwrite(fd, b"y" * 4096, (i % 16) * 4096)
    t = time.perf_counter(); os.fdatasync(fd); lat.append((time.perf_counter() - t) * 1000)
os.close(fd); os.unlink(path)
lat.sort()
print("fdatasync %s: p50 %.2f ms  p99 %.2f ms  max %.2f ms" % (sys.argv[2], lat[150], lat[297], lat[-1]))
PY
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
fsync_probe "$W" "($W)"
if [ "$WHICH" != pg ]; then
    one sqlite "$W/bench.db"
    if [ "$CKPT_COMPARE" = 1 ] && [[ $RUNS == *write* ]]; then
        SLUIS_SQLITE_CHECKPOINT=inline RUNS=write one "sqlite-inlineckpt" "$W/bench-inline.db"
    fi
fi
if [ "$WHICH" != sqlite ]; then
    if [ -z "${SLUIS_TEST_PG:-}" ]; then
        echo "pg: skipped (SLUIS_TEST_PG not set)"
    else
        name=sluis_bench_$$
        psql "$SLUIS_TEST_PG" -qc "CREATE DATABASE $name"
        # WAL warm-up: PostgreSQL zero-fills every new 64 MiB WAL segment inside the commit
        # that first needs it (a stall of tens of milliseconds, at 1-6 MB of WAL per second
        # once every 10-60 s) unless a checkpoint has recycled old segments for it. A
        # long-running server has; a fresh bench cluster has not, so ~300 MB of WAL are
        # written and checkpointed first. Durability settings are untouched.
        psql "$SLUIS_TEST_PG" -q \
            -c "CREATE TABLE sluis_bench_walwarm AS SELECT g, repeat('x', 900) AS pad FROM generate_series(1, 300000) g" \
            -c "DROP TABLE sluis_bench_walwarm" -c "CHECKPOINT"
        url=$(echo "$SLUIS_TEST_PG" | sed "s#/[^/]*\$#/$name#")
        # PostgreSQL's own CPU is counted too (the postmaster's pid, first line of
        # postmaster.pid in its data directory; needs the right to read it).
        PG_PID=$(head -1 "$(psql "$SLUIS_TEST_PG" -Atc 'SHOW data_directory')/postmaster.pid" \
            2>/dev/null || true)
        one pg "$url"
        if [ "${PG_SOCKET:-0}" = 1 ]; then
            # The same over PostgreSQL's Unix socket (a co-located database), for comparison.
            sock=$(psql "$SLUIS_TEST_PG" -Atc 'SHOW unix_socket_directories' | cut -d, -f1)
            port=$(psql "$SLUIS_TEST_PG" -Atc 'SHOW port')
            psql "$SLUIS_TEST_PG" -qc "DROP DATABASE $name WITH (FORCE)" -c "CREATE DATABASE $name"
            one pg-socket "postgresql://postgres@/$name?host=$sock&port=$port"
        fi
        PG_PID=""
        psql "$SLUIS_TEST_PG" -qc "DROP DATABASE $name WITH (FORCE)"
    fi
fi
fsync_probe "$W" "($W)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
