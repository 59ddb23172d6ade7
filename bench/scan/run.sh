#!/usr/bin/env bash
# bench/scan/run.sh - builds sluis (Release), generates the corpus and a large clean Dutch
# text, and measures sluis scan side by side with redact-pii, @openredaction/openredaction
# and grep -P. Sizes: CLEAN_MB (default 512), DENSE_MB (64), PEER_KB (2048).
set -euo pipefail
cd "$(dirname "$0")/../.."
B=build/scan-bench
GEN=""; command -v ninja >/dev/null && GEN="-G Ninja"
cmake -S . -B "$B" $GEN -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$B" --target sluis-scan >/dev/null
mkdir -p "$B/data"
[ -s "$B/data/clean.txt" ] && [ "$(stat -c %s "$B/data/clean.txt")" -ge $(( ${CLEAN_MB:-512} << 20 )) ] ||
    python3 scripts/gen-scan-corpus.py --seed 42 --clean-mb "${CLEAN_MB:-512}" --out "$B/data/clean.txt"
[ -s "$B/data/dense.txt" ] && [ "$(stat -c %s "$B/data/dense.txt")" -ge $(( ${DENSE_MB:-64} << 20 )) ] ||
    python3 scripts/gen-scan-corpus.py --seed 42 --dense-mb "${DENSE_MB:-64}" --out "$B/data/dense.txt"
if [ ! -d bench/scan/node_modules ]; then
    (cd bench/scan && npm ci --no-audit --no-fund >/dev/null)
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
python3 bench/scan/bench.py --sluis "$B/tests/scan/sluis-scan" --clean "$B/data/clean.txt" \
    --dense "$B/data/dense.txt" --peer-bytes $(( ${PEER_KB:-2048} * 1024 )) --md "$B/data/result.md"
