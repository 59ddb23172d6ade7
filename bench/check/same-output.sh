#!/usr/bin/env bash
# bench/check/same-output.sh - checks that a performance change left `sluis check` output
# byte-identical: runs two sluis binaries (before, after) over every dossier we have (examples,
# rule cases, bad dossiers, fuzz seeds) at three dates, in text -v, json -v (nl and en) and
# junit, and compares stdout, stderr and the exit code of each run.
# usage: bench/check/same-output.sh BEFORE_SLUIS AFTER_SLUIS
set -uo pipefail
cd "$(dirname "$0")/../.."
A=$1
B=$2
files=(examples/*.yaml tests/core/rules/*.yaml tests/core/bad-dossiers/* tests/fuzz/corpus/dossier/*)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
runs=0
diffs=0
# one run per date and format over all files (the CLI reports a bad file and goes on)
for date in 2025-06-01 2026-01-02 2027-09-01; do
    for fmt in "-f text -v" "-f json -v" "-f json -v -l en" "-f junit"; do
        # shellcheck disable=SC2086
        "$A" check $fmt -d "$date" -p policy/standpunt-2025.yaml "${files[@]}" >"$tmp/a.out" 2>"$tmp/a.err"
        ra=$?
        # shellcheck disable=SC2086
        "$B" check $fmt -d "$date" -p policy/standpunt-2025.yaml "${files[@]}" >"$tmp/b.out" 2>"$tmp/b.err"
        rb=$?
        # junit carries a run time; compare without it
        sed -i -E 's/time="[0-9.]+"/time=""/g' "$tmp/a.out" "$tmp/b.out"
        runs=$((runs + 1))
        if [ $ra -ne $rb ] || ! cmp -s "$tmp/a.out" "$tmp/b.out" || ! cmp -s "$tmp/a.err" "$tmp/b.err"; then
            diffs=$((diffs + 1))
            echo "DIFF: $date $fmt (exit $ra vs $rb)"
            diff "$tmp/a.out" "$tmp/b.out" | head -5
            diff "$tmp/a.err" "$tmp/b.err" | head -5
        fi
    done
done
echo "${#files[@]} dossiers, $runs runs, $diffs differences"
[ $diffs -eq 0 ]
