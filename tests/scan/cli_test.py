#!/usr/bin/env python3
"""End-to-end tests of `sluis scan` (exit codes, text/JSON output, --redact, stdin, bad
input, bounded memory on a large stream). Usage: cli_test.py PATH-TO-sluis-scan"""
import json
import os
import resource
import subprocess
import sys
import tempfile

BIN = sys.argv[1]
failures = 0
passed = 0


def run(args, data=None):
    p = subprocess.run([BIN] + args, input=data, capture_output=True)
    return p.returncode, p.stdout, p.stderr


def check(name, cond, detail=""):
    global failures, passed
    if cond:
        passed += 1
        print("ok   " + name)
    else:
        failures += 1
        print("FAIL " + name + " " + str(detail)[:400])


with tempfile.TemporaryDirectory() as tmp:
    pii = os.path.join(tmp, "pii.txt")
    clean = os.path.join(tmp, "clean.txt")
    junk = os.path.join(tmp, "junk.txt")
    with open(pii, "w") as f:
        f.write("Het BSN van Jan is 111222333 en zijn IBAN NL91 ABNA 0417 1643 00.\n"
                "Bel 06-12345678. Stg. Geheim\n")
    with open(clean, "w") as f:
        f.write("De gemeenteraad vergadert op dinsdag over de begroting.\n")
    with open(junk, "wb") as f:
        f.write(b"BSN \x00111222333 \xff\xfe\xc3 en verder\x00")

    rc, out, err = run([clean])
    check("clean file exits 0", rc == 0 and out == b"", (rc, out, err))
    rc, out, err = run([pii])
    lines = out.decode().splitlines()
    check("pii file exits 1", rc == 1, (rc, err))
    check("text lines file:offset: detector (category) confidence preview",
          len(lines) == 4 and lines[0].startswith(pii + ":19: bsn (identifier) 0.95 11"),
          lines)
    check("preview never shows the whole value", b"111222333" not in out and b"NL91ABNA" not in out)
    rc, out, err = run(["--format", "json", pii, clean])
    doc = json.loads(out)
    check("json output", rc == 1 and doc["count"] == 4 and doc["errors"] is False and
          [f["detector"] for f in doc["findings"]] == ["bsn", "iban", "phone", "classification"],
          out)
    check("json finding fields", set(doc["findings"][0]) == {
        "file", "detector", "category", "offset", "length", "confidence", "preview"})
    rc, out, err = run(["--redact", pii])
    check("--redact", rc == 1 and out.decode() ==
          "Het BSN van Jan is [BSN] en zijn IBAN [IBAN].\nBel [TELEFOON]. [RUBRICERING]\n",
          out)
    rc, out, err = run(["--min-confidence", "0.99", pii])
    check("--min-confidence filters", rc == 1 and out.decode().count("\n") == 1, out)
    rc, out, err = run(["-"], data=b"KvK 12345678\n")
    check("stdin", rc == 1 and b"<stdin>:4: kvk" in out, (out, err))
    rc, out, err = run([junk])
    check("NUL and invalid UTF-8: warning, still scanned",
          rc == 1 and b"bsn" in out and b"NUL" in err and b"UTF-8" in err, (rc, out, err))
    rc, out, err = run([os.path.join(tmp, "missing.txt")])
    check("missing file exits 2", rc == 2 and b"missing.txt" in err, (rc, err))
    rc, out, err = run(["--min-confidence", "2", pii])
    check("bad option exits 2", rc == 2, rc)
    rc, out, err = run(["--format", "xml", pii])
    check("unknown format exits 2", rc == 2, rc)
    rc, out, err = run(["--help"])
    check("--help", rc == 0 and b"--redact" in out)

    # redaction of PII-dense text leaves nothing to find, one placeholder per finding
    gen = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts",
                       "gen-scan-corpus.py")
    dense = os.path.join(tmp, "dense.txt")
    subprocess.run([sys.executable, gen, "--seed", "7", "--dense-mb", "1", "--out", dense],
                   check=True)
    rc, out, err = run(["--format", "json", dense])
    count = json.loads(out)["count"]
    rc2, red, err2 = run(["--redact", dense])
    red_file = os.path.join(tmp, "dense.red")
    with open(red_file, "wb") as f:
        f.write(red)
    rc3, out3, err3 = run([red_file])
    placeholders = sum(red.count(("[" + p + "]").encode()) for p in (
        "BSN", "RSIN", "ONDERWIJSNUMMER", "BTW", "IBAN", "TELEFOON", "EMAIL", "POSTCODE",
        "GEBOORTEDATUM", "KVK", "VESTIGINGSNUMMER", "KENTEKEN", "DOCUMENTNUMMER", "RIJBEWIJS",
        "BIG", "RUBRICERING", "PRIVATE_KEY", "API_KEY", "WACHTWOORD"))
    check("redact dense text: rescan is clean, one placeholder per finding",
          rc == 1 and rc2 == 1 and rc3 == 0 and count > 10000 and placeholders == count,
          (rc, rc2, rc3, count, placeholders, out3[:300]))

    # a large stream through a pipe: bounded memory, finding at the end with the right offset
    size = int(os.environ.get("SCAN_CLI_BIG_MB", "64")) * 1024 * 1024
    line = b"Dit is een gewone zin over het beleid van de gemeente en de provincie.\n"
    p = subprocess.Popen([BIN, "--format", "json", "-"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    block = line * (1024 * 1024 // len(line))
    sent = 0
    while sent + len(block) <= size:
        p.stdin.write(block)
        sent += len(block)
    p.stdin.write(b"BSN 111222333\n")
    p.stdin.close()
    out = p.stdout.read()
    p.wait()
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    doc = json.loads(out)
    check("large stream: finding at stream offset",
          p.returncode == 1 and doc["count"] == 1 and doc["findings"][0]["offset"] == sent + 4,
          (p.returncode, out[:200]))
    check("large stream: bounded memory (max RSS %.0f MB for %d MB input)" % (
        rss_mb, size >> 20), rss_mb < 400, rss_mb)

print("%d passed, %d failed" % (passed, failures))
sys.exit(1 if failures else 0)
