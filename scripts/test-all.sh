#!/usr/bin/env bash
# Builds sluis and runs every test: a gcc build with warnings as errors, then a clang
# ASan+UBSan build with the libFuzzer targets. Starts its own throw-away PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

if [ -x scripts/pg-cluster.sh ]; then
    eval "$(scripts/pg-cluster.sh start)"
    trap 'scripts/pg-cluster.sh stop || true' EXIT
fi

GEN=""; command -v ninja >/dev/null && GEN="-G Ninja"
JOBS=$(nproc)

echo "== gcc, -Werror =="
cmake -S . -B build/gcc $GEN -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUIS_WERROR=ON >/dev/null
cmake --build build/gcc -j "$JOBS"
(cd build/gcc && ctest --output-on-failure -j "$JOBS")

echo "== clang-14, ASan+UBSan, libFuzzer =="
CC=clang-14 cmake -S . -B build/asan $GEN -DCMAKE_BUILD_TYPE=Debug -DSLUIS_WERROR=ON \
    -DSLUIS_SANITIZE=ON -DSLUIS_FUZZ=ON >/dev/null
cmake --build build/asan -j "$JOBS"
(cd build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j "$JOBS")
