#!/usr/bin/env python3
"""Accuracy of `sluis scan` on the generated labelled corpus, per detector (issue 4).

  scan_accuracy.py --sluis PATH [--gen scripts/gen-scan-corpus.py] [--seed 42] [--items 6000]

Generates the corpus, scans all texts in one run (--format json), matches findings to
labels (same detector, overlapping bytes) and prints precision and recall per detector.
Exits 1 when a detector is below its threshold: checksum-validated identifiers need
recall >= 99.5% and precision >= 99%; the others recall >= 97% and precision >= 95%.
"""
import argparse
import bisect
import json
import os
import subprocess
import sys
import tempfile

CHECKSUM = {"bsn", "rsin", "onderwijsnummer", "btw", "iban"}
ALL = ["bsn", "rsin", "onderwijsnummer", "btw", "iban", "phone", "email", "postcode", "dob",
       "kvk", "vestigingsnummer", "kenteken", "paspoort", "rijbewijs", "big", "classification",
       "private_key", "api_key", "password"]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--sluis", required=True, help="sluis (or sluis-scan) binary")
    ap.add_argument("--gen", default=os.path.join(here, "..", "..", "scripts",
                                                  "gen-scan-corpus.py"))
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--items", type=int, default=6000)
    ap.add_argument("--show", type=int, default=5, help="errors to print per detector")
    ap.add_argument("--sep", default="\\n\\n",
                    help="separator between items (default: an empty line, one document each)")
    a = ap.parse_args()
    sep = a.sep.encode().decode("unicode_escape").encode()
    cmd_prefix = [a.sluis] if a.sluis.endswith("sluis-scan") else [a.sluis, "scan"]

    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "corpus.jsonl")
        subprocess.run([sys.executable, a.gen, "--seed", str(a.seed), "--items", str(a.items),
                        "--out", corpus], check=True)
        items = [json.loads(line) for line in open(corpus, encoding="utf-8")]
        texts = os.path.join(tmp, "texts.txt")
        starts, off = [], 0
        with open(texts, "wb") as f:
            for it in items:
                b = it["text"].encode("utf-8") + sep
                starts.append(off)
                f.write(b)
                off += len(b)
        p = subprocess.run(cmd_prefix + ["--format", "json", texts], capture_output=True)
        if p.returncode not in (0, 1):
            sys.stderr.write(p.stderr.decode())
            print("sluis scan failed with exit %d" % p.returncode)
            return 1
        findings = json.loads(p.stdout)["findings"]

    per_item = [[] for _ in items]
    for f in findings:
        i = bisect.bisect_right(starts, f["offset"]) - 1
        per_item[i].append((f["detector"], f["offset"] - starts[i],
                            f["offset"] - starts[i] + f["length"]))
    stats = {d: {"tp": 0, "fp": 0, "fn": 0, "labels": 0} for d in ALL}
    errors = {d: [] for d in ALL}
    for it, found in zip(items, per_item):
        labels = [(l["detector"], l["start"], l["end"]) for l in it["labels"]]
        for det, s, e in labels:
            stats[det]["labels"] += 1
            if any(fd == det and fs < e and s < fe for fd, fs, fe in found):
                stats[det]["tp"] += 1
            else:
                stats[det]["fn"] += 1
                errors[det].append("missed: " + it["text"])
        for fd, fs, fe in found:
            if not any(fd == det and fs < e and s < fe for det, s, e in labels):
                stats.setdefault(fd, {"tp": 0, "fp": 0, "fn": 0, "labels": 0})["fp"] += 1
                errors.setdefault(fd, []).append("false: %r in %s" % (
                    it["text"].encode()[fs:fe].decode(errors="replace"), it["text"]))

    failed = False
    print("%-17s %7s %6s %5s %5s %9s %8s  %s" % ("detector", "labels", "tp", "fp", "fn",
                                               "precision", "recall", "verdict"))
    for d in ALL:
        s = stats[d]
        prec = s["tp"] / (s["tp"] + s["fp"]) if s["tp"] + s["fp"] else 0.0
        rec = s["tp"] / s["labels"] if s["labels"] else 0.0
        pmin, rmin = (0.99, 0.995) if d in CHECKSUM else (0.95, 0.97)
        ok = s["labels"] > 0 and prec >= pmin and rec >= rmin
        failed |= not ok
        print("%-17s %7d %6d %5d %5d %8.2f%% %7.2f%%  %s" % (
            d, s["labels"], s["tp"], s["fp"], s["fn"], 100 * prec, 100 * rec,
            "ok" if ok else "BELOW (need P>=%d%% R>=%.1f%%)" % (pmin * 100, rmin * 100)))
    for d in ALL:
        for e in errors[d][:a.show]:
            print("  %s %s" % (d, e))
    print("items %d, findings %d" % (len(items), len(findings)))
    print("1 passed, 0 failed" if not failed else "0 passed, 1 failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
