# lib.sh - helpers for the CLI tests (sourced). Each test gets SLUIS and SRC as $1 $2.
set -uo pipefail
SLUIS=$1
SRC=$2
POLICY=$SRC/policy/standpunt-2025.yaml
DATE=2026-01-02
export NO_COLOR=1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
FAILS=0

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { echo "ok   $*"; }

# expect_exit WANT DESCRIPTION CMD...: runs CMD with stdout in $TMP/out, stderr in $TMP/err
expect_exit() {
    local want=$1 what=$2 got
    shift 2
    "$@" >"$TMP/out" 2>"$TMP/err"
    got=$?
    if [ "$got" != "$want" ]; then
        fail "$what: exit $got, want $want"
        sed 's/^/    stderr: /' "$TMP/err" | head -5
    else
        ok "$what (exit $got)"
    fi
}

# expect_grep FILE PATTERN DESCRIPTION
expect_grep() {
    if grep -qE -- "$2" "$1"; then ok "$3"; else
        fail "$3: /$2/ not in $(basename "$1")"
        head -20 "$1" | sed 's/^/    /'
    fi
}

expect_no_grep() {
    if grep -qE -- "$2" "$1"; then
        fail "$3: /$2/ found in $(basename "$1")"
    else ok "$3"; fi
}

# example_with VERDICT: prints the path of an example whose golden verdict is VERDICT
example_with() {
    local f
    for f in "$SRC"/tests/core/golden/*.expected; do
        case $f in *@*) continue ;; esac
        if grep -qx "verdict $1" "$f"; then
            echo "$SRC/examples/$(basename "$f" .expected).yaml"
            return 0
        fi
    done
    return 1
}

finish() {
    if [ "$FAILS" -ne 0 ]; then
        echo "$FAILS check(s) failed"
        exit 1
    fi
    echo "all checks passed"
}
