#!/bin/bash
# `kdive layout` against `pahole -C` (dwarves 1.24) on the fixture vmlinux: the layout of
# 100 of the structs tests/diff/layout_pahole_diff.sh compares (task_struct, page, inode,
# sk_buff, request_queue, gendisk, the 60 longest, every 60th: `layout_pahole_blocks.py
# pick`), each tool in one process — kdive reads the 100
# `layout NAME` commands as a script, pahole gets them as one comma-separated -C list
# (with --skip_missing: without it pahole stops looking for the rest of the list in a CU
# as soon as one name is missing there, and reports most of them not found).
# Warm page cache; hyperfine medians; prints the ratio pahole/kdive (how many times
# faster kdive is). kdive runs twice: with its DWARF index cache (the normal case from
# the second open of a vmlinux on) and without it (KDIVE_INDEX_CACHE=off).
# Usage: bench/layout_bench.sh [RUNS]   env: KDIVE_BENCH_BINARY=path skips the Release build.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-10}
FIXTURES=${KDIVE_FIXTURES:-$HOME/.cache/kdive/fixtures}
MANIFEST=$FIXTURES/manifest.json
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [ -n "${KDIVE_BENCH_BINARY:-}" ]; then
  KDIVE=$KDIVE_BENCH_BINARY
else
  cmake -S "$SRC" -B "$SRC/build/bench" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -j2 -C "$SRC/build/bench" kdive >/dev/null
  KDIVE=$SRC/build/bench/kdive
fi
VMLINUX=$($PY -c 'import json, sys; print(json.load(open(sys.argv[1]))["kernel"]["vmlinux"])' "$MANIFEST")
cat "$VMLINUX" >/dev/null  # warm the page cache

pahole "$VMLINUX" >"$TMP/all.txt"
$PY "$SRC/tests/diff/layout_pahole_blocks.py" pick "$TMP/all.txt" >"$TMP/names.txt"
N=$(wc -l <"$TMP/names.txt")
sed 's/^/layout /' "$TMP/names.txt" >"$TMP/script.kd"
LIST=$(sed 's/^[a-z]* //' "$TMP/names.txt" | paste -sd,)
echo "vmlinux: $VMLINUX; $N structs; kdive: $KDIVE"
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# Same work: both print every struct once (pahole in its CU order).
"$KDIVE" -s "$VMLINUX" "$TMP/script.kd" >"$TMP/kdive.txt"
pahole --skip_missing -C "$LIST" "$VMLINUX" >"$TMP/pahole.txt"
echo "output: kdive $(grep -c '^}' "$TMP/kdive.txt") layouts, $(wc -c <"$TMP/kdive.txt") bytes;" \
     "pahole $(grep -c '^}' "$TMP/pahole.txt") layouts, $(wc -c <"$TMP/pahole.txt") bytes"

hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$TMP/h.json" \
  -n kdive "$KDIVE -s $VMLINUX $TMP/script.kd" \
  -n kdive-no-index-cache "env KDIVE_INDEX_CACHE=off $KDIVE -s $VMLINUX $TMP/script.kd" \
  -n pahole "pahole --skip_missing -C $LIST $VMLINUX" >/dev/null
$PY - "$TMP/h.json" <<'PYEOF'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
p = r["pahole"]
for name in ("kdive", "kdive-no-index-cache", "pahole"):
    print(f"{name:22s} median {r[name] * 1000:9.1f} ms")
for name in ("kdive", "kdive-no-index-cache"):
    print(f"ratio pahole/{name}: {p / r[name]:.1f}x")
PYEOF
