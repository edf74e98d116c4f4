#!/bin/bash
# kdive against drgn 0.0.22 (and crash 8.0.2 where it has the command) on the same
# fixture dump in one run; prints per question the medians and the ratio kdive/peer.
#   (a) open the dump + one expression (init_task.comm), warm page cache — hyperfine;
#       kdive twice: with its DWARF index cache (the normal case from the second open of a
#       vmlinux on) and without it (KDIVE_INDEX_CACHE=off: every open indexes, as drgn does)
#   (b) 10,000 mixed type and global lookups with printing: the print/ptype/sizeof/
#       offsetof rows of tests/diff/expressions.tsv repeated to 10,000 (kdive reads them as
#       a script on stdin; drgn runs tests/diff/drgn_eval.py on the same rows)
#   (c) peak RSS of (a) — /usr/bin/time -v, median of the runs
# Usage: bench/run.sh [RUNS]   env: KDIVE_BENCH_BINARY=path skips the Release build;
# KDIVE_BENCH_DUMP=elf-paging|kdump-zlib|... (default elf-paging, oops scenario).
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
FORMAT=${KDIVE_BENCH_DUMP:-elf-paging}
read -r DUMP VMLINUX MODULES < <($PY -c '
import json, sys
m = json.load(open(sys.argv[1]))
d = next(d for d in m["dumps"] if d["kind"] == "kernel" and d.get("kernel_name") == "6.1" and d["scenario"] == "oops" and d["format"] == sys.argv[2])
print(d["path"], d["vmlinux"], " ".join(d["modules"]))' "$MANIFEST" "$FORMAT")
SARGS=(-s "$VMLINUX"); for m in $MODULES; do SARGS+=(-s "$m"); done
echo "dump: $DUMP ($FORMAT, $(($(stat -c %s "$DUMP") / 1048576)) MiB); kdive: $KDIVE"
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$DUMP" "$VMLINUX" $MODULES >/dev/null  # warm the page cache

# ---- (a) open + one expression ----
cat >"$TMP/a.py" <<PYEOF
import drgn
prog = drgn.Program()
prog.set_core_dump("$DUMP")
prog.load_debug_info(["$VMLINUX"] + "$MODULES".split())
print(prog["init_task"].comm)
PYEOF
printf 'p init_task.comm\nq\n' >"$TMP/a.crash"
KCMD="$KDIVE -c $DUMP ${SARGS[*]} -e init_task.comm"
KCOLD="env KDIVE_INDEX_CACHE=off $KCMD"
DCMD="$PY $TMP/a.py"
CCMD="crash -s $VMLINUX $DUMP -i $TMP/a.crash"
echo "kdive: $($KCMD)   drgn: $($DCMD)   crash: $(timeout 300 $CCMD </dev/null 2>&1 | grep '^\$1' || echo 'failed')"
hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$TMP/a.json" -n kdive "$KCMD" -n kdive-nocache "$KCOLD" \
  -n drgn "$DCMD" -n crash "$CCMD" >/dev/null 2>&1 || hyperfine -N --warmup 1 --runs "$RUNS" \
  --export-json "$TMP/a.json" -n kdive "$KCMD" -n kdive-nocache "$KCOLD" -n drgn "$DCMD" >/dev/null 2>&1

# ---- (b) 10,000 lookups with printing ----
$PY -c '
import sys
known = {l.strip() for l in open(sys.argv[2]) if l.strip() and not l.startswith("#")}
rows = [r for r in open(sys.argv[1]).read().splitlines()
        if r.split("\t")[0] not in known and not r.startswith("member-at")]  # drgn 0.0.22 lacks member_at_offset
out = [rows[i % len(rows)] for i in range(10000)]
open(sys.argv[3], "w").write("\n".join(out) + "\n")' "$SRC/tests/diff/expressions.tsv" \
  "$SRC/tests/diff/expressions_known_failing.txt" "$TMP/b.tsv"
cut -f1 "$TMP/b.tsv" >"$TMP/b.kdive"
cat >"$TMP/b-kdive.sh" <<SHEOF
exec $KDIVE -c $DUMP ${SARGS[*]} <$TMP/b.kdive >/dev/null 2>&1
SHEOF
cat >"$TMP/b-drgn.sh" <<SHEOF
exec $PY $SRC/tests/diff/drgn_eval.py $TMP/b.tsv --- $DUMP $VMLINUX $MODULES >/dev/null 2>&1
SHEOF
BRUNS=$(( RUNS < 5 ? RUNS : 5 ))
hyperfine -N --warmup 1 --runs "$BRUNS" --export-json "$TMP/b.json" -n kdive "bash $TMP/b-kdive.sh" \
  -n drgn "bash $TMP/b-drgn.sh" >/dev/null 2>&1

# ---- (c) peak RSS of (a) ----
rss() { for _ in $(seq 5); do /usr/bin/time -v "$@" 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p'; done | sort -n | sed -n 3p; }
KRSS=$(rss $KCMD); KCRSS=$(rss $KCOLD); DRSS=$(rss $DCMD); CRSS=$(rss $CCMD </dev/null)

$PY - "$TMP/a.json" "$TMP/b.json" "$KRSS" "$DRSS" "$CRSS" "$KCRSS" <<'PYEOF'
import json, sys
a = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
b = {r["command"]: r for r in json.load(open(sys.argv[2]))["results"]}
def line(q, res, unit="s", who="kdive"):
    k = res[who]["median"]
    peers = "   ".join("%s %.3f s (kdive/%s %.2fx)" % (p, res[p]["median"], p, k / res[p]["median"])
                       for p in ("drgn", "crash") if p in res)
    print("%-44s %s %.3f s   %s" % (q, who, k, peers))
print("question                                     medians and ratios (lower is better for kdive)")
line("(a) open + init_task.comm, warm cache", a)
line("    same, no DWARF index cache", a, who="kdive-nocache")
if "crash" not in a:
    print("    crash: failed on this dump (not timed)")
line("(b) 10,000 lookups with printing", b)
kb, db = b["kdive"]["median"], b["drgn"]["median"]
print("    throughput: kdive %.0f/s, drgn %.0f/s (kdive is %.1fx drgn's)" % (10000 / kb, 10000 / db, db / kb))
k, d, c = (int(x) if x else 0 for x in sys.argv[3:6])
print("%-44s kdive %d MiB   drgn %d MiB (kdive/drgn %.2fx)   crash %s" % (
    "(c) peak RSS of (a)", k // 1024, d // 1024, k / d, "%d MiB (kdive/crash %.2fx)" % (c // 1024, k / c) if c else "n/a"))
kc = int(sys.argv[6]) if len(sys.argv) > 6 and sys.argv[6] else 0
print("%-44s kdive %d MiB (kdive/drgn %.2fx)" % ("    same, no DWARF index cache", kc // 1024, kc / d))
PYEOF
