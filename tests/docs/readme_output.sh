#!/usr/bin/env bash
# readme_output.sh SLUIS ROOT - keeps the README true: runs the `sluis check` command that the
# README shows (the line starting with "$ sluis check" in its first fenced block) from ROOT
# and compares the real output with the output printed below it, line for line.
set -euo pipefail
SLUIS=$(realpath "$1")
ROOT=$(realpath "$2")
README="$ROOT/README.md"
cmd=$(sed -n 's/^\$ sluis check /check /p' "$README" | head -1)
[ -n "$cmd" ] || { echo "readme_output: no '\$ sluis check' line in $README" >&2; exit 1; }
expected=$(mktemp); actual=$(mktemp)
trap 'rm -f "$expected" "$actual"' EXIT
awk '/^\$ sluis check /{f=1;next} f&&/^```$/{exit} f' "$README" > "$expected"
[ -s "$expected" ] || { echo "readme_output: no output below the command in $README" >&2; exit 1; }
# The README shows a run with unmet findings, so the command exits 1; 2 would be an input error.
rc=0
(cd "$ROOT" && eval "\"$SLUIS\" $cmd") > "$actual" || rc=$?
if [ "$rc" -ge 2 ]; then echo "readme_output: sluis $cmd exited $rc" >&2; exit 1; fi
if ! diff -u "$expected" "$actual"; then
    echo "readme_output: the README's 'sluis check' output differs from the real one (above)" >&2
    exit 1
fi
echo "readme_output: README output of 'sluis $cmd' matches ($(wc -l < "$actual") lines)"
