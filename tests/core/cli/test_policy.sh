#!/usr/bin/env bash
# test_policy.sh - `sluis policy lint` reports every error with file:line:column (exit 0/2);
# `sluis policy diff` lists the dossiers whose verdict or findings change (exit 0/1/2).
. "$(dirname "$0")/lib.sh"

expect_exit 0 "lint the shipped policy" "$SLUIS" policy lint "$POLICY"
expect_grep "$TMP/err" "ok" "clean file reported ok"

# two independent errors: an unknown top-level key and a bad severity; both must be reported
{ echo "bogus_key: 1"; sed '0,/severity: block/s//severity: blocker/' "$POLICY"; } >"$TMP/broken.yaml"
expect_exit 2 "lint a broken policy" "$SLUIS" policy lint "$TMP/broken.yaml"
n=$(grep -cE "broken.yaml:[0-9]+:[0-9]+:" "$TMP/out")
[ "$n" -ge 2 ] && ok "lint reports every error ($n) with file:line:col" ||
    { fail "lint reported $n error line(s), want >= 2"; cat "$TMP/out"; }
expect_grep "$TMP/out" "broken.yaml:1:[0-9]+:.*bogus_key" "unknown key at line 1"
expect_grep "$TMP/out" "blocker" "bad severity named"
expect_exit 2 "lint clean + broken" "$SLUIS" policy lint "$POLICY" "$TMP/broken.yaml"
expect_exit 2 "lint a missing file" "$SLUIS" policy lint "$TMP/none.yaml"
expect_grep "$TMP/out" "none.yaml" "missing file named"
expect_exit 2 "lint without files" "$SLUIS" policy lint
expect_exit 2 "unknown policy subcommand" "$SLUIS" policy frobnicate
expect_exit 2 "policy without subcommand" "$SLUIS" policy

mapfile -t EX < <(ls "$SRC"/examples/*.yaml)
expect_exit 0 "diff a policy with itself" "$SLUIS" policy diff --date $DATE "$POLICY" "$POLICY" "${EX[@]}"
expect_grep "$TMP/out" "^0 van / of ${#EX[@]} dossier" "no dossier changes"

# every block becomes a warning: each dossier that was not allowed because of a block changes
NOT=$(example_with not_allowed) || { echo "no not_allowed example"; exit 1; }
ALLOWED=$(example_with allowed) || { echo "no allowed example"; exit 1; }
sed 's/severity: block/severity: warn/' "$POLICY" >"$TMP/lenient.yaml"
expect_exit 1 "diff with a lenient policy" "$SLUIS" policy diff --date $DATE "$POLICY" "$TMP/lenient.yaml" "$NOT" "$ALLOWED"
expect_grep "$TMP/out" "$(basename "$NOT")" "the not-allowed dossier is listed"
expect_grep "$TMP/out" "NIET TOEGESTAAN / not allowed -> " "old -> new verdict shown"
expect_grep "$TMP/out" "~ [A-Z0-9a-z-]+ +unmet/block -> unmet/warn" "changed finding shown"
expect_exit 0 "lenient diff of an allowed dossier only" "$SLUIS" policy diff --date $DATE "$POLICY" "$TMP/lenient.yaml" "$ALLOWED"

expect_exit 2 "diff with too few arguments" "$SLUIS" policy diff "$POLICY" "$POLICY"
expect_exit 2 "diff with a bad date" "$SLUIS" policy diff --date 2026-02-29 "$POLICY" "$POLICY" "$NOT"
expect_exit 2 "diff with a broken policy" "$SLUIS" policy diff "$POLICY" "$TMP/broken.yaml" "$NOT"
expect_grep "$TMP/err" "broken.yaml:[0-9]+:[0-9]+:" "broken policy with file:line:col"
printf 'sluis_dossier: 1\nid: [\n' >"$TMP/bad.yaml"
expect_exit 2 "diff with a broken dossier" "$SLUIS" policy diff --date $DATE "$POLICY" "$POLICY" "$TMP/bad.yaml" "$NOT"
expect_grep "$TMP/out" "of 2 dossier" "the other dossier is still compared"
finish
