#!/usr/bin/env bash
# bench/scan/ab.sh OLD_BIN NEW_BIN FILE [N] - CPU time (user + system) of two sluis scan
# binaries on FILE, run alternately N times each (default 3), best run of each, JSON written
# to a temporary file; prints MB per CPU-second (MB/s per core) and the load average.
# Alternating runs make an A/B comparison fair on a shared machine.
set -euo pipefail
OLD=$1 NEW=$2 F=$3 N=${4:-3}
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
cpu() { # user + system seconds of one run (exit status 1 = findings, not an error)
    local t
    t=$({ /usr/bin/time -f "%U %S" "$1" --format json "$F" >"$OUT"; } 2>&1 | tail -n 1) || true
    awk '{print $1 + $2}' <<<"$t"
}
best_o=999 best_n=999
for _ in $(seq "$N"); do
    t=$(cpu "$OLD")
    best_o=$(awk -v a="$t" -v b="$best_o" 'BEGIN{print (a < b) ? a : b}')
    t=$(cpu "$NEW")
    best_n=$(awk -v a="$t" -v b="$best_n" 'BEGIN{print (a < b) ? a : b}')
done
awk -v sz="$(stat -c %s "$F")" -v o="$best_o" -v n="$best_n" -v f="$F" -v l="$(cut -d' ' -f1-3 /proc/loadavg)" \
    'BEGIN{printf "%s: old %.2f s = %.1f MB/s per core, new %.2f s = %.1f MB/s per core (load %s)\n", f, o, sz/1e6/o, n, sz/1e6/n, l}'
