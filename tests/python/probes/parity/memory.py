#!/usr/bin/python3
# Parity probe: drgn.helpers.linux.mmzone, vmstat, hugetlb, stackdepot, bitmap, and the
# memory-block / page-range / vmap / VMA / RSS helpers of mm and the usage helpers of
# slab, on the dump's own nodes, zones, sections, caches, tasks and VMAs.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from probe_lib import H, check, open_program  # noqa: E402

from drgn import Object  # noqa: E402

prog = open_program()
Z, V, M, S = "linux.mmzone", "linux.vmstat", "linux.mm", "linux.slab"


def enumerators(type_name):
    return [(e.name, e.value) for e in prog.type(type_name).enumerators
            if not e.name.startswith("NR_VM_") and not e.name.endswith("_ITEMS")]


# --- mmzone: nodes and zones ---
check("NODE_DATA.0", lambda: H(Z, "NODE_DATA")(prog, 0))
check("for_each_online_pgdat", lambda: list(H(Z, "for_each_online_pgdat")(prog)))
pgdat = prog["node_data"][0]
for i in range(pgdat.nr_zones.value_()):
    zone = pgdat.node_zones[i].address_of_()
    zname = zone.name.string_().decode()
    check(f"zone.{zname}.min_wmark_pages", lambda: H(Z, "min_wmark_pages")(zone))
    check(f"zone.{zname}.low_wmark_pages", lambda: H(Z, "low_wmark_pages")(zone))
    check(f"zone.{zname}.high_wmark_pages", lambda: H(Z, "high_wmark_pages")(zone))
    check(f"zone.{zname}.wmark_pages.high", lambda: H(Z, "wmark_pages")(zone, prog["WMARK_HIGH"]))
    check(f"zone.{zname}.zone_page_state", lambda: {
        n: H(V, "zone_page_state")(zone, v) for n, v in enumerators("enum zone_stat_item")})

# --- mmzone: sections (the root 0 sections read directly, then by number) ---
root = prog["mem_section"][0]
nrs = range(prog["__highest_present_section_nr"].value_() + 2)
for f in ("present_section", "valid_section", "online_section", "early_section",
          "decode_section_flags", "section_mem_map_addr"):
    check(f, lambda: {nr: H(Z, f)(root + nr) for nr in nrs})
for f in ("present_section_nr", "valid_section_nr", "online_section_nr", "early_section_nr",
          "nr_to_section", "section_nr_to_pfn"):
    check(f, lambda: {nr: H(Z, f)(prog, nr) for nr in nrs})
check("section_decode_mem_map", lambda: {nr: H(Z, "section_decode_mem_map")(root + nr, nr) for nr in nrs})
check("nr_to_section.beyond", lambda: H(Z, "nr_to_section")(prog, 1 << 40))
check("pfn_to_section_nr", lambda: H(Z, "pfn_to_section_nr")(prog, 100000))
check("pfn_to_section", lambda: H(Z, "pfn_to_section")(prog, 70000))
check("for_each_present_section", lambda: list(H(Z, "for_each_present_section")(prog)))

# --- vmstat ---
check("global_node_page_state", lambda: {
    n: H(V, "global_node_page_state")(prog, v) for n, v in enumerators("enum node_stat_item")})
check("global_zone_page_state", lambda: {
    n: H(V, "global_zone_page_state")(prog, v) for n, v in enumerators("enum zone_stat_item")})
check("global_numa_event_state", lambda: {
    n: H(V, "global_numa_event_state")(prog, v) for n, v in enumerators("enum numa_stat_item")})
check("global_vm_event_state", lambda: {
    n: H(V, "global_vm_event_state")(prog, v) for n, v in enumerators("enum vm_event_item")})
check("nr_free_pages", lambda: H(V, "nr_free_pages")(prog))

# --- hugetlb ---
check("for_each_hstate", lambda: [h.name.string_() for h in H("linux.hugetlb", "for_each_hstate")(prog)])
check("huge_page_size", lambda: [H("linux.hugetlb", "huge_page_size")(h)
                                 for h in H("linux.hugetlb", "for_each_hstate")(prog)])
check("hugetlb_total_pages", lambda: H("linux.hugetlb", "hugetlb_total_pages")(prog))
check("hugetlb_total_usage", lambda: H("linux.hugetlb", "hugetlb_total_usage")(prog))
check("hugetlb_total_usage.used", lambda: H("linux.hugetlb", "hugetlb_total_usage")(prog).used_pages)

# --- mm: page ranges (walks every page once), direct map, overcommit ---
check("for_each_valid_page_range", lambda: list(H(M, "for_each_valid_page_range")(prog)))


def pfns_summary():
    pairs = list(H(M, "for_each_valid_pfn_and_page")(prog))
    return (len(pairs), pairs[0], pairs[-1], sum(p for p, _ in pairs))


