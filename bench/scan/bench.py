#!/usr/bin/env python3
"""Side-by-side scan throughput, MB per CPU-second (= MB/s per core): sluis scan, the npm
PII redactors (redact-pii, @openredaction/openredaction) and grep -P with equivalent
patterns. CPU time (user+sys of the measured process) is used, not wall time, because the
machine is shared; the load average is printed with the results.
Usage: bench.py --sluis BIN --clean FILE --dense FILE [--peer-bytes N] [--md OUT.md]"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# grep -P baseline: the same candidate patterns sluis compiles into Hyperscan (no
# validation, no context), as one alternation.
GREP_PATTERNS = [
    r"\b\d{8,12}\b", r"\b\d{4}[. -]\d{2}[. -]\d{3}\b", r"\b\d{3}[. -]\d{3}[. -]\d{3}\b",
    r"(?i:\bNL[ .]?\d{4}\.?\d{2}\.?\d{3}[ .]?B\d{2}\b)", r"(?i:\bNL\d{2}[A-Z]{4}\d{10}\b)",
    r"(?i:\bNL\d{2} [A-Z]{4} \d{4} \d{4} \d{2}\b)",
    r"\b(?:DE|BE|FR|GB|ES|IT|LU|AT|CH|IE|PT|DK|SE|NO|FI|PL)\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b",
    r"(?:\+|\b00)31[ -]?(?:\(0\)[ -]?)?[1-9](?:[ -]?\d){6,10}\b", r"\b0[1-9](?:[ -]?\d){6,10}\b",
    r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9][A-Za-z0-9-]{0,62}(?:\.[A-Za-z0-9][A-Za-z0-9-]{0,62}){0,8}\.[A-Za-z]{2,24}\b",
    r"\b[1-9]\d{3} ?[A-Z]{2}\b", r"\b\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)\d{2}\b",
    r"\b(?:19|20)\d{2}-\d{2}-\d{2}\b",
    r"(?i:\b\d{1,2} (?:jan(?:uari)?|feb(?:ruari)?|m(?:aa)?rt|apr(?:il)?|mei|juni?|juli?|aug(?:ustus)?|sep(?:t(?:ember)?)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.? (?:19|20)\d{2}\b)",
    r"\b[A-Z0-9]{1,3}-[A-Z0-9]{2,3}-[A-Z0-9]{1,3}\b", r"\b[A-NP-Z]{2}[A-NP-Z0-9]{6}\d\b",
    r"(?i:\bstg\.? ?(?:zeer geheim|geheim|confidentieel)\b)",
    r"(?i:\bdep(?:artementaal|\.)? ?vertrouwelijk\b)",
    r"(?i:\b(?:restreint ue|eu restricted|confidentiel ue|secret ue|nato (?:restricted|confidential|secret)|cosmic top secret)\b)",
    r"-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY-----",
    r"\b(?:sk-|gh[pousr]_|github_pat_|AKIA|xox[baprs]-|AIza|glpat-)[A-Za-z0-9_-]{10,}",
    r"(?i:\b(?:wachtwoord|password|passwd|pwd)\s{0,3}[:=]\s*\S+)",
]


def cpu_run(cmd, stdout=subprocess.DEVNULL):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return p, cpu, wall


def sluis(binary, path, reps):
    best, findings = None, None
    for _ in range(reps):
        out = path + ".sluis.json"
        with open(out, "wb") as f:
            p, cpu, wall = cpu_run([binary, "--format", "json", path], stdout=f)
        if p.returncode not in (0, 1):
            sys.exit("sluis failed: %s" % p.stderr.decode())
        with open(out) as f:
            findings = json.load(f)["count"]
        os.unlink(out)
        best = cpu if best is None else min(best, cpu)
    return best, findings


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sluis", required=True)
    ap.add_argument("--clean", required=True)
    ap.add_argument("--dense", required=True)
    ap.add_argument("--peer-bytes", type=int, default=2 << 20)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--md")
    a = ap.parse_args()
    empty = a.dense + ".empty"
    open(empty, "w").close()
    start = min(cpu_run([a.sluis, empty])[1] for _ in range(a.reps))
    os.unlink(empty)
    rows = []
    sizes = {k: os.path.getsize(p) for k, p in (("clean", a.clean), ("dense", a.dense))}
    res = {"sluis scan (1 thread)": {}, "grep -P (same patterns)": {}, "redact-pii": {},
           "@openredaction/openredaction": {}}
    for kind, path in (("clean", a.clean), ("dense", a.dense)):
        cpu, n = sluis(a.sluis, path, a.reps)
        res["sluis scan (1 thread)"][kind] = (sizes[kind], max(cpu - start, 1e-6), n)
        p, cpu, _ = cpu_run(["grep", "-P", "-o", "-a", "-e", "|".join(GREP_PATTERNS), path],
                            stdout=subprocess.PIPE)
        res["grep -P (same patterns)"][kind] = (sizes[kind], cpu, p.stdout.count(b"\n"))
        for peer, arg, frac in (("redact-pii", "redact-pii", 1),
                                ("@openredaction/openredaction", "openredaction", 8)):
            p = subprocess.run(["node", os.path.join(HERE, "peers.js"), os.path.abspath(path), arg,
                                str(a.peer_bytes // frac)], capture_output=True, cwd=HERE)
            if p.returncode:
                sys.exit("node %s failed: %s" % (peer, p.stderr.decode()[-2000:]))
            j = json.loads(p.stdout.decode().strip().splitlines()[-1])
            res[peer][kind] = (j["bytes"], j["cpu_s"], j["docs_changed"])
    load = os.getloadavg()
    lines = ["| tool | clean text MB/s per core | PII-dense MB/s per core | sluis is x times faster (clean / dense) |",
             "|---|---:|---:|---:|"]
    base = {k: res["sluis scan (1 thread)"][k][0] / res["sluis scan (1 thread)"][k][1] / 1e6
            for k in ("clean", "dense")}
    for tool, r in res.items():
        mbs = {k: r[k][0] / r[k][1] / 1e6 for k in ("clean", "dense")}
        ratio = "1" if tool.startswith("sluis") else "%.0fx / %.0fx" % (
            base["clean"] / mbs["clean"], base["dense"] / mbs["dense"])
        lines.append("| %s | %.1f | %.1f | %s |" % (tool, mbs["clean"], mbs["dense"], ratio))
    notes = [
        "",
        "sluis: %d MB clean (%d findings), %d MB dense (%d findings); start-up (pattern "
        "database from the cache in $XDG_CACHE_HOME/sluis, compiled on the first run only) "
        "%.3f s CPU, subtracted." % (
            sizes["clean"] >> 20, res["sluis scan (1 thread)"]["clean"][2], sizes["dense"] >> 20,
            res["sluis scan (1 thread)"]["dense"][2], start),
        "grep -P: %d / %d candidate matches (no validation)." % (
            res["grep -P (same patterns)"]["clean"][2], res["grep -P (same patterns)"]["dense"][2]),
        "npm peers: samples of %d KB (redact-pii) and %d KB (openredaction) from each file, fed "
        "as ~4 KB documents." % (res["redact-pii"]["clean"][0] >> 10,
                                  res["@openredaction/openredaction"]["clean"][0] >> 10),
        "load average during the run: %.2f %.2f %.2f on %d cores (MB/s per core = MB per "
        "CPU-second of the measured process)." % (load[0], load[1], load[2], os.cpu_count()),
    ]
    text = "\n".join(lines + notes)
    print(text)
    if a.md:
        with open(a.md, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
