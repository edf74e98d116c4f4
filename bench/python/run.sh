#!/bin/bash
# The Python API bench (bench/python/bench.py): kdive's drgn package vs drgn 0.0.22 on a
# fixture dump, interleaved, medians. Usage: bench/python/run.sh [-n RUNS] [--write] [--only W,...]
# env: KDIVE_PYTHON_BUILD_DIR = the directory of kdive's _drgn module (default build/release/python).
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/bench.py" "$@"
