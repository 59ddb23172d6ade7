#!/usr/bin/env bash
# The main job: builds sluis (release) and checks every example dossier against the position.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
GEN=""; command -v ninja >/dev/null && GEN="-G Ninja"
cmake -S . -B build/release $GEN -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "$(nproc)"
exec build/release/src/cli/sluis check examples/*.yaml "$@"
