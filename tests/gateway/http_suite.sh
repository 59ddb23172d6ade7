#!/usr/bin/env bash
# http_suite.sh SLUIS GW_FIXTURE - starts the MOCK upstream and a gateway node on free ports,
# runs http_suite.mjs (official openai npm package + raw HTTP), then checks after a clean
# shutdown that every request left one usage record and that the provider secret appears in
# no log and no record.
set -euo pipefail
SLUIS=$1; FIXTURE=$2
HERE=$(cd "$(dirname "$0")" && pwd); SRC=$(cd "$HERE/../.." && pwd)
W=$(mktemp -d /tmp/sluis-gw-test.XXXXXX)
MOCK_PID=""; GW_PID=""
cleanup() {
    [ -n "$GW_PID" ] && kill "$GW_PID" 2>/dev/null || true
    [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$W"
}
trap cleanup EXIT

if [ ! -d "$HERE/node_modules/openai" ]; then
    (cd "$HERE" && npm ci --no-audit --no-fund >/dev/null)
fi

wait_file() { for _ in $(seq 1 1200); do [ -s "$1" ] && return 0; sleep 0.1; done; echo "timeout waiting for $1"; return 1; }

SECRET="sk-provider-secret-$RANDOM$RANDOM"
printf '%s\n' "$SECRET" > "$W/provider.key"
"$SLUIS" mock-upstream --port 0 --port-file "$W/mock.port" 2>"$W/mock.log" &
MOCK_PID=$!
wait_file "$W/mock.port"
"$FIXTURE" --policy "$SRC/policy/standpunt-2025.yaml" --example "$SRC/examples/gemeente-chatbot-open-model.yaml" \
    --base-url "http://127.0.0.1:$(cat "$W/mock.port")/v1" --key-file "$W/provider.key" \
    --out "$W/register.json" 2>"$W/fixture.log"
node "$HERE/oidc_keys.mjs" "$W"
"$SLUIS" gateway --port 0 --port-file "$W/gw.port" --register "$W/register.json" \
    --oidc-jwks "$W/jwks.json" --oidc-issuer https://login.gemeente-test.example.nl --oidc-audience sluis-gateway \
    --policy "$SRC/policy/standpunt-2025.yaml" --date 2026-06-01 --usage-log "$W/usage.jsonl" \
    --upstream-timeout-ms 1500 --conn-timeout-s 6 --max-body 4194304 2>"$W/gw.log" &
GW_PID=$!
wait_file "$W/gw.port"

rc=0
node "$HERE/http_suite.mjs" "http://127.0.0.1:$(cat "$W/gw.port")/v1" "$W/count" "$W" || rc=1

kill -TERM "$GW_PID"; wait "$GW_PID" || { echo "gateway exited with an error"; rc=1; }
GW_PID=""
sent=$(cat "$W/count"); recorded=$(wc -l < "$W/usage.jsonl")
if [ "$sent" != "$recorded" ]; then
    echo "FAIL usage records: $sent requests sent, $recorded records written"; rc=1
else
    echo "ok   usage records: one per request ($recorded), none lost on a clean shutdown"
fi
node "$HERE/check_usage.mjs" "$W/usage.jsonl" "$W/expect-usage.json" || rc=1
if grep -q "111222333" "$W/usage.jsonl"; then
    echo "FAIL a matched value reached the usage records"; rc=1
else
    echo "ok   usage records hold detector names, not values"
fi
if grep -q "eyJ" "$W/usage.jsonl" "$W/gw.log"; then
    echo "FAIL a user token reached the usage records or the log"; rc=1
else
    echo "ok   user tokens appear in no usage record or log"
fi
if grep -rq "$SECRET" "$W/gw.log" "$W/mock.log" "$W/usage.jsonl" "$W/register.json"; then
    echo "FAIL the provider secret appears in a log, a usage record or the register"; rc=1
else
    echo "ok   the provider secret appears in no log, record or register"
fi
if [ $rc -ne 0 ]; then
    echo "--- gateway log"; tail -20 "$W/gw.log"
fi
exit $rc
