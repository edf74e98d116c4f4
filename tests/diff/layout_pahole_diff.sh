#!/bin/bash
# ctest-label: reference  (runs a reference tool; the sanitizer pass of scripts/test.sh skips it)
# Differential test of `kdive layout` against pahole (Debian dwarves 1.24, DWARF loader)
# on the fixture vmlinux and test module: the text must be byte-identical.
# The structs: every named struct and union that `pahole FILE` prints (about 7,450 for
# the vmlinux, including task_struct, page, inode, sk_buff, request_queue and gendisk,
# which are checked to be there), in default, --hex and --expand (pahole -E) modes.
# pahole runs once per mode over the whole file (one `pahole -C` per struct would take
# seconds each); kdive runs once per mode with one `layout` command per struct.
# A whole-file pahole run carries its inferred __packed__ attributes from one struct to
# the next in the same CU, which one `pahole -C NAME` does not: a struct whose block
# differs is compared again with its own `pahole -C NAME` run, and only a difference
# there fails. Known differences: none (tests/diff/KNOWN_DIFFERENCES.md, "layout").
set -euo pipefail
. "$(dirname "$0")/../fixture_lib.sh"
per_kernel "$0" "$@"  # once per kernel of the fixture matrix
. "$(dirname "$0")/lib.sh"
require_tool pahole "pahole not installed (apt-get install dwarves)"
BLOCKS="$PY $HERE/layout_pahole_blocks.py"

kernel_files
[ -f "$VMLINUX" ] || { echo "no vmlinux in $MANIFEST"; exit 1; }
[ -f "$MODULE" ] || { echo "no kdive_fixture.ko in $MANIFEST"; exit 1; }

fail=0
# compare FILE KDIVE_OPTION PAHOLE_OPTION MIN_COUNT
compare() {
  local file=$1 kopt=$2 popt=$3 min=$4 label
  label="$(basename "$file") ${kopt:-default}"
  pahole $popt "$file" >"$TMP/pahole.txt"
  $BLOCKS names "$TMP/pahole.txt" >"$TMP/names.txt"
  local count
  count=$(wc -l <"$TMP/names.txt")
  if [ "$count" -lt "$min" ]; then
    echo "FAIL: $label: only $count structs in pahole's output"; fail=1; return
  fi
  sed "s/^/layout $kopt /" "$TMP/names.txt" >"$TMP/script.kd"
  if ! "$KDIVE" -s "$file" "$TMP/script.kd" >"$TMP/kdive.txt" 2>"$TMP/kdive.err"; then
    echo "FAIL: $label: kdive failed: $(head -3 "$TMP/kdive.err")"; fail=1; return
  fi
  $BLOCKS diff "$TMP/pahole.txt" "$TMP/kdive.txt" >"$TMP/bad.txt" 2>"$TMP/summary.txt"
  local nbad bad=0 name skipped_c=0
  nbad=$(wc -l <"$TMP/bad.txt")
  if [ "$nbad" -gt 20 ]; then
    echo "FAIL: $label: $(cat "$TMP/summary.txt"); first differing: $(head -5 "$TMP/bad.txt" | paste -sd,)"
    fail=1; return
  fi
  while IFS= read -r name; do
    "$KDIVE" -s "$file" -x "layout $kopt $name" >"$TMP/k1.txt" 2>&1 || true
    if ! pahole $popt -C "${name#* }" "$file" >"$TMP/p1.txt" 2>"$TMP/p1.err"; then
      # pahole 1.24 parses "-C NAME(args)": a Rust tuple type's name such as
      # "(core::net::socket_addr::SocketAddrV6)" cannot be selected ("invalid, missing '='").
      echo "skip: $label: $name: pahole 1.24 cannot select it with -C ($(head -1 "$TMP/p1.err")); its whole-file block differs"
      skipped_c=$((skipped_c + 1))
      continue
    fi
    if ! cmp -s "$TMP/k1.txt" "$TMP/p1.txt"; then
      echo "FAIL: $label: layout $kopt $name differs from pahole $popt -C ${name#* }:"
      diff "$TMP/k1.txt" "$TMP/p1.txt" | head -20 || true
      bad=$((bad + 1))
    fi
  done <"$TMP/bad.txt"
  if [ "$bad" -gt 0 ]; then
    fail=1
  else
    echo "ok: $label: $count of $count layouts byte-identical" \
         "($((nbad - skipped_c)) differed only from pahole's whole-file run and match its -C run$([ "$skipped_c" -gt 0 ] && echo ", $skipped_c that pahole -C cannot select left out"))"
  fi
}

pahole "$VMLINUX" >"$TMP/all.txt"
for s in task_struct page inode sk_buff request_queue gendisk; do
  grep -q "^struct $s {\$" "$TMP/all.txt" || { echo "FAIL: struct $s not in pahole's output"; fail=1; }
done

compare "$VMLINUX" "" "" 1000
compare "$VMLINUX" "--hex" "--hex" 1000
compare "$VMLINUX" "--expand" "-E" 1000
compare "$MODULE" "" "" 100
compare "$MODULE" "--expand" "-E" 100

# A typedef and a name pahole does not know.
"$KDIVE" -s "$VMLINUX" -x "layout atomic_t" -x "layout spinlock_t" >"$TMP/k.txt"
{ pahole -C atomic_t "$VMLINUX"; pahole -C spinlock_t "$VMLINUX"; } >"$TMP/p.txt"
cmp -s "$TMP/k.txt" "$TMP/p.txt" || { echo "FAIL: typedef layouts differ"; diff "$TMP/k.txt" "$TMP/p.txt" | head; fail=1; }
if "$KDIVE" -s "$VMLINUX" layout kdive_no_such_struct >"$TMP/err.txt" 2>&1; then
  echo "FAIL: layout of an unknown type succeeded"; fail=1
elif ! grep -q "type 'kdive_no_such_struct' not found" "$TMP/err.txt"; then
  echo "FAIL: unexpected error text: $(cat "$TMP/err.txt")"; fail=1
fi
[ $fail -eq 0 ] && echo "layout_pahole_diff: all byte-identical"
exit $fail
