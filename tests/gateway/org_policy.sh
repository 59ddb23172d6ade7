#!/usr/bin/env bash
# org_policy.sh SLUIS GW_FIXTURE [DB_URL] - the gateway judges an application by its
# organisation's policy set (base + active file + role-matrix override), like the register:
# an active organisation file with an extra block rule the application fails makes the gateway
# refuse it naming that rule; deactivated, the application passes again; an active file that
# does not load on the base refuses the organisation's applications (org_policy_unavailable);
# a rebuild for another register change reuses the organisation's unchanged set.
# SQLite by default; third argument "pg": the same on a new database of SLUIS_TEST_PG.
set -euo pipefail
SLUIS=$1; FIXTURE=$2; MODE=${3:-sqlite}; DBURL=""
if [ "$MODE" = pg ]; then
    if [ -z "${SLUIS_TEST_PG:-}" ]; then
        echo "SKIPPED: organisation policy on PostgreSQL: SLUIS_TEST_PG is not set (scripts/pg-cluster.sh start)"
        exit 77
    fi
    command -v psql >/dev/null || { echo "SKIPPED: psql not installed"; exit 77; }
    PGDB="sluis_gwop_$$_$RANDOM"
    DBURL="${SLUIS_TEST_PG%/*}/$PGDB"
    psql "$SLUIS_TEST_PG" -qc "CREATE DATABASE $PGDB" >/dev/null
fi
HERE=$(cd "$(dirname "$0")" && pwd); SRC=$(cd "$HERE/../.." && pwd)
W=$(mktemp -d /tmp/sluis-gw-orgpol.XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ -z "$DBURL" ] || psql "$SLUIS_TEST_PG" -qc "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" >/dev/null 2>&1
    rm -rf "$W"
}
trap cleanup EXIT
DB=${DBURL:-$W/register.db}
wait_file() { for _ in $(seq 1 1200); do [ -s "$1" ] && return 0; sleep 0.1; done; echo "timeout waiting for $1"; return 1; }

"$SLUIS" mock-upstream --port 0 --port-file "$W/mock.port" 2>"$W/mock.log" &
PIDS+=($!)
wait_file "$W/mock.port"
"$FIXTURE" --policy "$SRC/policy/standpunt-2025.yaml" --example "$SRC/examples/gemeente-chatbot-open-model.yaml" \
    --base-url "http://127.0.0.1:$(cat "$W/mock.port")/v1" --db "$DB" 2>"$W/fixture.log"
"$SLUIS" gateway --port 0 --port-file "$W/gw.port" --db "$DB" --node org-test \
    --policy "$SRC/policy/standpunt-2025.yaml" --date 2026-06-01 --refresh-ms 100 2>"$W/gw.log" &
PIDS+=($!)
wait_file "$W/gw.port"
GW="http://127.0.0.1:$(cat "$W/gw.port")/v1"

call() { # -> "status code rule"
    curl -s -o "$W/body" -w '%{http_code}' "$GW/chat/completions" -H 'Authorization: Bearer sk-test-pilot' \
        -H 'x-sluis-user: jan' -H 'Content-Type: application/json' \
        -d '{"model":"mock-model","messages":[{"role":"user","content":"Hallo"}]}'
    printf ' %s %s\n' "$(sed -n 's/.*"code":"\([a-z_]*\)".*/\1/p' "$W/body")" \
        "$(sed -n 's/.*"rule_id":"\([^"]*\)".*/\1/p' "$W/body")"
}
rc=0
expect() { # want description: polls up to 10 s (the refresher runs every 100 ms)
    local r=""
    for _ in $(seq 1 100); do r=$(call); [[ "$r" == $1* ]] && break; sleep 0.1; done
    if [[ "$r" == $1* ]]; then echo "ok   $2: $r"; else echo "FAIL $2: '$r', want '$1'"; cat "$W/body"; echo; rc=1; fi
}
expect "200 " "served on the base policy"
"$FIXTURE" --db "$DB" --org-policy "$HERE/orgpolicy/org-block.yaml" --org-ref org-gw@1 --org-state active
expect "403 application_not_approved ORG-GW1" "refused by the organisation's extra block rule"
# an unrelated register change rebuilds the snapshot: the organisation's unchanged set is reused
sets() { curl -s "${GW%/v1}/metrics" | awk -v r="$1" '$1 == "sluis_gateway_org_policy_sets_total{result=\""r"\"}" {print $2}'; }
loaded=$(sets loaded); reused=$(sets reused)
"$FIXTURE" --db "$DB" --revoke consumer
for _ in $(seq 1 100); do [ "$(sets reused)" -gt "$reused" ] && break; sleep 0.1; done
if [ "$(sets reused)" -gt "$reused" ] && [ "$(sets loaded)" = "$loaded" ] && [ "$loaded" -ge 1 ]; then
    echo "ok   an unchanged organisation set is reused at a rebuild, not loaded again (loaded $loaded)"
else
    echo "FAIL organisation set not reused: loaded $loaded -> $(sets loaded), reused $reused -> $(sets reused)"; rc=1
fi
expect "403 application_not_approved ORG-GW1" "still refused with the reused set"
"$FIXTURE" --db "$DB" --org-policy "$HERE/orgpolicy/org-block.yaml" --org-ref org-gw@1 --org-state inactive
expect "200 " "served again after the file is deactivated"
"$FIXTURE" --db "$DB" --org-policy "$HERE/orgpolicy/org-broken.yaml" --org-ref org-gw-broken@1 --org-state active
expect "403 org_policy_unavailable org_policy" "refused while the organisation's file does not load (fail closed)"
"$FIXTURE" --db "$DB" --org-policy "$HERE/orgpolicy/org-broken.yaml" --org-ref org-gw-broken@1 --org-state inactive
expect "200 " "served again after the broken file is deactivated"
if ! grep -q "organisation gemeente-test does not load.*SP-01a" "$W/gw.log"; then echo "FAIL the gateway log does not say why"; rc=1; else echo "ok   the gateway log names the reason"; fi
[ $rc = 0 ] || { echo "--- gateway log"; tail -20 "$W/gw.log"; }
exit $rc
