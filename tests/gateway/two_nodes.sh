#!/usr/bin/env bash
# two_nodes.sh SLUIS GW_FIXTURE - two gateway nodes on one PostgreSQL (SLUIS_TEST_PG): both
# serve an application; after it is revoked in the register (one transaction with NOTIFY),
# both refuse it within one second (their snapshot TTL is set far longer, so only NOTIFY can
# do it). Usage records of both nodes land in the one hash-chained audit log, which verifies.
# Node a also accepts user tokens (X-Sluis-User-Token): their subjects map to the register's
# users as read from the database.
set -euo pipefail
SLUIS=$1; FIXTURE=$2
HERE=$(cd "$(dirname "$0")" && pwd); SRC=$(cd "$HERE/../.." && pwd)
if [ -z "${SLUIS_TEST_PG:-}" ]; then
    echo "SKIPPED: two gateway nodes on PostgreSQL: SLUIS_TEST_PG is not set (scripts/pg-cluster.sh start)"
    exit 77
fi
command -v psql >/dev/null || { echo "SKIPPED: psql not installed"; exit 77; }
W=$(mktemp -d /tmp/sluis-gw-pg.XXXXXX)
DB="sluis_gw_$$_$RANDOM"
BASE=${SLUIS_TEST_PG%/*}
URL="$BASE/$DB"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    psql "$SLUIS_TEST_PG" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$W"
}
trap cleanup EXIT
psql "$SLUIS_TEST_PG" -qc "CREATE DATABASE $DB" >/dev/null

wait_file() { for _ in $(seq 1 1200); do [ -s "$1" ] && return 0; sleep 0.1; done; echo "timeout waiting for $1"; return 1; }

"$SLUIS" mock-upstream --port 0 --port-file "$W/mock.port" 2>"$W/mock.log" &
PIDS+=($!)
wait_file "$W/mock.port"
"$FIXTURE" --policy "$SRC/policy/standpunt-2025.yaml" --example "$SRC/examples/gemeente-chatbot-open-model.yaml" \
    --base-url "http://127.0.0.1:$(cat "$W/mock.port")/v1" --db "$URL" 2>"$W/fixture.log"
node "$HERE/oidc_keys.mjs" "$W"
for n in a b; do
    oidc=()
    [ $n = a ] && oidc=(--oidc-jwks "$W/jwks.json" --oidc-issuer https://login.gemeente-test.example.nl --oidc-audience sluis-gateway)
    "$SLUIS" gateway --port 0 --port-file "$W/$n.port" --db "$URL" --node "node-$n" \
        --policy "$SRC/policy/standpunt-2025.yaml" --date 2026-06-01 --refresh-ms 600000 \
        --max-stale-ms 3600000 "${oidc[@]}" 2>"$W/$n.log" &
    PIDS+=($!)
done
wait_file "$W/a.port"; wait_file "$W/b.port"
A="http://127.0.0.1:$(cat "$W/a.port")/v1"; B="http://127.0.0.1:$(cat "$W/b.port")/v1"

call() { # url -> "status code"
    curl -s -o "$W/body" -w '%{http_code}' "$1/chat/completions" -H 'Authorization: Bearer sk-test-pilot' \
        -H 'x-sluis-user: jan' -H 'Content-Type: application/json' \
        -d '{"model":"mock-model","messages":[{"role":"user","content":"Hallo"}]}'
    printf ' %s\n' "$(sed -n 's/.*"code":"\([a-z_]*\)".*/\1/p' "$W/body")"
}
rc=0
token_call() { # subject -> "status code" (production application: literacy bekwaam required)
    curl -s -o "$W/body" -w '%{http_code}' "$A/chat/completions" -H 'Authorization: Bearer sk-test-prod' \
        -H "X-Sluis-User-Token: $(node "$HERE/oidc_token.mjs" "$W" "$1")" -H 'Content-Type: application/json' \
        -d '{"model":"mock-model","messages":[{"role":"user","content":"Hallo"}]}'
    printf ' %s\n' "$(sed -n 's/.*"code":"\([a-z_]*\)".*/\1/p' "$W/body")"
}
for x in "oidc-sub-jan|200 " "oidc-sub-piet|403 literacy_required" "oidc-sub-nobody|401 user_token_invalid"; do
    sub=${x%%|*}; want=${x#*|}
    r=$(token_call "$sub")
    if [ "$r" = "$want" ]; then echo "ok   user token of $sub (users from the database): $r"
    else echo "FAIL user token of $sub: '$r', want '$want'"; rc=1; fi
done
for u in "$A" "$B"; do
    r=$(call "$u")
    case "$r" in 200*) echo "ok   served before revocation by $u";; *) echo "FAIL before revocation $u: $r"; rc=1;; esac
done

"$FIXTURE" --db "$URL" --revoke pilot
t0=$(date +%s%N)
seen_a=0; seen_b=0
while :; do
    now=$(date +%s%N); el=$(( (now - t0) / 1000000 ))
    [ $seen_a = 0 ] && [ "$(call "$A")" = "403 application_revoked" ] && seen_a=$el
    [ $seen_b = 0 ] && [ "$(call "$B")" = "403 application_revoked" ] && seen_b=$el
    if [ $seen_a != 0 ] && [ $seen_b != 0 ]; then break; fi
    if [ $el -gt 5000 ]; then break; fi
done
for x in "a $seen_a" "b $seen_b"; do
    set -- $x
    if [ "$2" != 0 ] && [ "$2" -le 1000 ]; then
        echo "ok   node $1 refuses the revoked application (seen after ${2} ms)"
    else
        echo "FAIL node $1 did not refuse within one second (${2} ms; 0 = never)"; rc=1
    fi
done

# clean shutdown of both nodes: their usage records are in the one audit chain
for i in 1 2; do kill -TERM "${PIDS[$i]}"; wait "${PIDS[$i]}" || rc=1; done
n=$(psql "$URL" -Atc "select count(*) from audit_log where action = 'usage'")
nodes=$(psql "$URL" -Atc "select count(distinct detail::json->>'node') from audit_log where action = 'usage'")
if [ "$n" -ge 4 ] && [ "$nodes" = 2 ]; then
    echo "ok   usage records of both nodes in the audit log ($n)"
else
    echo "FAIL usage records in the audit log: $n from $nodes nodes"; rc=1
fi
if "$SLUIS" audit verify --db "$URL" >"$W/verify.log" 2>&1; then
    echo "ok   the audit chain verifies"
else
    echo "FAIL the audit chain does not verify"; cat "$W/verify.log"; rc=1
fi
[ $rc = 0 ] || { echo "--- node a"; tail -5 "$W/a.log"; echo "--- node b"; tail -5 "$W/b.log"; }
exit $rc
