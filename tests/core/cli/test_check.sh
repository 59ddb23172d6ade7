#!/usr/bin/env bash
# test_check.sh - `sluis check`: exit codes 0/1/2, usage errors, input errors reported with
# file:line:col while the other files are still checked, text output, --lang, --date, colour.
. "$(dirname "$0")/lib.sh"

ALLOWED=$(example_with allowed) || { echo "no example with golden verdict allowed"; exit 1; }
NOT=$(example_with not_allowed || example_with prohibited || example_with exploration_only) ||
    { echo "no example with a golden verdict other than allowed"; exit 1; }

# usage errors: exit 2
expect_exit 2 "no arguments" "$SLUIS" check
expect_exit 2 "unknown option" "$SLUIS" check --bogus "$ALLOWED"
expect_exit 2 "unknown format" "$SLUIS" check --format xml "$ALLOWED"
expect_exit 2 "bad language" "$SLUIS" check --lang de "$ALLOWED"
expect_exit 2 "not a calendar day" "$SLUIS" check --date 2025-02-30 "$ALLOWED"
expect_grep "$TMP/err" "2025-02-30" "bad date is named"
expect_exit 2 "date in another format" "$SLUIS" check --date 02-01-2026 "$ALLOWED"
expect_exit 2 "missing policy file" "$SLUIS" check --policy "$TMP/nope.yaml" "$ALLOWED"
expect_exit 0 "--help" "$SLUIS" check --help
expect_grep "$TMP/out" "--format" "help lists --format"

# verdicts: exit 0 only when every dossier is allowed
expect_exit 0 "allowed example" "$SLUIS" check --date $DATE --policy "$POLICY" "$ALLOWED"
expect_grep "$TMP/out" "TOEGESTAAN / allowed" "Dutch verdict label with English"
expect_grep "$TMP/out" "^Samenvatting / summary: 1 dossier\(s\): 1 toegestaan" "summary line"
expect_exit 1 "not-allowed example" "$SLUIS" check --date $DATE --policy "$POLICY" "$NOT"
expect_exit 1 "allowed + not allowed" "$SLUIS" check --date $DATE --policy "$POLICY" "$ALLOWED" "$NOT"
expect_grep "$TMP/out" "2 dossier\(s\)" "both reported"
# default policy found via the source dir / SLUIS_POLICY_DIR
expect_exit 0 "default policy" "$SLUIS" check --date $DATE "$ALLOWED"
SLUIS_POLICY_DIR=$TMP expect_exit 2 "SLUIS_POLICY_DIR without the policy" \
    "$SLUIS" check --date $DATE "$ALLOWED"
expect_grep "$TMP/err" "SLUIS_POLICY_DIR" "error names SLUIS_POLICY_DIR"
mkdir -p "$TMP/pol" && cp "$POLICY" "$TMP/pol/"
SLUIS_POLICY_DIR=$TMP/pol expect_exit 0 "SLUIS_POLICY_DIR with the policy" \
    "$SLUIS" check --date $DATE "$ALLOWED"

# --policy is repeatable: the organisation file adds a role (ethics committee for
# citizen-facing applications) whose advice the chatbot lacks
CHATBOT=$SRC/examples/gemeente-chatbot-open-model.yaml
ORG=$SRC/policy/examples/org-extra.yaml
if [ -f "$ORG" ] && grep -qx "verdict allowed" "$SRC/tests/core/golden/gemeente-chatbot-open-model.expected"; then
    expect_exit 1 "base + organisation policy" "$SLUIS" check --date $DATE --policy "$POLICY" --policy "$ORG" "$CHATBOT"
    expect_grep "$TMP/out" "standpunt-2025@[^ ]*\+org-" "both policy versions named"
    expect_grep "$TMP/out" "advies van: ethics" "the missing role is named"
fi

# the sandbox example asked as a pilot: only allowed as an exploration (examples/README.md)
SANDBOX=$SRC/examples/verkenning-sandbox-nieuw-model.yaml
if [ -f "$SANDBOX" ]; then
    sed 's/^  environment: exploration/  environment: pilot/' "$SANDBOX" >"$TMP/pilot.yaml"
    expect_exit 1 "exploration example asked as pilot" "$SLUIS" check --date $DATE --policy "$POLICY" "$TMP/pilot.yaml"
    expect_grep "$TMP/out" "oordeel / verdict: +ALLEEN VERKENNING / exploration only" "exploration-only verdict"
    "$SLUIS" check --format json --date $DATE --policy "$POLICY" "$TMP/pilot.yaml" >"$TMP/p.json"
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; assert r["verdict"]=="exploration_only" and r["environment"]=="pilot", r["verdict"]' "$TMP/p.json" \
        && ok "json verdict exploration_only" || fail "json verdict exploration_only"
fi

# input errors: exit 2, file:line:col on stderr, the other files still evaluated
printf 'sluis_dossier: 1\nid: x\nname: [unclosed\n' >"$TMP/broken.yaml"
expect_exit 2 "broken YAML among good files" "$SLUIS" check --date $DATE --policy "$POLICY" \
    "$ALLOWED" "$TMP/broken.yaml" "$NOT"
expect_grep "$TMP/err" "broken.yaml:[0-9]+:[0-9]+:" "file:line:col on stderr"
expect_grep "$TMP/out" "3 dossier\(s\): 1 toegestaan.*1 invoerfout" "other files still checked"
sed 's/^  environment: .*/  environment: staging/' "$ALLOWED" >"$TMP/badenum.yaml"
expect_exit 2 "schema error" "$SLUIS" check --date $DATE --policy "$POLICY" "$TMP/badenum.yaml"
expect_grep "$TMP/err" "badenum.yaml:[0-9]+:[0-9]+:" "schema error with file:line:col"
expect_exit 2 "missing file" "$SLUIS" check --date $DATE --policy "$POLICY" "$TMP/none.yaml" "$ALLOWED"
expect_grep "$TMP/err" "none.yaml" "missing file named"
expect_grep "$TMP/out" "1 toegestaan" "the good file is still checked"

# --lang en, --verbose, no colour when not a terminal
expect_exit 1 "--lang en" "$SLUIS" check --lang en --date $DATE --policy "$POLICY" "$NOT"
expect_grep "$TMP/out" "^Summary: 1 dossier" "English summary"
expect_no_grep "$TMP/out" "oordeel|Samenvatting" "no Dutch labels with --lang en"
expect_exit 0 "--verbose" "$SLUIS" check -v --date $DATE --policy "$POLICY" "$ALLOWED"
expect_grep "$TMP/out" "voldaan / met" "verbose lists met rules"
expect_no_grep "$TMP/out" $'\033' "no ANSI colour when stdout is not a terminal"
if command -v script >/dev/null; then
    unset NO_COLOR
    script -qec "$SLUIS check --date $DATE --policy $POLICY $ALLOWED" /dev/null >"$TMP/tty" 2>&1 </dev/null
    expect_grep "$TMP/tty" $'\033\\[' "colour on a terminal"
    NO_COLOR=1 script -qec "$SLUIS check --date $DATE --policy $POLICY $ALLOWED" /dev/null \
        >"$TMP/tty2" 2>&1 </dev/null
    expect_no_grep "$TMP/tty2" $'\033\\[' "NO_COLOR switches colour off on a terminal"
    export NO_COLOR=1
fi
finish
