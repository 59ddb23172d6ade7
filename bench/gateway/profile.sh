#!/usr/bin/env bash
# bench/gateway/profile.sh - instructions per request through `sluis gateway` (all policy on,
# SQLite audit chain) with callgrind: repeatable on a loaded machine, unlike wall-clock numbers.
#   bench/gateway/profile.sh [BUILD_DIR (build/bench-prof)] [N requests (1000)] [chat|stream]
# Builds BUILD_DIR as RelWithDebInfo, starts the MOCK upstream and the gateway under
# valgrind --tool=callgrind (all threads: MHD worker, curl thread, usage writer), warms up,
# zeroes the counters, sends N requests at a fixed low rate, dumps, and prints
# instructions/request and the top functions (inclusive and self). The callgrind file stays in
# the printed directory for callgrind_annotate / kcachegrind.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/../.." && pwd)
B=${1:-$ROOT/build/bench-prof}; N=${2:-1000}; KIND=${3:-chat}
W=$(mktemp -d /tmp/sluis-gw-prof.XXXXXX)
P_MOCK=19611; P_GW=19612
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
cmake -S "$ROOT" -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$B" --target sluis gw_fixture >/dev/null
cc -O2 -Wall -o "$W/loadgen" "$HERE/loadgen.c"
wait_port() { for _ in $(seq 1 600); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 not up"; exit 1; }

"$B/tests/gateway/gw_fixture" --policy "$ROOT/policy/standpunt-2025.yaml" \
    --example "$ROOT/examples/gemeente-chatbot-open-model.yaml" \
    --base-url "http://127.0.0.1:$P_MOCK/v1" --db "$W/register.db" 2>/dev/null
"$B/src/cli/sluis" mock-upstream --port $P_MOCK 2>"$W/mock.log" &
PIDS+=($!)
valgrind --tool=callgrind --callgrind-out-file="$W/callgrind.out" --separate-threads=no \
    "$B/src/cli/sluis" gateway --port $P_GW --db "$W/register.db" --date 2026-06-01 --threads 1 \
    2>"$W/gw.log" &
GW=$!; PIDS+=($GW)
wait_port $P_MOCK; wait_port $P_GW
MSG='Kunt u mij uitleggen hoe ik een parkeervergunning aanvraag voor mijn bewonersadres in de binnenstad, en wat dat kost per jaar? Ik woon sinds kort in Utrecht.'
if [ "$KIND" = stream ]; then
    printf '{"model":"mock-model","stream":true,"messages":[{"role":"user","content":"%s"}]}' "$MSG" >"$W/body.json"
else
    printf '{"model":"mock-model","messages":[{"role":"system","content":"Je bent de chatbot van de gemeente."},{"role":"user","content":"%s"}]}' "$MSG" >"$W/body.json"
fi
H=("Authorization: Bearer sk-test-prod" "x-sluis-user: jan")
# warm-up (snapshot, scratch, connection cache), then count only the measured requests
"$W/loadgen" rate 127.0.0.1 $P_GW /v1/chat/completions "$W/body.json" 50 2 8 "${H[@]}" >/dev/null
sleep 1
callgrind_control -z "$GW" >/dev/null
RATE=${RATE:-25} # valgrind runs the gateway ~50x slower: a low rate keeps every request answered
SECS=$(( N / RATE ))
"$W/loadgen" rate 127.0.0.1 $P_GW /v1/chat/completions "$W/body.json" $RATE $SECS 8 "${H[@]}" >"$W/load.json"
sleep 3 # the last responses and the usage writer's batch
callgrind_control -d "$GW" >/dev/null
sleep 1
F=$(ls -t "$W"/callgrind.out* | head -1)
SENT=$(python3 -c "import json;d=json.load(open('$W/load.json'));print(d['done'], d['non2xx'], d['errors'])")
TOTAL=$(callgrind_annotate "$F" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",","",$1); print $1}')
read -r sent non2xx errors <<<"$SENT"
echo "kind=$KIND requests=$sent (of $N sent) non2xx=$non2xx errors=$errors load=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
[ "$sent" = "$N" ] || echo "WARNING: not every request was answered in time: lower RATE (now $RATE/s)"
echo "instructions total=$TOTAL per_request=$(( TOTAL / sent ))"
echo "--- top inclusive"
callgrind_annotate --inclusive=yes --threshold=100 "$F" 2>/dev/null >"$W/incl.txt" || true
grep 'sluis\]$' "$W/incl.txt" | head -40 || true
echo "--- top self"
callgrind_annotate --inclusive=no --threshold=100 "$F" 2>/dev/null >"$W/self.txt" || true
sed -n '/file:function/,$p' "$W/self.txt" | grep -v '^$' | head -40 || true
echo "callgrind file: $F"
trap - EXIT; cleanup
