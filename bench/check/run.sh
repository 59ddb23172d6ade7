#!/usr/bin/env bash
# bench/check/run.sh - builds sluis in Release and runs the check throughput bench:
# 100,000 dossiers (the examples, cycled) loaded + validated + evaluated in one process,
# from memory buffers and from files, plus evaluation alone. Results: docs/bench-check.md.
# usage: bench/check/run.sh [N] [DATE]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-100000}
DATE=${2:-2026-01-02}
GEN=""; command -v ninja >/dev/null && GEN="-G Ninja"
cmake -S . -B build/bench-release $GEN -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/bench-release --target bench_check >/dev/null
echo "# $(date -u +%FT%TZ) $(uname -m) $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
build/bench-release/tests/core/bench_check -n "$N" -d "$DATE" \
    -p policy/standpunt-2025.yaml examples/*.yaml
