#!/bin/bash
# ctest-label: reference  (runs a reference tool; the sanitizer pass of scripts/test.sh skips it)
# Differential test of `slabinfo -x` against crash 8's `kmem -s` (same columns: CACHE
# OBJSIZE ALLOCATED TOTAL SLABS SSIZE NAME) on the first dump of each kernel fixture
# scenario that crash opens (every format of a scenario holds the same memory; crash
# needs ~15 s a dump). Every cache line must be equal. A dump crash cannot open is
# reported and skipped; at least one dump must be compared.
set -euo pipefail
. "$(dirname "$0")/../fixture_lib.sh"
per_kernel "$0" "$@"  # once per kernel of the fixture matrix
FIXTURES=${KDIVE_FIXTURES:-$HOME/.cache/kdive/fixtures}
KDIVE=${KDIVE_BINARY:?set KDIVE_BINARY}
MANIFEST=$FIXTURES/manifest.json
[ -f "$MANIFEST" ] || { echo "no $MANIFEST: run scripts/fixtures/build-all.sh"; exit 1; }
command -v crash >/dev/null || { echo "crash is not installed"; exit 1; }
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
printf 'kmem -s\nquit\n' >"$TMP/cmds"

mapfile -t DUMPS < <($PY -c '
import json, sys
for d in json.load(open(sys.argv[1]))["dumps"]:
    if d["kind"] == "kernel":
        print("\t".join([d["scenario"], d["name"], d["path"], d["vmlinux"]] + d["modules"]))
' "$MANIFEST")

fail=0 compared=0 done_scenarios=" "
for line in "${DUMPS[@]}"; do
  IFS=$'\t' read -r scenario name dump vmlinux rest <<<"$line"
  [[ "$done_scenarios" == *" $scenario "* ]] && continue
  IFS=$'\t' read -r -a modules <<<"$rest"
  args=(-c "$dump" -s "$vmlinux")
  for m in "${modules[@]}"; do args+=(-s "$m"); done
  timeout 300 crash -s -i "$TMP/cmds" "$vmlinux" "$dump" >"$TMP/crash.txt" 2>&1 || true
  if ! grep -q '^CACHE ' "$TMP/crash.txt"; then
    echo "$name: crash could not run kmem -s (skipped): $(head -c 300 "$TMP/crash.txt")"
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
[ "$compared" -gt 0 ] || { echo "crash opened none of the dumps"; exit 1; }
exit $fail
