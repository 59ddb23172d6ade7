#!/usr/bin/env bash
# test_formats.sh - `sluis check --format json` parses back and follows docs/check.md;
# `--format junit` is well-formed XML whose failures are exactly the unmet block/prohibit
# findings of the JSON output; XML escaping of hostile dossier text.
. "$(dirname "$0")/lib.sh"

mapfile -t EX < <(ls "$SRC"/examples/*.yaml)
[ "${#EX[@]}" -gt 0 ] || { echo "no examples"; exit 1; }

"$SLUIS" check --format json --date $DATE --policy "$POLICY" "${EX[@]}" >"$TMP/all.json" 2>"$TMP/err"
rc=$?
[ $rc -le 1 ] && ok "json run (exit $rc)" || fail "json run exit $rc: $(head -3 "$TMP/err")"
"$SLUIS" check --format junit --date $DATE --policy "$POLICY" "${EX[@]}" >"$TMP/all.xml" 2>"$TMP/err"
rc2=$?
[ $rc2 = $rc ] && ok "junit exit equals json exit" || fail "junit exit $rc2 != json exit $rc"

python3 - "$TMP/all.json" "$TMP/all.xml" "${#EX[@]}" <<'PY' && ok "json schema + junit mapping" || fail "json/junit checks"
import json, sys, xml.dom.minidom
doc = json.load(open(sys.argv[1], encoding="utf-8"))
n = int(sys.argv[3])
assert doc["sluis_check"] == 1
assert doc["eval_date"] == "2026-01-02"
assert isinstance(doc["policy_version"], str) and doc["policy_version"]
assert len(doc["results"]) == n, len(doc["results"])
want_fail = {}
for r in doc["results"]:
    assert r["file"].endswith(".yaml")
    assert r["verdict"] in ("allowed", "exploration_only", "not_allowed", "prohibited"), r["verdict"]
    assert r["environment"] in ("exploration", "pilot", "production")
    ids = [f["rule"] for f in r["findings"]]
    assert len(ids) == len(set(ids)), "duplicate rule ids"
    for f in r["findings"]:
        assert f["status"] in ("met", "unmet", "not_applicable"), f
        assert f["severity"] in ("advise", "warn", "block", "prohibit"), f
    want_fail[r["id"]] = sorted(f["rule"] for f in r["findings"]
                                if f["status"] == "unmet" and f["severity"] in ("block", "prohibit"))
    # a verdict other than allowed must be explained by at least one unmet finding
    if r["verdict"] != "allowed":
        assert any(f["status"] == "unmet" for f in r["findings"]), r["id"]
x = xml.dom.minidom.parse(sys.argv[2])
suites = x.getElementsByTagName("testsuite")
assert len(suites) == n, len(suites)
for s in suites:
    name = s.getAttribute("name")
    cases = s.getElementsByTagName("testcase")
    assert int(s.getAttribute("tests")) == len(cases)
    failed = sorted(c.getAttribute("name").split(" ")[0] for c in cases
                    if c.getElementsByTagName("failure"))
    assert failed == want_fail[name], (name, failed, want_fail[name])
    assert int(s.getAttribute("failures")) == len(failed)
print("checked", n, "dossiers")
PY
if command -v xmllint >/dev/null; then
    xmllint --noout "$TMP/all.xml" && ok "xmllint: well-formed" || fail "xmllint"
fi

# hostile text in the dossier is escaped in XML and survives JSON
ALLOWED=$(example_with allowed) || { echo "no allowed example"; exit 1; }
python3 - "$ALLOWED" "$TMP/hostile.yaml" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
hostile = 'name: "</testsuite> & \\"quoted\\" \'x\' ]]> <![CDATA[ x"\n'
open(sys.argv[2], "w", encoding="utf-8").write(re.sub(r"(?m)^name: .*\n", lambda m: hostile, text, count=1))
PY
"$SLUIS" check --format junit --date $DATE --policy "$POLICY" "$TMP/hostile.yaml" >"$TMP/h.xml" 2>"$TMP/err"
python3 -c 'import sys,xml.dom.minidom as m; d=m.parse(sys.argv[1]); p=[e for e in d.getElementsByTagName("property") if e.getAttribute("name")=="dossier_name"]; assert p and p[0].getAttribute("value").startswith("</testsuite> & \"quoted\""), p[0].getAttribute("value") if p else None' "$TMP/h.xml" \
    && ok "junit escapes markup in dossier text" || { fail "junit escaping"; cat "$TMP/err"; }
"$SLUIS" check --format json --date $DATE --policy "$POLICY" "$TMP/hostile.yaml" >"$TMP/h.json" 2>"$TMP/err"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["results"][0]["name"].startswith("</testsuite> & \"quoted\"")' "$TMP/h.json" \
    && ok "json keeps dossier text intact" || fail "json escaping"

# an input error appears in JSON as an error object and in JUnit as an <error>
printf 'sluis_dossier: 1\nid: [\n' >"$TMP/broken.yaml"
"$SLUIS" check --format json --date $DATE --policy "$POLICY" "$TMP/broken.yaml" "$ALLOWED" >"$TMP/b.json" 2>/dev/null
[ $? = 2 ] && ok "json with broken file exits 2" || fail "json with broken file exit"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); e=d["results"][0]["error"]; assert e["line"]>0 and e["message"]; assert d["results"][1]["verdict"]=="allowed"' "$TMP/b.json" \
    && ok "json error object with line" || fail "json error object"
"$SLUIS" check --format junit --date $DATE --policy "$POLICY" "$TMP/broken.yaml" >"$TMP/b.xml" 2>/dev/null
python3 -c 'import sys,xml.dom.minidom as m; d=m.parse(sys.argv[1]); assert len(d.getElementsByTagName("error"))==1' "$TMP/b.xml" \
    && ok "junit <error> for a broken file" || fail "junit error element"
finish
