#!/usr/bin/env bash
# bench/api/count.sh - system calls per durable write (POST /api/v1/providers), counted with
# strace -c on the server under a wrk write load: fdatasync per write shows how many writes
# share one fsync (group commit), sendto per write the round trips to PostgreSQL (+1 for
# the HTTP response). Counts, unlike timings, do not depend on how busy the machine is
# (strace itself slows the server down a lot: ignore its rates).
#   bench/api/count.sh [BUILD_DIR] [sqlite|pg|both]
# pg needs SLUIS_TEST_PG (eval "$(scripts/pg-cluster.sh start)"). Env: DUR (default 4),
# CONNS (default 32), THREADS (default: the serve default).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/release}
WHICH=${2:-both}
BIN=$BUILD/src/cli/sluis
DUR=${DUR:-4}
CONNS=${CONNS:-32}
THREADS=${THREADS:-}
command -v strace >/dev/null || { echo "strace missing (apt-get install strace)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk missing (apt-get install wrk)" >&2; exit 2; }
[ -x "$BIN" ] || { echo "build $BIN first" >&2; exit 2; }
W=$(mktemp -d /tmp/sluis-count.XXXXXX)
TRACE_PID=""
cleanup() {
    if [ -n "$TRACE_PID" ]; then
        kill "$(pgrep -P "$TRACE_PID" | head -1)" 2>/dev/null || true
        wait "$TRACE_PID" 2>/dev/null || true
    fi
    rm -rf "$W"
}
trap cleanup EXIT

one() { # label db-url
    local be=$1 db=$2
    "$BIN" demo --db "$db" --tokens "$W/tokens.json" >/dev/null
    local tok; tok=$(sed -n 's/.*"procurement": "\(sluis_[0-9a-f]*\)".*/\1/p' "$W/tokens.json")
    rm -f "$W/port"
    strace -f -qq -c -o "$W/strace.txt" \
        -e trace=fdatasync,fsync,sendto,recvfrom,pwrite64,pread64,futex \
        taskset -c 0 "$BIN" serve --db "$db" --listen 127.0.0.1:0 --port-file "$W/port" \
        ${THREADS:+--threads $THREADS} --no-gateway >"$W/serve.log" 2>&1 &
    TRACE_PID=$!
    for _ in $(seq 200); do [ -s "$W/port" ] && break; sleep 0.1; done
    local url; url="http://127.0.0.1:$(cat "$W/port")"
    SLUIS_TOKEN=$tok SLUIS_CONNS=$CONNS SLUIS_RUN=count taskset -c 1 wrk -t1 -c"$CONNS" \
        -d"${DUR}"s -s bench/api/write.lua "$url" >"$W/wrk.txt"
    local n; n=$(awk '/requests in/ {print $1}' "$W/wrk.txt")
    # SIGTERM to the server (strace's child); strace then writes its summary.
    kill "$(pgrep -P "$TRACE_PID" | head -1)"
    wait "$TRACE_PID" 2>/dev/null || true
    TRACE_PID=""
    awk -v L="$be" -v n="$n" '
      $NF ~ /^(fdatasync|fsync|sendto|recvfrom|pwrite64|pread64|futex)$/ && $4 + 0 > 0 {
          c[$NF] = $4 }
      END { printf "%-7s %6d writes  per write: fdatasync %5.3f  fsync %5.3f  sendto %5.2f  recvfrom %5.2f  pwrite64 %5.2f  futex %5.2f\n",
                   L, n, c["fdatasync"] / n, c["fsync"] / n, c["sendto"] / n, c["recvfrom"] / n,
                   c["pwrite64"] / n, c["futex"] / n }' "$W/strace.txt"
}

echo "sluis write syscall counts: server under strace on cpu 0 (${THREADS:-default} HTTP threads), wrk -c$CONNS on cpu 1, ${DUR}s"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$WHICH" != pg ]; then one sqlite "$W/count.db"; fi
if [ "$WHICH" != sqlite ]; then
    if [ -z "${SLUIS_TEST_PG:-}" ]; then
        echo "pg: skipped (SLUIS_TEST_PG not set)"
    else
        name=sluis_count_$$
        psql "$SLUIS_TEST_PG" -qc "CREATE DATABASE $name"
        one pg "${SLUIS_TEST_PG%/*}/$name"
        psql "$SLUIS_TEST_PG" -qc "DROP DATABASE $name WITH (FORCE)"
    fi
fi
