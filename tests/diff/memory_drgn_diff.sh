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
#     offline) it counts objects on their freelists as allocated (DESIGN §4). drgn
#     runs with its for_each_online_cpu replaced by for_each_possible_cpu, for the
#     slab counts and for identify_address alike (which CPU freed an object is
#     incidental: unpatched, drgn calls the module's freed objects allocated whenever
#     its kthread freed them on the CPU that did not crash, as on 5.10's sysrq dump),
#     and exact equality is required.
# Where drgn 0.0.22 cannot load the test module (drgn_mode "vmlinux", 6.4+), the
# addresses are the module's objects and the waiter's entry from truth.json plus tasks'
# stacks; and where drgn's identify_address or slab walk does not know the kernel's
# layout (7.x: no page.compound_head, no kmem_cache.cpu_slab), that part is skipped with
# drgn's error printed and the module's objects are checked against truth.json (slab
# object / free slab object of the truth's cache, its count of live objects).
set -euo pipefail
. "$(dirname "$0")/../fixture_lib.sh"
per_kernel "$0" "$@"  # once per kernel of the fixture matrix
. "$(dirname "$0")/lib.sh"

mapfile -t DUMPS < <(kernel_dumps --drgn-vmlinux name scenario path truth drgn_mode dump_level vmlinux modules)
[ ${#DUMPS[@]} -gt 0 ] || { echo "no kernel dump drgn can open"; exit 1; }

fail=0 seen=" "
for line in "${DUMPS[@]}"; do
  IFS=$'\t' read -r name scenario dump truth mode level vmlinux rest <<<"$line"
  IFS=$'\t' read -r -a modules <<<"$rest"
  first=0
  [[ "$seen" == *" $scenario "* ]] || first=1
  sargs=(-s "$vmlinux")
  for m in "${modules[@]}"; do sargs+=(-s "$m"); done
  if [ "$mode" = vmlinux ]; then drgn_files=("$vmlinux"); else drgn_files=("$vmlinux" "${modules[@]}"); fi

  # drgn: the addresses to ask about and its answers, one JSON line each.
  if ! $PY - "$first" "$dump" "$mode" "$truth" "${drgn_files[@]}" >"$TMP/drgn.jsonl" 2>"$TMP/drgn.skip" <<'PYEOF'
import json, sys
import drgn
from drgn import FaultError
from drgn.helpers.common.memory import identify_address
from drgn.helpers.linux import slab as S
from drgn.helpers.linux.cpumask import for_each_possible_cpu
from drgn.helpers.linux.mm import page_to_pfn, page_to_virt, virt_to_page, virt_to_phys
from drgn.helpers.linux.pid import find_task
first = sys.argv[1] == "1"
mode, truth = sys.argv[3], json.load(open(sys.argv[4]))
# Every CPU's per-CPU free list, not only the online ones' (after a panic only the
# crashing CPU is online): otherwise an object freed on the other CPU is "allocated" to
# drgn, and the answer depends on which CPU the module's kthread freed it on.
S.for_each_online_cpu = for_each_possible_cpu
prog = drgn.Program()
prog.set_core_dump(sys.argv[2])
try:
    prog.load_debug_info(sys.argv[5:])
except drgn.MissingDebugInfoError:
    if mode != "vmlinux":
        raise  # mode vmlinux: the loaded modules it cannot find


def drgn_error(probe):
    """None if drgn 0.0.22's helper copes with this kernel's layout, else its error."""
    try:
        probe()
        return None
    except AttributeError as e:
        return f"drgn 0.0.22: AttributeError: {e}"


if mode == "vmlinux":
    # The module's symbols are unknown to drgn: its objects come from truth.json, each
    # with the identity the truth implies (used if drgn's identify_address fails).
    sl, w = truth["slab"], truth["waiter"]
    rows = []
    for o in truth["obj"]:
        kind = "free slab object" if o["freed"] else "slab object"
        rows += [(int(o["addr"], 16) + off, f"{kind}: {sl['cache_name']}+{off:#x}") for off in (0, 0x8, 0x57)]
    rows.append((int(w["entry_addr"], 16), None))
    for pid in (1, 2):
        rows.append((find_task(prog, pid).stack.value_() + 0x3f00, None))
    id_err = drgn_error(lambda: identify_address(prog, int(sl["live_ptr"], 16)))
    if id_err:
        print(f"identify\t{id_err}: the module's objects checked against truth.json, stack rows skipped", file=sys.stderr)
    page_offset = prog["page_offset_base"].value_()
    direct_end = page_offset + (prog["max_pfn"].value_() << 12)
    for a, want in rows:
        if id_err and want is None:
            continue
        row = {"address": hex(a), "identity": want if id_err else identify_address(prog, a)}
        if page_offset <= a < direct_end:
            try:
                page = virt_to_page(prog, a)
                row.update(page=hex(page.value_()), pfn=page_to_pfn(page).value_(),
                           virt=hex(page_to_virt(page).value_()), phys=hex(virt_to_phys(prog, a).value_()))
            except (FaultError, ValueError):
                pass
        print(json.dumps(row))
    if first:
        slab_err = drgn_error(lambda: next(S.slab_cache_for_each_allocated_object(
            S.find_slab_cache(prog, sl["cache_name"]), "void"), None))
        if slab_err:
            print(f"slab\t{slab_err}: {sl['cache_name']}'s count checked against truth.json", file=sys.stderr)
            print(json.dumps({"cache": sl["cache"], "name": sl["cache_name"], "allocated": sl["live_count"], "only": True}))
        else:
            for c in S.for_each_slab_cache(prog):
                n = sum(1 for _ in S.slab_cache_for_each_allocated_object(c, "void"))
                print(json.dumps({"cache": hex(c.value_()), "name": c.name.string_().decode(), "allocated": n}))
    sys.exit(0)

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
    for c in S.for_each_slab_cache(prog):
        n = sum(1 for _ in S.slab_cache_for_each_allocated_object(c, "void"))
        print(json.dumps({"cache": hex(c.value_()), "name": c.name.string_().decode(), "allocated": n}))
PYEOF
  then
    if [ "$level" = 31 ] && grep -q 'Excluded page' "$TMP/drgn.skip"; then
      # A correct -d 31 keeps every slab page; this makedumpfile (Debian 12's 1.7.2) took
      # in-use slab pages of this kernel for free or cache pages.
      echo "skip $name: makedumpfile -d 31 dropped in-use pages of this kernel (drgn 0.0.22: $(tail -1 "$TMP/drgn.skip"))"
      continue
    fi
    cat "$TMP/drgn.skip"; echo "FAIL $name: drgn failed"; fail=1; continue
  fi
  [ "$first" = 1 ] && seen+="$scenario "  # slab counts: once per scenario

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
skipped = dict(l.rstrip("\n").split("\t", 1) for l in open(f"{tmp}/drgn.skip") if "\t" in l)
for part, why in skipped.items():
    print(f"{name}: {part}: {why}")
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
if stack_rows < 3 and not skipped.get("identify"):
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
if caches and len(slab) != len(caches) and not any(c.get("only") for c in caches):
    print(f"{name}: {len(caches)} caches in drgn, {len(slab)} in kdive"); bad += 1
print(f"{name}: identify {same} equal + {stack_rows} stack rows (drgn None), "
      f"{len(with_page)} memory-model rows, {len(caches)} caches compared, {bad} differences")
sys.exit(1 if bad else 0)
PYEOF
    fail=1
  fi
done
exit $fail
