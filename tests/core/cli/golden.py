#!/usr/bin/env python3
"""golden.py - golden tests of `sluis check`: for every examples/*.yaml the verdict and the exact
set of unmet findings (rule id + severity) must equal tests/core/golden/<example>.expected
(evaluated as of 2026-01-02, after the transition period), and <example>@<date>.expected files
add the same check on another date (the transition example on 2025-12-01).

usage: golden.py SLUIS SRC_DIR            compare (exit 1 on any difference)
       golden.py SLUIS SRC_DIR --bless [STEM@DATE...]
                                          (re)write the expectations from the real engine;
                                          REVIEW them against examples/README.md afterwards.
"""
import glob
import json
import os
import subprocess
import sys

DEFAULT_DATE = "2026-01-02"


def run(sluis, src, example, date):
    policy = os.path.join(src, "policy", "standpunt-2025.yaml")
    cmd = [sluis, "check", "--format", "json", "--date", date, "--policy", policy, example]
    p = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, NO_COLOR="1"))
    if p.returncode == 2:
        raise SystemExit("%s: exit 2 (input error): %s" % (example, p.stderr.strip()))
    doc = json.loads(p.stdout)
    assert doc["sluis_check"] == 1, "sluis_check version"
    assert doc["eval_date"] == date, "eval_date %r" % doc["eval_date"]
    (res,) = doc["results"]
    verdict = res["verdict"]
    env = res["environment"]
    ok = verdict == "allowed" or (verdict == "exploration_only" and env == "exploration")
    want_exit = 0 if ok else 1
    if p.returncode != want_exit:
        raise SystemExit("%s: exit %d but verdict %s" % (example, p.returncode, verdict))
    unmet = sorted("%s %s" % (f["rule"], f["severity"])
                   for f in res["findings"] if f["status"] == "unmet")
    return ["verdict %s" % verdict] + ["unmet %s" % u for u in unmet]


def header(stem, date):
    return ("# sluis check --date %s --policy policy/standpunt-2025.yaml examples/%s.yaml\n"
            "# reviewed against examples/README.md and standpunt.md; regenerate with\n"
            "# tests/core/cli/golden.py build/x/src/cli/sluis . --bless\n" % (date, stem))


def read_expected(path):
    with open(path, encoding="utf-8") as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


def main():
    sluis, src = sys.argv[1], sys.argv[2]
    bless = len(sys.argv) > 3 and sys.argv[3] == "--bless"
    gold = os.path.join(src, "tests", "core", "golden")
    examples = sorted(glob.glob(os.path.join(src, "examples", "*.yaml")))
    if not examples:
        raise SystemExit("no examples found in %s/examples" % src)
    cases = []  # (stem, date, expected-path)
    for ex in examples:
        stem = os.path.basename(ex)[:-5]
        cases.append((stem, DEFAULT_DATE, os.path.join(gold, stem + ".expected")))
    extra = set(sys.argv[4:]) if bless else set()
    for path in glob.glob(os.path.join(gold, "*@*.expected")):
        extra.add(os.path.basename(path)[: -len(".expected")])
    for sd in sorted(extra):
        stem, date = sd.split("@")
        cases.append((stem, date, os.path.join(gold, sd + ".expected")))

    failures = 0
    for stem, date, path in cases:
        example = os.path.join(src, "examples", stem + ".yaml")
        if not os.path.exists(example):
            print("FAIL %s: example %s is gone" % (path, example))
            failures += 1
            continue
        got = run(sluis, src, example, date)
        if bless:
            review = []  # "# review:" notes are kept when re-blessing
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    review = [l for l in f if l.startswith("# review:")]
            with open(path, "w", encoding="utf-8") as f:
                f.write(header(stem, date) + "".join(review) + "\n".join(got) + "\n")
            print("blessed %s: %s" % (os.path.basename(path), got[0]))
            continue
        if not os.path.exists(path):
            print("FAIL %s: no expectation for this example (bless it, then review)" % stem)
            failures += 1
            continue
        want = read_expected(path)
        if got != want:
            print("FAIL %s @ %s" % (stem, date))
            print("  expected: %s" % "; ".join(want))
            print("  got:      %s" % "; ".join(got))
            failures += 1
        else:
            print("ok   %s @ %s: %s, %d unmet" % (stem, date, got[0], len(got) - 1))
    if failures:
        raise SystemExit("%d golden case(s) failed" % failures)


if __name__ == "__main__":
    main()