check("for_each_valid_pfn_and_page", pfns_summary)
base = prog["page_offset_base"].value_()
for what, addr in (("page_offset", base), ("below", base - 1), ("init_task", prog["init_task"].address_),
                   ("end", base + (prog["max_low_pfn"].value_() + 1) * 4096 - 1),
                   ("past_end", base + (prog["max_low_pfn"].value_() + 1) * 4096)):
    check(f"in_direct_map.{what}", lambda: H(M, "in_direct_map")(prog, addr))
check("vm_commit_limit", lambda: H(M, "vm_commit_limit")(prog))
check("vm_memory_committed", lambda: H(M, "vm_memory_committed")(prog))

# --- mm: memory blocks ---
check("for_each_memory_block", lambda: list(H(M, "for_each_memory_block")(prog)))
check("decode_memory_block_state", lambda: [H(M, "decode_memory_block_state")(mem)
                                            for mem in H(M, "for_each_memory_block")(prog)])
for v in (1, 2, 4, 8, 16, 32):
    check(f"decode_memory_block_state_value.{v}",
          lambda: H(M, "decode_memory_block_state_value")(prog, v))
check("memory_block_size_bytes", lambda: H(M, "memory_block_size_bytes")(prog))

# --- mm: vmap areas ---
try:
    areas = sorted(H(M, "for_each_vmap_area")(prog), key=lambda va: va.va_start.value_())
except Exception:  # a dump whose filtering dropped part of the lists
    areas = []
for i, va in enumerate(areas[:: max(1, len(areas) // 12)]):
    start, end = va.va_start.value_(), va.va_end.value_()
    check(f"find_vmap_area.{i}.start", lambda: H(M, "find_vmap_area")(prog, start))
    check(f"find_vmap_area.{i}.last", lambda: H(M, "find_vmap_area")(prog, end - 1))
check("find_vmap_area.none", lambda: H(M, "find_vmap_area")(prog, 0x1000))

# --- mm: tasks' RSS, size and VMA names ---
tasks = sorted(H("linux.pid", "for_each_task")(prog), key=lambda t: t.pid.value_())
check("task_rss", lambda: {t.pid.value_(): H(M, "task_rss")(prog, t) for t in tasks})
check("task_rss.total", lambda: {t.pid.value_(): H(M, "task_rss")(t).total for t in tasks})
check("task_vsize", lambda: {t.pid.value_(): H(M, "task_vsize")(t) for t in tasks})
check("vma_name", lambda: {t.pid.value_(): [(vma.vm_start.value_(), H(M, "vma_name")(vma))
                                             for vma in H(M, "for_each_vma")(t.mm)]
                           for t in [t for t in tasks if t.mm][:6]})

# --- slab ---
caches = list(H(S, "for_each_slab_cache")(prog))
for f in ("slab_cache_objects_per_slab", "slab_cache_order", "slab_cache_pages_per_slab",
          "slab_cache_usage"):
    check(f, lambda: {(c.name.string_(), c.value_()): H(S, f)(c) for c in caches})
check("slab_cache_usage.active", lambda: {(c.name.string_(), c.value_()): H(S, "slab_cache_usage")(c).active_objs
                                          for c in caches[:20]})
check("slab_total_usage", lambda: H(S, "slab_total_usage")(prog))
check("slab_total_usage.total", lambda: H(S, "slab_total_usage")(prog).total_pages)

# --- stackdepot (the fixtures' depots hold no records: handles naming none) ---
check("stack_depot_fetch.0", lambda: H("linux.stackdepot", "stack_depot_fetch")(
    Object(prog, "depot_stack_handle_t", 0)))
check("stack_depot_fetch.unused_pool", lambda: H("linux.stackdepot", "stack_depot_fetch")(
    Object(prog, "depot_stack_handle_t", 0x3 | (5 << 17))))

# --- bitmap ---
B = "linux.bitmap"
nr_cpus = prog["nr_cpu_ids"].value_()
check("bitmap_weight.online", lambda: H(B, "bitmap_weight")(prog["__cpu_online_mask"].bits, nr_cpus))
check("bitmap_weight.possible", lambda: H(B, "bitmap_weight")(
    prog["__cpu_possible_mask"].bits[0].address_of_(), nr_cpus))
check("bitmap_weight.possible.1", lambda: H(B, "bitmap_weight")(prog["__cpu_possible_mask"].bits, 1))
check("bitmap_weight.nodes", lambda: H(B, "bitmap_weight")(
    prog["node_states"][prog["N_ONLINE"]].bits, prog["nr_node_ids"]))
for nr in range(prog["__highest_present_section_nr"].value_() + 1):
    usage = (root + nr).usage
    check(f"bitmap_weight.subsections.{nr}", lambda: H(B, "bitmap_weight")(usage.subsection_map, 64))
    check(f"bitmap_weight.pageblock_flags.{nr}", lambda: H(B, "bitmap_weight")(
        usage.pageblock_flags, 200))
