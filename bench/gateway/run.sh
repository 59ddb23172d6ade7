#!/usr/bin/env bash
# bench/gateway/run.sh - the gateway benchmark, side by side in one run on loopback against the
# same MOCK upstream: sluis with all policy on (key, register, verdict, model/provider,
# agreement, literacy, scan of every text part, usage records in the SQLite audit chain),
# nginx proxy_pass (Debian) as the floor, and the Portkey gateway (npm @portkey-ai/gateway).
# Each proxy is pinned to CPU 0; the mock and the load generators run on the other CPUs, so
# the throughput numbers are per core. Writes a JSON-lines result file and prints a summary.
#   bench/gateway/run.sh [SECONDS per point (10)] [OUT (bench/gateway/results.jsonl)]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/../.." && pwd)
SECS=${1:-10}; OUT=${2:-$HERE/results.jsonl}
W=$(mktemp -d /tmp/sluis-bench-gw.XXXXXX)
P_MOCK=19501; P_SLUIS=19502; P_NGINX=19503; P_PORTKEY=19504
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT

# ---- tools ----
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    apt-get install -y -qq nginx-light >/dev/null 2>&1 || apt-get install -y -qq nginx >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -d "$HERE/node_modules/@portkey-ai/gateway" ] || (cd "$HERE" && npm ci --no-audit --no-fund >/dev/null)
B=$ROOT/build/bench-release
cmake -S "$ROOT" -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$B" --target sluis gw_fixture >/dev/null
cc -O2 -Wall -o "$W/loadgen" "$HERE/loadgen.c"
SLUIS=$B/src/cli/sluis
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NCPU=$(nproc); OTHER="1-$((NCPU - 1))"; [ "$NCPU" -lt 2 ] && OTHER=0

wait_port() { for _ in $(seq 1 300); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 not up"; exit 1; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

start_mock() { # args for the mock
    taskset -c "$OTHER" "$SLUIS" mock-upstream --port $P_MOCK "$@" 2>"$W/mock.log" &
    MOCK=$!; PIDS+=($MOCK); wait_port $P_MOCK
}
stop_mock() { kill "$MOCK"; wait "$MOCK" 2>/dev/null || true; }

# ---- the three proxies ----
"$ROOT/build/bench-release/tests/gateway/gw_fixture" --policy "$ROOT/policy/standpunt-2025.yaml" \
    --example "$ROOT/examples/gemeente-chatbot-open-model.yaml" \
    --base-url "http://127.0.0.1:$P_MOCK/v1" --db "$W/register.db" 2>/dev/null
taskset -c 0 "$SLUIS" gateway --port $P_SLUIS --db "$W/register.db" --date 2026-06-01 \
    --threads 1 2>"$W/sluis.log" &
SL=$!; PIDS+=($SL)
cat >"$W/nginx.conf" <<NGX
worker_processes 1;
pid $W/nginx.pid;
error_log $W/nginx-error.log;
events { worker_connections 8192; }
http {
    access_log off;
    upstream mock { server 127.0.0.1:$P_MOCK; keepalive 256; }
    server {
        listen 127.0.0.1:$P_NGINX;
        location / {
            proxy_pass http://mock;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }
    }
}
NGX
taskset -c 0 "$NGINX" -c "$W/nginx.conf" -g 'daemon off;' &
NG=$!; PIDS+=($NG)
(cd "$W" && exec taskset -c 0 node "$HERE/node_modules/@portkey-ai/gateway/build/start-server.js" \
    --port=$P_PORTKEY --headless >"$W/portkey.log" 2>&1) &
PK=$!; PIDS+=($PK)
start_mock
wait_port $P_SLUIS; wait_port $P_NGINX; wait_port $P_PORTKEY
sleep 1
PK_NODE=$PK # the subshell execs taskset, which execs node
NG_WORKER=$(pgrep -P "$NG" nginx || echo "$NG")

MSG='Kunt u mij uitleggen hoe ik een parkeervergunning aanvraag voor mijn bewonersadres in de binnenstad, en wat dat kost per jaar? Ik woon sinds kort in Utrecht.'
printf '{"model":"mock-model","messages":[{"role":"system","content":"Je bent de chatbot van de gemeente."},{"role":"user","content":"%s"}]}' "$MSG" >"$W/chat.json"
printf '{"model":"mock-model","stream":true,"messages":[{"role":"user","content":"%s"}]}' "$MSG" >"$W/stream.json"
H_SLUIS=("Authorization: Bearer sk-test-prod" "x-sluis-user: jan")
H_NGINX=("Authorization: Bearer x")
H_PORTKEY=("Authorization: Bearer x" "x-portkey-provider: openai" "x-portkey-custom-host: http://127.0.0.1:$P_MOCK/v1")

target() { # name -> "port|pid|headers..."
    case $1 in
    direct) echo "$P_MOCK|$MOCK|Authorization: Bearer x";;
    sluis) echo "$P_SLUIS|$SL|${H_SLUIS[0]}|${H_SLUIS[1]}";;
    nginx) echo "$P_NGINX|$NG_WORKER|${H_NGINX[0]}";;
    portkey) echo "$P_PORTKEY|$PK_NODE|${H_PORTKEY[0]}|${H_PORTKEY[1]}|${H_PORTKEY[2]}";;
    esac
}

