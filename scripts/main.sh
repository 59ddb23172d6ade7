#!/usr/bin/env bash
# The main job: builds sluis (release), seeds the demo municipality into ./sluis.db (SQLite,
# the embedded default) when that database does not exist yet, and starts the register with
# its web UI, REST API and gateway on http://127.0.0.1:8080/ (Ctrl-C stops it).
# Extra arguments go to `sluis serve` (e.g. --listen 127.0.0.1:9090).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
GEN=""; command -v ninja >/dev/null && GEN="-G Ninja"
cmake -S . -B build/release $GEN -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "$(nproc)"
SLUIS=build/release/src/cli/sluis
DB=${SLUIS_DB:-./sluis.db}
if [ ! -e "$DB" ]; then
    "$SLUIS" demo --db "$DB"
fi
echo "Web: http://127.0.0.1:8080/  (log in with a token from $DB.tokens.json)"
exec "$SLUIS" serve --db "$DB" "$@"
