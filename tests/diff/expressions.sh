#!/bin/bash
# ctest-label: reference  (runs a reference tool; the sanitizer pass of scripts/test.sh skips it)
# Differential battery (tests/diff/expressions.tsv, made by gen_expressions.py): every row
# is a kdive command and the drgn expression whose str() must print the same bytes.
# - Every kernel dump drgn 0.0.22 opens: drgn answers all rows in one Python process
#   (drgn_eval.py), kdive answers all rows in one run (a script file); the answers must be
#   byte-identical (an error on both sides must be the same kind, e.g. a FaultError on a
#   page that makedumpfile -d 31 filtered out).
# - Dumps where drgn 0.0.22 reads the vmlinux but cannot find the loaded modules
#   (drgn_mode "vmlinux": 6.4+, no module.core_size): drgn answers with the vmlinux alone,
#   so rows naming the test module ("kdive" in any case in the row) are left out of that comparison
#   and the rows `print EXPR` whose EXPR truth.json's "expr" holds are checked against
#   the truth's value instead (numbers, addresses, strings).
# - The formats drgn cannot open (elf-phys, kdump-flat-zlib, kdump-qemu-zlib): kdive's
#   answers must equal its answers on the elf-paging dump of the same scenario.
# Rows listed in expressions_known_failing.txt (kdive bugs, see KNOWN_DIFFERENCES.md) are
# left out unless KDIVE_DIFF_ALL=1; the run then reports them instead of failing.
set -uo pipefail
. "$(dirname "$0")/../fixture_lib.sh"
per_kernel "$0" "$@"  # once per kernel of the fixture matrix
. "$(dirname "$0")/lib.sh"
MARKER_EXPR=0x4b44495645          # a constant kdive prints as the marker line below
MARKER='(long)323268204101'

# The battery, minus the known failures (unless asked for all).
if [ "${KDIVE_DIFF_ALL:-0}" = 1 ]; then
  grep -v '^#' "$HERE/expressions.tsv" >"$TMP/battery.tsv"
else
  grep -v '^#' "$HERE/expressions_known_failing.txt" | sed '/^$/d' >"$TMP/known.txt"
  awk -F"\t" -v k="$TMP/known.txt" 'BEGIN { while ((getline l < k) > 0) known[l] = 1 } !($1 in known)' "$HERE/expressions.tsv" >"$TMP/battery.tsv"
fi
rows=$(wc -l <"$TMP/battery.tsv")
[ "$rows" -ge 300 ] || { echo "FAIL: only $rows rows in the battery"; exit 1; }
awk -F'\t' -v m="print $MARKER_EXPR" '{ print $1; print m }' "$TMP/battery.tsv" >"$TMP/script.kdive"

# kdive's answers: errors "kdive: Kind: message" become "ERROR Kind" as drgn's do.
run_kdive() {  # OUT DUMP SYMBOLS...
  local out=$1 dump=$2; shift 2
  # Commands on stdin: a script path after -s would be taken as one more -s value.
  "$KDIVE" -c "$dump" "$@" <"$TMP/script.kdive" >"$out.raw" 2>&1
  local rc=$?
  if [ $rc -ge 128 ]; then echo "CRASH: kdive exited with $rc on $dump"; tail -3 "$out.raw"; return 1; fi
  sed -E 's/^kdive: ([A-Za-z]+): .*/ERROR \1/' "$out.raw" >"$out"
}

# Compare two answer files row by row; print the differing rows.
compare() {  # LABEL EXPECTED ACTUAL [no-module]
  $PY - "$TMP/battery.tsv" "$MARKER" "$@" <<'PYEOF'
import sys
tsv, marker, label, exp_path, act_path = sys.argv[1:6]
no_module = sys.argv[6:7] == ["no-module"]
lines = [l.rstrip("\n") for l in open(tsv)]
rows = [l.split("\t")[0] for l in lines]
def split(path):
    items, cur = [], []
    for line in open(path).read().split("\n"):
        if line == marker:
            items.append("\n".join(cur)); cur = []
        else:
            cur.append(line)
    return items
exp, act = split(exp_path), split(act_path)
bad = left_out = 0
for i, r in enumerate(rows):
    if no_module and "kdive" in lines[i].lower():
        left_out += 1
        continue
    e = exp[i] if i < len(exp) else "<missing>"
    a = act[i] if i < len(act) else "<missing>"
    if e != a:
        bad += 1
        if bad <= 40:
            el, al = e.split("\n"), a.split("\n")
            n = next((j for j in range(max(len(el), len(al)))
                      if j >= len(el) or j >= len(al) or el[j] != al[j]), 0)
            line = lambda ls: ls[n] if n < len(ls) else "<end>"  # noqa: E731
            print("  DIFF %s: %s (line %d of %d/%d)\n    expected: %s\n    kdive:    %s" % (
                label, r, n + 1, len(el), len(al), line(el), line(al)))
faults = sum(1 for e in exp if e == "ERROR FaultError")
print("%s %s: %d/%d rows identical (%d are FaultError on both sides)%s" % ("ok  " if not bad else "FAIL", label,
      len(rows) - left_out - bad, len(rows) - left_out, faults,
      f"; {left_out} rows naming the test module left out" if left_out else ""))
sys.exit(1 if bad else 0)
PYEOF
}

