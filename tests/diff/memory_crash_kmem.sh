#!/bin/bash
# ctest-label: reference  (runs a reference tool; the sanitizer pass of scripts/test.sh skips it)
# Differential test of `slabinfo -x` against crash 8's `kmem -s` (same columns: CACHE
# OBJSIZE ALLOCATED TOTAL SLABS SSIZE NAME) on the first dump of each kernel fixture
# scenario that crash opens (every format of a scenario holds the same memory; crash
# needs ~15 s a dump). Every cache line must be equal. A dump crash cannot open is
# reported and skipped with crash's own words. On every first dump of a scenario, kdive's
# line of the test module's cache must also match truth.json (cache address, object
# size, allocated = live objects): on a kernel crash cannot read at all (crash 8.0.2
# exits 1 after its banner on 7.x), that is the check that is left.
set -euo pipefail
. "$(dirname "$0")/../fixture_lib.sh"
per_kernel "$0" "$@"  # once per kernel of the fixture matrix
. "$(dirname "$0")/lib.sh"
require_tool crash "crash is not installed"
printf 'kmem -s\nquit\n' >"$TMP/cmds"

mapfile -t DUMPS < <(kernel_dumps scenario name path truth vmlinux modules)

fail=0 compared=0 done_scenarios=" " truth_scenarios=" " truth_checked=0
for line in "${DUMPS[@]}"; do
  IFS=$'\t' read -r scenario name dump truth vmlinux rest <<<"$line"
  [[ "$done_scenarios" == *" $scenario "* ]] && continue
  IFS=$'\t' read -r -a modules <<<"$rest"
  args=(-c "$dump" -s "$vmlinux")
  for m in "${modules[@]}"; do args+=(-s "$m"); done
  if [[ "$truth_scenarios" != *" $scenario "* ]]; then
    truth_scenarios+="$scenario "
    "$KDIVE" "${args[@]}" -x "slabinfo -x" >"$TMP/kdive.txt" 2>"$TMP/kdive.err" || true
    if $PY - "$name" "$truth" "$TMP/kdive.txt" <<'PYEOF'; then truth_checked=$((truth_checked + 1)); else fail=1; fi
import json, sys
name, s = sys.argv[1], json.load(open(sys.argv[2]))["slab"]
want = [s["cache"][2:].rjust(16, "0"), str(s["object_size"]), str(s["live_count"])]
rows = [l.split() for l in open(sys.argv[3]) if l.split()[-1:] == [s["cache_name"]]]
if len(rows) != 1 or rows[0][:3] != want:
    print(f"{name}: slabinfo -x line of {s['cache_name']}: want CACHE OBJSIZE ALLOCATED {want}, got {rows}")
    sys.exit(1)
print(f"{name}: {s['cache_name']} as in truth.json ({' '.join(want)})")
PYEOF
  fi
  [ -n "${crash_silent:-}" ] && continue
  rc=0; timeout 300 crash -s -i "$TMP/cmds" "$vmlinux" "$dump" >"$TMP/crash.txt" 2>&1 || rc=$?
  if [ ! -s "$TMP/crash.txt" ]; then
    # Not a format it cannot read: it reads nothing of this kernel (a minute a try).
    echo "$name: crash 8.0.2 exits $rc without a word on this kernel (skipped, and so are its other dumps)"
    crash_silent=1
    continue
  fi
  if ! grep -q '^CACHE ' "$TMP/crash.txt"; then
    why=$(grep -v '^$' "$TMP/crash.txt" | grep -iv 'warning' | head -3 | tr '\n' ' ' | head -c 300)
    echo "$name: crash 8.0.2 could not run kmem -s (skipped; exit $rc): ${why:-no output at all}"
    continue
  fi
  done_scenarios+="$scenario "
  "$KDIVE" "${args[@]}" -x "slabinfo -x" >"$TMP/kdive.txt"
  if ! $PY - "$name" "$TMP/crash.txt" "$TMP/kdive.txt" <<'PYEOF'; then
import re, sys
name = sys.argv[1]
def rows(path):
    out = {}
    for line in open(path):
        f = line.split()
        if len(f) >= 7 and re.fullmatch(r"[0-9a-f]{16}", f[0]):
            out[f[0]] = f[1:]
    return out
crash, kdive = rows(sys.argv[2]), rows(sys.argv[3])
bad = [c for c in crash if crash[c] != kdive.get(c)] + [c for c in kdive if c not in crash]
for c in bad[:20]:
    print(f"{name}: cache {c}: crash {crash.get(c)}, kdive {kdive.get(c)}")
print(f"{name}: {len(crash)} caches in crash, {len(kdive)} in kdive, {len(bad)} differences")
sys.exit(1 if bad or not crash else 0)
PYEOF
    fail=1
  fi
  compared=$((compared + 1))
done
[ "$truth_checked" -gt 0 ] || [ "$fail" -ne 0 ] || { echo "no dump checked against truth.json"; exit 1; }
[ "$compared" -gt 0 ] || echo "crash 8.0.2 opened none of this kernel's dumps: compared with truth.json only"
exit $fail
