#!/bin/bash
# ctest-label: reference  (runs a reference tool; the sanitizer pass of scripts/test.sh skips it)
# Differential test of the oops symbolizer (`kdive addr2line --gnu`, the code path of
# `kdive oops` frames) against binutils `addr2line -fi` on the fixture kernel:
#  1. vmlinux by address: every 37th text symbol of `nm -S`, at 5/11 of its size;
#  2. vmlinux by SYMBOL+OFFSET/SIZE for every 97th (the faddr2line path, duplicate
#     names resolved by size; names still ambiguous with their size are skipped);
#  3. the test module by `func+off/size [kdive_fixture]`, every function symbol, against
#     `addr2line -j SECTION` with the section-relative offset.
# Output must be identical line by line, except one error of binutils 2.40 (checked
# against the kernel headers in /usr/src/linux-headers-*): for functions that macros define in a header (tracepoints),
# it pairs the right line number with the unit's main file (a DWARF 5 file-table
# index slip: "fs/jbd2/journal.c:14" is the licence comment, include/trace/events/jbd2.h:14
# is TRACE_EVENT(jbd2_checkpoint)). Those lines — same number, ours a header — are
# counted and printed, not failed; so are the `__pfx_` padding lines binutils answers
# only after an earlier address of the run made it read that unit's line table
# (tests/diff/KNOWN_DIFFERENCES.md).
set -euo pipefail
. "$(dirname "$0")/../fixture_lib.sh"
per_kernel "$0" "$@"  # once per kernel of the fixture matrix
. "$(dirname "$0")/lib.sh"
require_tool addr2line "addr2line not installed (binutils)"

kernel_files
[ -f "$VMLINUX" ] || { echo "no vmlinux in $MANIFEST"; exit 1; }

# compare NAME REF OURS: line-by-line, with the binutils exception above.
fail=0
compare() {
  local name=$1 ref=$2 ours=$3
  $PY - "$name" "$ref" "$ours" <<'PYEOF' || fail=1
import re, sys
name, ref_path, ours_path = sys.argv[1:]
strip = lambda l: re.sub(r" \(discriminator \d+\)$", "", l.rstrip("\n"))
ref = [strip(l) for l in open(ref_path)]
ours = [strip(l) for l in open(ours_path)]
if len(ref) != len(ours):
    print(f"{name}: {len(ref)} lines from addr2line, {len(ours)} from kdive")
    sys.exit(1)
same = known = unread = bad = 0
for i, (a, b) in enumerate(zip(ref, ours)):
    if a == b:
        same += 1
        continue
    ma, mb = re.match(r"(.*):(\d+)$", a), re.match(r"(.*):(\d+)$", b)
    if ma and mb and ma.group(2) == mb.group(2) and mb.group(1).endswith(".h"):
        known += 1
        continue
    # Padding outside every unit's ranges that a unit's line sequence covers: binutils
    # finds the line only once it has read that unit's line table for an earlier
    # address of the same run, else it prints the symbol table's file and "?".
    if (re.fullmatch(r"(\?\?|[^/:]+):\?", a) and mb and i > 0 and ref[i - 1] == ours[i - 1]
            and ref[i - 1].startswith("__pfx_")):
        unread += 1
        continue
    bad += 1
    if bad <= 20:
        print(f"{name}: line {i + 1}: addr2line {a!r}, kdive {b!r}")
total = len(ref)
print(f"{name}: {same}/{total} lines identical, {known} binutils file-table errors, "
      f"{unread} lines of units binutils had not read yet, {bad} differences")
sys.exit(1 if bad or same == 0 else 0)
PYEOF
}

# 1 and 2: vmlinux.
nm -S --defined-only "$VMLINUX" >"$TMP/nm.txt"
$PY - "$TMP/nm.txt" "$TMP" <<'PYEOF'
import sys
rows = []
for l in open(sys.argv[1]):
    p = l.split()
    if len(p) == 4 and p[2] in "tT" and int(p[1], 16) >= 2:
        rows.append((int(p[0], 16), int(p[1], 16), p[3]))
