#!/bin/bash
# ctest-label: reference  (runs a reference tool; the sanitizer pass of scripts/test.sh skips it)
# Differential test of kdive's memory helpers against drgn 0.0.22 (Debian's python3-drgn)
# on every kernel fixture dump drgn opens:
#   - identify_address() on the test module's slab objects (allocated and freed, at
#     their start and inside), objects of other caches (task_struct, dentry, kmalloc-*),
#     kernel and module symbols (function and object), and task stack addresses;
#   - page_to_pfn / virt_to_page / page_to_virt / virt_to_phys / pfn_to_page on the
#     same addresses;
#     (direct-map addresses only: drgn 0.0.22 computes virt_to_page/virt_to_phys by
#     subtracting PAGE_OFFSET from any address, which is meaningless for the kernel
#     image, modules and vmalloc'ed stacks; kdive translates those through the page
#     tables, which the integration test checks against the stack's struct page);
#   - the number of allocated objects of every slab cache
#     (slab_cache_for_each_allocated_object) — on the first dump of each scenario only
#     (every format of a scenario holds the same memory, and drgn needs ~35 s a dump).
# Known differences, checked as such:
#   - drgn 0.0.22 does not identify stack addresses (None); kdive answers
#     "vmap stack: PID (COMM) +0xOFF (live|dead ...)" as later drgn versions do, plus
#     the live/dead verdict. Such rows must be None in drgn and a vmap stack in kdive.
#   - drgn reads per-CPU freelists of online CPUs only, so after a panic (other CPUs
#     offline) it counts objects on their freelists as allocated (DESIGN §4). The slab
#     comparison runs drgn with its for_each_online_cpu replaced by
#     for_each_possible_cpu and requires exact equality; the unpatched drgn count is
#     compared only where the two differ in CPU sets.
set -euo pipefail
. "$(dirname "$0")/../fixture_lib.sh"
per_kernel "$0" "$@"  # once per kernel of the fixture matrix
FIXTURES=${KDIVE_FIXTURES:-$HOME/.cache/kdive/fixtures}
KDIVE=${KDIVE_BINARY:?set KDIVE_BINARY}
MANIFEST=$FIXTURES/manifest.json
[ -f "$MANIFEST" ] || { echo "no $MANIFEST: run scripts/fixtures/build-all.sh"; exit 1; }
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

