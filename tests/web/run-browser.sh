#!/usr/bin/env bash
# run-browser.sh SLUIS_BINARY - the browser test of the web UI against a live register.
# Seeds a temporary database (with `sluis demo` when it is available, otherwise through the
# REST API with the bootstrap administrator), starts `sluis serve` on a free port in
# 20000-20999, installs playwright-core + axe-core (npm ci) when node_modules is missing and
# runs browser.test.mjs with Debian's chromium. Screenshots: tests/artifacts/web/.
set -euo pipefail
SLUIS=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ART=${SLUIS_WEB_ARTIFACTS:-$ROOT/tests/artifacts/web}
CHROMIUM=${SLUIS_CHROMIUM:-/usr/bin/chromium}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sluis-web.XXXXXX")
SERVE_PID=""
cleanup() {
    if [ -n "$SERVE_PID" ] && kill -0 "$SERVE_PID" 2>/dev/null; then
        kill "$SERVE_PID" 2>/dev/null || true
        wait "$SERVE_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap "exit 143" TERM INT

die() { echo "run-browser: $*" >&2; exit 1; }
command -v node >/dev/null || die "node is missing (Debian package nodejs)"
[ -x "$CHROMIUM" ] || die "$CHROMIUM is missing (scripts/install-deps.sh installs the Debian package chromium)"
command -v curl >/dev/null || die "curl is missing"

if [ ! -d "$HERE/node_modules/playwright-core" ] || [ ! -d "$HERE/node_modules/axe-core" ]; then
    (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"
fi

rm -rf "$ART"
mkdir -p "$ART"
DB="$TMP/sluis.db"
TOKENS="$TMP/tokens.json"

# 1. Seed with `sluis demo` when it is there (it writes its users' tokens to a JSON file).
#    SLUIS_WEB_NO_DEMO=1 skips it: then the test seeds its users through the API.
DEMO=0
if [ -z "${SLUIS_WEB_NO_DEMO:-}" ] && "$SLUIS" demo --help >/dev/null 2>&1; then
    if "$SLUIS" demo --db "$DB" --tokens "$TMP/demo-tokens.json" >"$TMP/demo.log" 2>&1; then
        DEMO=1
    else
        cat "$TMP/demo.log" >&2
        die "sluis demo failed"
    fi
fi

# 2. Load an earlier policy version first, so the policy page has a difference to show: the
#    same policy with another version string in which the jurist advises on everything.
PREV_POLICY="$TMP/previous-policy.yaml"
node -e '
const fs = require("fs");
let s = fs.readFileSync(process.argv[1], "utf8");
s = s.replace(/^version: "[^"]*"/m, "version: \"2025.9-vorige\"");
s = s.replace(/(  - id: jurist\n(?:.*\n)*?    advice_required_when: )>-\n(?:      .*\n)+/, "$1use.kind != unavoidable\n");
fs.writeFileSync(process.argv[2], s);' "$ROOT/policy/standpunt-2025.yaml" "$PREV_POLICY"
grep -q '2025.9-vorige' "$PREV_POLICY" || die "cannot make the previous policy version"
"$SLUIS" serve --db "$DB" --listen 127.0.0.1:0 --port-file "$TMP/port0" --no-gateway \
    --policy "$PREV_POLICY" >"$TMP/serve-previous.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 1 100); do [ -s "$TMP/port0" ] && break; sleep 0.1; done
[ -s "$TMP/port0" ] || { cat "$TMP/serve-previous.log" >&2; die "sluis serve --policy (previous) did not start"; }
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
SERVE_PID=""

# 3. Start the register on a free port in 20000-20999.
BASE=""
for _ in $(seq 1 25); do
    PORT=$((20000 + RANDOM % 1000))
    rm -f "$TMP/port"
    "$SLUIS" serve --db "$DB" --listen "127.0.0.1:$PORT" --port-file "$TMP/port" --no-gateway \
        >"$TMP/serve.log" 2>&1 &
    SERVE_PID=$!
    for _ in $(seq 1 100); do
        [ -s "$TMP/port" ] && break
        kill -0 "$SERVE_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [ -s "$TMP/port" ] && kill -0 "$SERVE_PID" 2>/dev/null; then
        BASE="http://127.0.0.1:$PORT"
        break
    fi
    wait "$SERVE_PID" 2>/dev/null || true
    SERVE_PID=""
done
[ -n "$BASE" ] || { cat "$TMP/serve.log" >&2; die "sluis serve did not start"; }
curl -fsS "$BASE/api/v1/health" >/dev/null || die "no /api/v1/health on $BASE"

# 4. Tokens for the roles the test plays: admin, owner, ciso, fg, cio_office.
if [ "$DEMO" = 1 ]; then
    cp "$TMP/demo-tokens.json" "$TOKENS"   # {"tokens": {"owner": ..., "ciso": ..., ...}, ...}
else
    ADMIN=$(cat "$TMP/serve-previous.log" "$TMP/serve.log" | sed -n 's/.*Token ([^)]*): *\(sluis_[0-9a-f]*\).*/\1/p' | head -n1)
    [ -n "$ADMIN" ] || { cat "$TMP/serve.log" >&2; die "no bootstrap admin token in the serve output"; }
    api() { curl -fsS -X "$1" "$BASE/api/v1$2" -H "Authorization: Bearer $ADMIN" \
                 -H 'Content-Type: application/json' -d "$3"; }
    printf '{"admin": "%s"' "$ADMIN" >"$TOKENS"
    for u in "eigenaar|Eva Eigenaar|owner" "ciso|Chris de CISO|ciso" "fg|Fatima de FG|fg" \
             "cio|Carel van het CIO-office|cio_office"; do
        IFS='|' read -r id name role <<<"$u"
        api POST /users "{\"id\":\"$id\",\"name\":\"$name\",\"email\":\"$id@demo.example\",\"roles\":[\"$role\"]}" >/dev/null \
            || die "cannot create user $id"
        tok=$(api POST /tokens "{\"user_id\":\"$id\"}" | sed -n 's/.*"token": *"\(sluis_[0-9a-f]*\)".*/\1/p')
        [ -n "$tok" ] || die "no token for $id"
        printf ', "%s": "%s"' "$role" "$tok" >>"$TOKENS"
    done
    printf '}\n' >>"$TOKENS"
fi

if [ -n "${SLUIS_WEB_SERVE_ONLY:-}" ]; then
    # For working on the UI: keep the seeded register running until interrupted.
    cp "$TOKENS" "$SLUIS_WEB_SERVE_ONLY"
    echo "run-browser: serving $BASE (tokens in $SLUIS_WEB_SERVE_ONLY); Ctrl-C stops"
    wait "$SERVE_PID"
    exit 0
fi

cd "$HERE"
SLUIS_WEB_BASE="$BASE" SLUIS_WEB_TOKENS="$TOKENS" SLUIS_WEB_ARTIFACTS="$ART" SLUIS_CHROMIUM="$CHROMIUM" \
    node browser.test.mjs