# sanity: every path answers 200
for t in direct sluis nginx portkey; do
    IFS='|' read -r port pid h1 h2 h3 <<<"$(target $t)"
    args=(); for h in "$h1" "$h2" "$h3"; do [ -n "$h" ] && args+=(-H "$h"); done
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/chat/completions" \
        -H 'Content-Type: application/json' "${args[@]}" --data-binary @"$W/chat.json")
    [ "$code" = 200 ] || { echo "$t answers $code"; tail -5 "$W"/*.log; exit 1; }
done

: >"$OUT"
LOAD=$(cat /proc/loadavg)
echo "{\"kind\":\"meta\",\"date\":\"$(date -u +%FT%TZ)\",\"cpus\":$NCPU,\"loadavg_before\":\"$LOAD\",\"seconds\":$SECS}" >>"$OUT"

# 1. added latency at fixed rates (open loop, 32 connections): the proxy alone on CPU 0, the
#    load generator and the mock on the other CPU(s). Each point is preceded by a warm-up at
#    the same rate (connections, caches, the proxy's pools; not counted). sluis's own time per
#    request (x-sluis-overhead-ms of every response: policy, scan, proxying; upstream excluded)
#    is reported alongside.
WARM=${WARM:-2}
for rate in 500 1000 2000; do
    for t in direct sluis nginx portkey; do
        IFS='|' read -r port pid h1 h2 h3 <<<"$(target $t)"
        hs=(); for h in "$h1" "$h2" "$h3"; do [ -n "$h" ] && hs+=("$h"); done
        taskset -c "$OTHER" "$W/loadgen" rate 127.0.0.1 "$port" /v1/chat/completions "$W/chat.json" "$rate" "$WARM" 32 "${hs[@]}" >/dev/null
        r=$(taskset -c "$OTHER" "$W/loadgen" rate 127.0.0.1 "$port" /v1/chat/completions "$W/chat.json" "$rate" "$SECS" 32 "${hs[@]}")
        echo "{\"kind\":\"latency\",\"proxy\":\"$t\",\"result\":$r}" >>"$OUT"
    done
done

# 2. maximum requests/s on one core (closed loop, wrk), with the proxy's CPU use
cat >"$W/post.lua" <<'LUA'
wrk.method = "POST"
local f = io.open(os.getenv("BODY"), "rb"); wrk.body = f:read("*a"); f:close()
wrk.headers["Content-Type"] = "application/json"
for h in string.gmatch(os.getenv("HDRS") or "", "[^|]+") do
    local k, v = h:match("^([^:]+):%s*(.*)$"); wrk.headers[k] = v
end
LUA
maxrps() { # name body events_per_response
    IFS='|' read -r port pid h1 h2 h3 <<<"$(target "$1")"
    local c0 t0 c1 t1 out rps
    c0=$(cpu_ticks "$pid"); t0=$(date +%s.%N)
    out=$(BODY=$2 HDRS="$h1|$h2|$h3" taskset -c "$OTHER" wrk -t1 -c64 -d"${SECS}s" -s "$W/post.lua" "http://127.0.0.1:$port/v1/chat/completions")
    c1=$(cpu_ticks "$pid"); t1=$(date +%s.%N)
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}'); non2xx=${non2xx:-0}
    local cpu; cpu=$(echo "($c1 - $c0) / $(getconf CLK_TCK) / ($t1 - $t0)" | bc -l)
    echo "{\"kind\":\"$3\",\"proxy\":\"$1\",\"rps\":$rps,\"non2xx\":$non2xx,\"proxy_cpu_cores\":$(printf '%.3f' "$cpu")}" >>"$OUT"
}
for t in direct sluis nginx portkey; do maxrps $t "$W/chat.json" maxrps; done

# 3. SSE events/s on one core: 200 events per response
stop_mock; start_mock --events 200
for t in direct sluis nginx portkey; do maxrps $t "$W/stream.json" sse; done

# 4. RSS at 1,000 concurrent streams (20 ms between events, slow readers): the peak of 10
#    samples, one a second, while the streams are open
stop_mock; start_mock --events 1000 --event-us 20000
for t in sluis nginx portkey; do
    IFS='|' read -r port pid h1 h2 h3 <<<"$(target $t)"
    hs=(); for h in "$h1" "$h2" "$h3"; do [ -n "$h" ] && hs+=("$h"); done
    before=$(rss_kb "$pid")
    taskset -c "$OTHER" "$W/loadgen" hold 127.0.0.1 "$port" /v1/chat/completions "$W/stream.json" 1000 16 "${hs[@]}" >"$W/hold.json" &
    HP=$!
    # the peak while the streams are open (each lasts 20 s); sluis also says how many are open
    during=0; open=-1
    sleep 4
    for _ in $(seq 1 10); do
        r=$(rss_kb "$pid"); [ "$r" -gt "$during" ] && during=$r
        if [ "$t" = sluis ]; then
            a=$(curl -s "http://127.0.0.1:$port/metrics" | awk '$1 == "sluis_gateway_active_streams" {print $2}')
            [ -n "$a" ] && [ "$a" -gt "$open" ] && open=$a
        fi
        sleep 1
    done
    wait $HP
    echo "{\"kind\":\"rss\",\"proxy\":\"$t\",\"rss_kb_idle\":$before,\"rss_kb_1000_streams\":$during,\"open_streams\":$open,\"hold\":$(cat "$W/hold.json")}" >>"$OUT"
    sleep 2
done
echo "{\"kind\":\"meta\",\"loadavg_after\":\"$(cat /proc/loadavg)\"}" >>"$OUT"
python3 "$HERE/summarise.py" "$OUT"
