#!/usr/bin/env bash
# bench/check/ab.sh - A/B of the check throughput against an older commit, in the same minutes:
# builds bench_check of OLD (from `git archive OLD`, Release, in a temporary directory) and of
# the work tree (build/bench-release), then runs both alternately ROUNDS times per pass and
# prints, per pass and binary, the best and the median dossiers/s per core (CPU time). The best
# run is the one least disturbed by other work on a shared machine; compare like with like.
# usage: bench/check/ab.sh [OLD=97e7af5] [ROUNDS=8] [N=20000] [DATE=2026-01-02]
set -euo pipefail
cd "$(dirname "$0")/../.."
OLD=${1:-97e7af5}
ROUNDS=${2:-8}
N=${3:-20000}
DATE=${4:-2026-01-02}
GEN=""
command -v ninja >/dev/null && GEN="-G Ninja"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git archive "$OLD" | tar -x -C "$tmp"
# shellcheck disable=SC2086 # GEN is empty or two words
cmake -S "$tmp" -B "$tmp/build" $GEN -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$tmp/build" --target bench_check >/dev/null
# shellcheck disable=SC2086
cmake -S . -B build/bench-release $GEN -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/bench-release --target bench_check >/dev/null
old_bin="$tmp/build/tests/core/bench_check"
new_bin=build/bench-release/tests/core/bench_check
echo "# $(date -u +%FT%TZ) $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# old = $OLD ($(git rev-parse --short "$OLD")), new = work tree at $(git rev-parse --short HEAD)"
echo "# $ROUNDS rounds x $N dossiers per pass and binary, alternating; eval date $DATE"
rate() {
    "$1" -n "$N" -m "$2" -d "$DATE" -p policy/standpunt-2025.yaml examples/*.yaml |
        grep -oE '[0-9]+ dossiers/s per core' | cut -d' ' -f1
}
for pass in buffer file; do
    old_runs="" new_runs=""
    for _ in $(seq "$ROUNDS"); do
        old_runs="$old_runs $(rate "$old_bin" "$pass")"
        new_runs="$new_runs $(rate "$new_bin" "$pass")"
    done
    for which in old new; do
        runs=$old_runs
        [ "$which" = new ] && runs=$new_runs
        # shellcheck disable=SC2086 # one number per word
        sorted=$(printf '%s\n' $runs | sort -n)
        best=$(printf '%s\n' "$sorted" | tail -1)
        median=$(printf '%s\n' "$sorted" | sed -n "$(((ROUNDS + 1) / 2))p")
        printf '%-6s %-4s best %6d  median %6d  dossiers/s per core\n' "$pass" "$which" "$best" "$median"
    done
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
