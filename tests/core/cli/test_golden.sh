#!/usr/bin/env bash
# test_golden.sh - every example's verdict and unmet finding ids equal the reviewed golden
# expectations (tests/core/golden/), including the transition example before and after 2026.
# usage: test_golden.sh SLUIS SRC_DIR
set -euo pipefail
exec python3 "$2/tests/core/cli/golden.py" "$1" "$2"
