#!/usr/bin/env bash
# Builds bench_store against a release build of sluis_store and runs it on SQLite and, when
# $SLUIS_TEST_PG is set (eval "$(scripts/pg-cluster.sh start)"), on PostgreSQL.
#   bench/store/run.sh [seconds-per-test]
# BENCH_PACED=rate[,rate...]: instead, 16 writer threads at those total rates, latency p50/p99.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-3}
B=build/bench-store
cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$B" --target sluis_store sluis_audit sluis_core >/dev/null
# Word splitting of the pkg-config output is intended.
# shellcheck disable=SC2046
cc -O2 -std=c17 -D_GNU_SOURCE -Isrc $(pkg-config --cflags libpq) bench/store/bench_store.c \
    "$B/src/store/libsluis_store.a" "$B/src/audit/libsluis_audit.a" "$B/src/core/libsluis_core.a" \
    $(pkg-config --libs sqlite3 libpq jansson libcrypto libfyaml) -lpthread -o "$B/bench_store"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) (nproc $(nproc))"
D=$(mktemp -d)
"$B/bench_store" "$D/bench.db" "$SECS"
rm -rf "$D"
if [ -n "${SLUIS_TEST_PG:-}" ]; then
    db="sluis_bench_$$"
    psql "$SLUIS_TEST_PG" -qc "CREATE DATABASE $db" >/dev/null
    url="${SLUIS_TEST_PG%/*}/$db"
    "$B/bench_store" "$url" "$SECS" || true
    psql "$SLUIS_TEST_PG" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