mapfile -t DUMPS < <($PY -c '
import json, sys
m = json.load(open(sys.argv[1]))
seen = set()
for d in m["dumps"]:
    if d["kind"] == "kernel" and d.get("drgn_opens"):
        first = "1" if d["scenario"] not in seen else "0"
        seen.add(d["scenario"])
        print("\t".join([d["name"], first, d["path"], d["vmlinux"]] + d["modules"]))
' "$MANIFEST")
[ ${#DUMPS[@]} -gt 0 ] || { echo "no kernel dump drgn can open"; exit 1; }

fail=0
for line in "${DUMPS[@]}"; do
  IFS=$'\t' read -r name first dump vmlinux rest <<<"$line"
  IFS=$'\t' read -r -a modules <<<"$rest"
  sargs=(-s "$vmlinux")
  for m in "${modules[@]}"; do sargs+=(-s "$m"); done

  # drgn: the addresses to ask about and its answers, one JSON line each.
  $PY - "$first" "$dump" "$vmlinux" "${modules[@]}" >"$TMP/drgn.jsonl" <<'PYEOF'
import json, sys
import drgn
from drgn import FaultError
from drgn.helpers.common.memory import identify_address
from drgn.helpers.linux import slab as S
from drgn.helpers.linux.cpumask import for_each_possible_cpu
from drgn.helpers.linux.mm import page_to_pfn, page_to_virt, virt_to_page, virt_to_phys
from drgn.helpers.linux.pid import find_task
first = sys.argv[1] == "1"
prog = drgn.Program()
prog.set_core_dump(sys.argv[2])
prog.load_debug_info(sys.argv[3:])
addrs = []
for o in S.slab_cache_for_each_allocated_object(S.find_slab_cache(prog, "kdive_obj"), "char"):
    addrs += [o.value_(), o.value_() + 0x8, o.value_() + 0x57]
addrs.append(prog["kdive_freed_obj"].value_())
addrs.append(prog["kdive_freed_obj"].value_() + 0x10)
for name in ("task_struct", "dentry", "kmalloc-64", "kmalloc-1k", "inode_cache"):
    c = S.find_slab_cache(prog, name)
    if c is None:
        continue
    for i, o in enumerate(S.slab_cache_for_each_allocated_object(c, "char")):
        addrs += [o.value_(), o.value_() + 0x18]
        if i == 2:
            break
addrs += [prog["init_task"].address_, prog.symbol("jiffies").address, prog["schedule"].address_ + 5,
          prog["kdive_g_u64"].address_, prog["kdive_callback"].address_ + 3,
          prog["kdive_g_config"].address_ + 0x10]
waitq = prog["kdive_waitq"]
addrs.append(waitq.last.value_())
for pid in (1, 2):
    t = find_task(prog, pid)
    addrs.append(t.stack.value_() + 0x3f00)
page_offset = prog["page_offset_base"].value_()
direct_end = page_offset + (prog["max_pfn"].value_() << 12)
for a in addrs:
    row = {"address": hex(a), "identity": identify_address(prog, a)}
    if not page_offset <= a < direct_end:
        print(json.dumps(row))
        continue
    try:
        page = virt_to_page(prog, a)
        row["page"] = hex(page.value_())
        row["pfn"] = page_to_pfn(page).value_()
        row["virt"] = hex(page_to_virt(page).value_())
        row["phys"] = hex(virt_to_phys(prog, a).value_())
    except (FaultError, ValueError):
        pass
    print(json.dumps(row))
if first:
    S.for_each_online_cpu = for_each_possible_cpu
    for c in S.for_each_slab_cache(prog):
        n = sum(1 for _ in S.slab_cache_for_each_allocated_object(c, "void"))
        print(json.dumps({"cache": hex(c.value_()), "name": c.name.string_().decode(), "allocated": n}))
PYEOF

  addrs=$($PY -c 'import json,sys; print(" ".join(json.loads(l)["address"] for l in open(sys.argv[1]) if "address" in json.loads(l)))' "$TMP/drgn.jsonl")
  "$KDIVE" -c "$dump" "${sargs[@]}" --json -x "identify $addrs" >"$TMP/kdive_id.jsonl"
  for a in $($PY -c 'import json,sys; print(" ".join(json.loads(l)["address"] for l in open(sys.argv[1]) if "page" in json.loads(l)))' "$TMP/drgn.jsonl"); do
    printf '%s\n' "(unsigned long)virt_to_page($a)" "page_to_pfn(virt_to_page($a))" \
      "(unsigned long)page_to_virt(virt_to_page($a))" "virt_to_phys($a)"
  done >"$TMP/mm.kdive"
  "$KDIVE" -c "$dump" "${sargs[@]}" "$TMP/mm.kdive" >"$TMP/kdive_mm.txt"
  if [ "$first" = 1 ]; then
    "$KDIVE" -c "$dump" "${sargs[@]}" --json -x slabinfo >"$TMP/kdive_slab.jsonl"
  else
    : >"$TMP/kdive_slab.jsonl"
  fi

  if ! $PY - "$TMP" "$name" <<'PYEOF'; then
import json, re, sys
tmp, name = sys.argv[1], sys.argv[2]
drgn = [json.loads(l) for l in open(f"{tmp}/drgn.jsonl")]
ids = [json.loads(l) for l in open(f"{tmp}/kdive_id.jsonl")]
rows = [d for d in drgn if "address" in d]
caches = [d for d in drgn if "cache" in d]
bad = 0
same = stack_rows = 0
for d, k in zip(rows, ids, strict=True):
    if d["address"] != k["address"]:
        print(f"{name}: address order differs: {d['address']} vs {k['address']}"); bad += 1; continue
    if d["identity"] == k["identity"]:
        same += 1
    elif d["identity"] is None and k["identity"] and re.match(r"vmap stack: \d+ \(.*\) \+0x[0-9a-f]+ \((live|dead)", k["identity"]):
        stack_rows += 1
    else:
        print(f"{name}: identify {d['address']}: drgn {d['identity']!r}, kdive {k['identity']!r}"); bad += 1
if stack_rows < 3:
    print(f"{name}: expected >= 3 stack addresses identified, got {stack_rows}"); bad += 1
# Memory model: kdive prints four lines per address.
mm = open(f"{tmp}/kdive_mm.txt").read().splitlines()
with_page = [d for d in rows if "page" in d]
if len(mm) != 4 * len(with_page):
    print(f"{name}: memory model: {len(mm)} lines for {len(with_page)} addresses"); bad += 1
else:
    for i, d in enumerate(with_page):
        want = [int(d["page"], 16), d["pfn"], int(d["virt"], 16), int(d["phys"], 16)]
        got = [int(x.split(")", 1)[1], 0) for x in mm[4 * i:4 * i + 4]]
        if got != want:
            print(f"{name}: memory model of {d['address']}: drgn {want}, kdive {got}"); bad += 1
slab = {}
for l in open(f"{tmp}/kdive_slab.jsonl"):
    r = json.loads(l); slab[r["cache"]] = r
for c in caches:
    k = slab.get(c["cache"])
    if k is None or k["name"] != c["name"] or k["allocated"] != c["allocated"]:
        print(f"{name}: cache {c['name']}: drgn {c['allocated']} allocated, kdive {k and k['allocated']}"); bad += 1
if caches and len(slab) != len(caches):
    print(f"{name}: {len(caches)} caches in drgn, {len(slab)} in kdive"); bad += 1
print(f"{name}: identify {same} equal + {stack_rows} stack rows (drgn None), "
      f"{len(with_page)} memory-model rows, {len(caches)} caches compared, {bad} differences")
sys.exit(1 if bad else 0)
PYEOF
    fail=1
  fi
done
exit $fail