tmp = sys.argv[2]
with open(f"{tmp}/addrs.txt", "w") as f:
    for a, s, n in rows[36::37]:
        f.write("%x\n" % (a + s * 5 // 11))
# kallsyms-style sizes: to the next symbol's address.
starts = sorted({a for a, _, _ in rows})
nxt = {starts[i]: starts[i + 1] for i in range(len(starts) - 1)}
# Names that stay ambiguous with their size (two static functions of one name and
# one size, as ipmr_mfc_seq_start in ipmr.c and ip6mr.c) are left out: faddr2line
# itself answers with both.
from collections import Counter
spans = Counter((n, nxt.get(a, 0) - a) for a, s, n in rows)
with open(f"{tmp}/syms.txt", "w") as f, open(f"{tmp}/symaddrs.txt", "w") as g:
    for a, s, n in rows[96::97]:
        if a not in nxt or "." in n or spans[(n, nxt[a] - a)] > 1:
            continue
        off = s * 3 // 7
        f.write("%s+%#x/%#x\n" % (n, off, nxt[a] - a))
        g.write("%x\n" % (a + off))
PYEOF
addr2line -fi -e "$VMLINUX" $(cat "$TMP/addrs.txt") >"$TMP/ref1.txt"
"$KDIVE" -s "$VMLINUX" -- addr2line --gnu $(sed 's/^/0x/' "$TMP/addrs.txt") >"$TMP/ours1.txt"
compare "vmlinux by address ($(wc -l <"$TMP/addrs.txt") addresses)" "$TMP/ref1.txt" "$TMP/ours1.txt"
addr2line -fi -e "$VMLINUX" $(cat "$TMP/symaddrs.txt") >"$TMP/ref2.txt"
"$KDIVE" -s "$VMLINUX" -- addr2line --gnu $(cat "$TMP/syms.txt") >"$TMP/ours2.txt"
compare "vmlinux by symbol+offset/size ($(wc -l <"$TMP/syms.txt") locations)" "$TMP/ref2.txt" "$TMP/ours2.txt"

# 3: the module, section by section.
if [ -n "$MODULE" ] && [ -f "$MODULE" ]; then
  readelf -SW "$MODULE" >"$TMP/sections.txt"
  readelf -sW "$MODULE" >"$TMP/symtab.txt"
  $PY - "$TMP/sections.txt" "$TMP/symtab.txt" "$TMP" <<'PYEOF'
import re, sys
secs = {}
for l in open(sys.argv[1]):
    m = re.match(r"\s*\[\s*(\d+)\]\s+(\S+)", l)
    if m:
        secs[m.group(1)] = m.group(2)
by_section = {}
for l in open(sys.argv[2]):
    p = l.split()
    if len(p) >= 8 and p[3] == "FUNC" and p[6].isdigit() and int(p[2]) >= 2:
        value, size, name = int(p[1], 16), int(p[2]), p[7]
        off = size * 5 // 11
        by_section.setdefault(secs[p[6]], []).append((name, off, size, value + off))
for sec, entries in by_section.items():
    with open(f"{sys.argv[3]}/ko-{sec.strip('.').replace('.', '_')}.txt", "w") as f:
        for name, off, size, secoff in entries:
            f.write(f"{sec} {name}+{off:#x}/{size:#x} {secoff:x}\n")
PYEOF
  for list in "$TMP"/ko-*.txt; do
    sec=$(head -1 "$list" | cut -d' ' -f1)
    addr2line -fi -j "$sec" -e "$MODULE" $(cut -d' ' -f3 "$list") >"$TMP/refk.txt"
    args=()
    while read -r _ loc _; do args+=("$loc" "[kdive_fixture]"); done <"$list"
    "$KDIVE" -s "$VMLINUX" -s "$MODULE" -- addr2line --gnu "${args[@]}" >"$TMP/oursk.txt"
    compare "kdive_fixture.ko $sec ($(wc -l <"$list") functions)" "$TMP/refk.txt" "$TMP/oursk.txt"
  done
fi
exit $fail