# Rows `print EXPR` whose EXPR is a key of truth.json's "expr": kdive's value must be
# the truth's (integers and addresses as numbers, char arrays as strings).
truth_check() {  # LABEL TRUTH ACTUAL
  $PY - "$TMP/battery.tsv" "$MARKER" "$@" <<'PYEOF'
import json, re, sys
tsv, marker, label, truth_path, act_path = sys.argv[1:6]
expr = json.load(open(truth_path))["expr"]
rows = [l.rstrip("\n").split("\t")[0] for l in open(tsv)]
items, cur = [], []
for line in open(act_path).read().split("\n"):
    if line == marker:
        items.append("\n".join(cur)); cur = []
    else:
        cur.append(line)
checked = bad = 0
for i, r in enumerate(rows):
    if not r.startswith("print ") or r[6:] not in expr or i >= len(items):
        continue
    want, got = expr[r[6:]], items[i]
    m = re.fullmatch(r"\((.+?)\)(.*)", got, re.S)
    value = m.group(2) if m else got
    if got.startswith("ERROR"):
        ok = False
    elif isinstance(want, str) and not want.startswith("0x"):
        ok = value == json.dumps(want)
    else:
        try:
            ok = int(value, 0) == (int(want, 16) if isinstance(want, str) else int(want))
        except ValueError:
            continue  # an enumerator's name, a structure: not a number to compare
    checked += 1
    if not ok:
        bad += 1
        print(f"  DIFF {label}: {r}\n    truth.json: {want!r}\n    kdive:      {got}")
print("%s %s: %d rows as in truth.json%s" % ("ok  " if not bad and checked else "FAIL", label, checked - bad,
      f", {bad} differ" if bad else ""))
sys.exit(1 if bad or not checked else 0)
PYEOF
}

mapfile -t DUMPS < <(kernel_dumps name scenario format drgn_mode truth path vmlinux modules)
[ ${#DUMPS[@]} -gt 0 ] || { echo "no kernel dumps in $MANIFEST"; exit 1; }

fail=0
declare -A PAGING DRGN_ERROR
while IFS=$'\t' read -r n e; do DRGN_ERROR[$n]=$e; done < <(kernel_dumps name drgn_error)
# Dumps drgn opens first (elf-paging among them), then the others against elf-paging.
for pass in 1 0; do
  for line in "${DUMPS[@]}"; do
    IFS=$'\t' read -r -a f <<<"$line"
    name=${f[0]} scenario=${f[1]} format=${f[2]} mode=${f[3]} truth=${f[4]} dump=${f[5]}
    [ "$([ "$mode" = none ] && echo 0 || echo 1)" = "$pass" ] || continue
    sargs=()
    for s in "${f[@]:6}"; do sargs+=(-s "$s"); done
    run_kdive "$TMP/$name.kdive" "$dump" "${sargs[@]}" || { fail=1; continue; }
    if [ "$pass" = 1 ]; then
      if [ "$mode" = vmlinux ]; then
        dfiles=(--vmlinux-only "${f[6]}") no_module=no-module
      else
        dfiles=("${f[@]:6}") no_module=
      fi
      $PY "$HERE/drgn_eval.py" "$TMP/battery.tsv" "$MARKER" "$dump" "${dfiles[@]}" >"$TMP/$name.drgn" 2>"$TMP/$name.drgn.err" ||
        { echo "FAIL $name: drgn failed: $(tail -1 "$TMP/$name.drgn.err")"; fail=1; continue; }
      compare "$name (vs drgn)" "$TMP/$name.drgn" "$TMP/$name.kdive" $no_module || fail=1
      if [ "$mode" = vmlinux ]; then
        echo "     $name: drgn 0.0.22 cannot find the loaded modules ($(grep -o "could not find loaded kernel modules: [^)]*" <<<"${DRGN_ERROR[$name]:-}" || true)): module rows against truth.json"
      fi
      if [ "$mode" = vmlinux ] || [ "$format" = elf-paging ]; then
        truth_check "$name (vs truth.json)" "$truth" "$TMP/$name.kdive" || fail=1
      fi
      [ "$format" = elf-paging ] && PAGING[$scenario]=$TMP/$name.kdive
    else
      ref=${PAGING[$scenario]:-}
      [ -n "$ref" ] || { echo "FAIL $name: no elf-paging dump of scenario $scenario to compare with"; fail=1; continue; }
      compare "$name (vs kdive on $scenario elf-paging)" "$ref" "$TMP/$name.kdive" || fail=1
    fi
  done
done
if [ "${KDIVE_DIFF_ALL:-0}" != 1 ]; then
  echo "($(wc -l <"$TMP/known.txt") rows left out as known kdive bugs: tests/diff/expressions_known_failing.txt)"
fi
exit $fail
