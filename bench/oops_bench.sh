#!/bin/bash
# Symbolizer benchmark: 10,000 code addresses of the fixture vmlinux (every text symbol
# of `nm -S` in turn, at a varying offset inside it) turned into inline chains with
# file:line, by binutils `addr2line -fi` (one process) and by `kdive addr2line --gnu`
# (one process, same output format; tests/diff/oops_addr2line.sh checks they agree).
# Second row: the same locations given as SYMBOL+OFFSET/SIZE, the form oops reports
# print (kdive resolves the name; addr2line gets the address). Prints times and ratios.
#   bench/oops_bench.sh [KDIVE_BINARY] [COUNT]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KDIVE=${1:-${KDIVE_BINARY:-$ROOT/build/release/kdive}}
COUNT=${2:-10000}
FIXTURES=${KDIVE_FIXTURES:-$HOME/.cache/kdive/fixtures}
VMLINUX=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kernel"]["vmlinux"])' "$FIXTURES/manifest.json")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

nm -S --defined-only "$VMLINUX" >"$TMP/nm.txt"
/usr/bin/python3 - "$TMP" "$COUNT" <<'PYEOF'
import sys
tmp, count = sys.argv[1], int(sys.argv[2])
rows = []
for l in open(f"{tmp}/nm.txt"):
    p = l.split()
    if len(p) == 4 and p[2] in "tT" and int(p[1], 16) >= 2 and "." not in p[3]:
        rows.append((int(p[0], 16), int(p[1], 16), p[3]))
starts = sorted({a for a, _, _ in rows})
nxt = {starts[i]: starts[i + 1] for i in range(len(starts) - 1)}
step = max(1, len(rows) // count)
picked = [rows[(i * step) % len(rows)] for i in range(count)]
with open(f"{tmp}/addrs.txt", "w") as a, open(f"{tmp}/syms.txt", "w") as s:
    for i, (addr, size, name) in enumerate(picked):
        off = (size * ((i % 9) + 1)) // 10
        a.write("0x%x\n" % (addr + off))
        s.write("%s+%#x/%#x\n" % (name, off, nxt.get(addr, addr + size) - addr))
PYEOF

secs() { /usr/bin/python3 -c 'import sys,time,subprocess; t=time.perf_counter(); subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); print("%.3f" % (time.perf_counter()-t))' "$@"; }
t_ref=$(secs addr2line -fi -e "$VMLINUX" $(cat "$TMP/addrs.txt"))
t_addr=$(secs "$KDIVE" -s "$VMLINUX" -- addr2line --gnu $(cat "$TMP/addrs.txt"))
t_sym=$(secs "$KDIVE" -s "$VMLINUX" -- addr2line --gnu $(cat "$TMP/syms.txt"))
echo "symbolize $COUNT frames of $(basename "$VMLINUX") (inline chains, file:line)"
printf '%-34s %8s s\n' "addr2line -fi (binutils)" "$t_ref"
printf '%-34s %8s s   %6.1fx faster\n' "kdive addr2line (addresses)" "$t_addr" "$(echo "$t_ref / $t_addr" | bc -l)"
printf '%-34s %8s s   %6.1fx faster\n' "kdive addr2line (sym+off/size)" "$t_sym" "$(echo "$t_ref / $t_sym" | bc -l)"
