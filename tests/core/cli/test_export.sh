#!/usr/bin/env bash
# test_export.sh - `sluis export algoritmeregister`: writes valid publication-standard JSON
# (stdout or --out, atomically), refuses with every reason and writes nothing (exit 1),
# usage and input errors exit 2.
. "$(dirname "$0")/lib.sh"

BASE=$(ls "$SRC"/examples/*.yaml | head -1)
# with_publication SRC DEST THEME WEBSITE BEGIN: the example with its publication block replaced
with_publication() {
    python3 - "$@" <<'PY'
import re, sys
src, dest, theme, website, begin = sys.argv[1:6]
text = open(src, encoding="utf-8").read()
text = re.sub(r"(?ms)^publication:\n(?:[ #].*?\n|\n)*", "", text)
text += ("publication:\n  contact_email: algoritmes@voorbeeld.nl\n  website: %s\n"
         "  status: in_gebruik\n  begin_date: \"%s\"\n  theme: %s\n" % (website, begin, theme))
open(dest, "w", encoding="utf-8").write(text)
PY
}
with_publication "$BASE" "$TMP/good.yaml" "Organisatie en bedrijfsvoering" https://www.voorbeeld.nl/ai 2025-11
# the dossier schema accepts these, the register does not: an unknown theme, a name of 150
# characters (register: 100), a short description of 450 characters (register: 400)
with_publication "$BASE" "$TMP/bad0.yaml" "Dienstverlening" https://www.voorbeeld.nl 2025-11
python3 - "$TMP/bad0.yaml" "$TMP/bad.yaml" <<'PY'
import re, sys
t = open(sys.argv[1], encoding="utf-8").read()
t = re.sub(r"(?m)^name: .*$", "name: " + "N" * 150, t, count=1)
t = re.sub(r"(?m)^  description:.*\n(?:    .*\n)*", "", t, count=1)
t = re.sub(r"(?m)^purpose:\n", "purpose:\n  description: " + "d" * 450 + "\n", t, count=1)
open(sys.argv[2], "w", encoding="utf-8").write(t)
PY

expect_exit 0 "export to stdout" "$SLUIS" export algoritmeregister --date $DATE --policy "$POLICY" "$TMP/good.yaml"
python3 - "$TMP/out" <<'PY' && ok "stdout is a register document" || fail "register document"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
for k in ("name", "description_short", "organization", "status", "contact_email",
          "publication_category", "lang"):
    assert d.get(k), k
assert d["lang"] == "nld" and d["standard_version"] == "1.0"
assert d["status"] == "In gebruik"
assert d["begin_date"] == "2025-11"
assert d["category"] == ["Organisatie en bedrijfsvoering"]
assert d["publication_category"] in ("Hoog-risico AI-systeem", "Impactvolle algoritmes", "Overige algoritmes")
assert len(d["name"]) <= 100
PY

expect_exit 0 "export --out" "$SLUIS" export algoritmeregister --date $DATE --out "$TMP/reg.json" "$TMP/good.yaml"
[ -s "$TMP/reg.json" ] && ok "--out file written" || fail "--out file missing"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/reg.json" && ok "--out file is JSON" || fail "--out JSON"
[ -z "$(ls "$TMP" | grep '\.tmp\.')" ] && ok "no temporary file left" || fail "temporary file left"
[ ! -s "$TMP/out" ] && ok "nothing on stdout with --out" || fail "stdout not empty with --out"

echo old >"$TMP/keep.json"
expect_exit 1 "refused export" "$SLUIS" export algoritmeregister --date $DATE --out "$TMP/keep.json" "$TMP/bad.yaml"
expect_grep "$TMP/err" "category\[0\]: .*Dienstverlening" "refusal names the theme"
expect_grep "$TMP/err" "name: max 100 characters after stripping HTML \(found / gevonden: 150\)" "refusal names the long name"
expect_grep "$TMP/err" "description_short: max 400 .*450" "refusal names the long description"
expect_grep "$TMP/err" "publication.theme" "refusal names the dossier field"
[ "$(cat "$TMP/keep.json")" = old ] && ok "existing file untouched" || fail "file overwritten on refusal"
expect_exit 1 "refused export to stdout" "$SLUIS" export algoritmeregister --date $DATE "$TMP/bad.yaml"
[ ! -s "$TMP/out" ] && ok "nothing written on refusal" || fail "partial output on refusal"
expect_exit 1 "refused export, new file" "$SLUIS" export algoritmeregister --date $DATE --out "$TMP/new.json" "$TMP/bad.yaml"
[ ! -e "$TMP/new.json" ] && ok "no file created on refusal" || fail "file created on refusal"

# a high-risk example (Annex III, profiling) is published in category A
HR=$SRC/examples/uitkeringen-hoog-risico-zonder-iama.yaml
if [ -f "$HR" ]; then
    expect_exit 0 "export the high-risk example" "$SLUIS" export algoritmeregister --date $DATE "$HR"
    expect_grep "$TMP/out" '"publication_category": "Hoog-risico AI-systeem"' "high risk -> category A"
    expect_grep "$TMP/out" '"title": "DPIA"' "completed DPIA listed as impact assessment"
fi
# the register's theme list is stricter than the dossier schema: refused with the reason
expect_exit 1 "example with a theme outside the 16" "$SLUIS" export algoritmeregister --date $DATE "$TMP/bad0.yaml"

expect_exit 2 "no target" "$SLUIS" export
expect_exit 2 "unknown target" "$SLUIS" export wikipedia "$TMP/good.yaml"
expect_exit 2 "no dossier" "$SLUIS" export algoritmeregister
expect_exit 2 "two dossiers" "$SLUIS" export algoritmeregister "$TMP/good.yaml" "$TMP/good.yaml"
expect_exit 2 "bad date" "$SLUIS" export algoritmeregister --date 2026-13-01 "$TMP/good.yaml"
printf 'sluis_dossier: 1\nid: [\n' >"$TMP/broken.yaml"
expect_exit 2 "broken dossier" "$SLUIS" export algoritmeregister "$TMP/broken.yaml"
expect_grep "$TMP/err" "broken.yaml:[0-9]+:[0-9]+:" "file:line:col for a broken dossier"
expect_exit 2 "unwritable --out" "$SLUIS" export algoritmeregister --out "$TMP/no/such/dir/x.json" "$TMP/good.yaml"
expect_exit 0 "--help" "$SLUIS" export algoritmeregister --help
finish
