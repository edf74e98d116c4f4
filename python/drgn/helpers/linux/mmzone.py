# drgn.helpers.linux.mmzone: NUMA nodes' pglist_data and zones (watermarks), and the
# SPARSEMEM section table (mem_section): section numbers <-> PFNs, each section's
# flags and memory map, and walking the present sections.
from drgn import NULL, Object, TypeKind
from drgn.helpers import _fallback
from drgn.helpers.common.format import decode_flags
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.nodemask import for_each_online_node

__all__ = (
    "NODE_DATA",
    "decode_section_flags",
    "early_section",
    "early_section_nr",
    "for_each_online_pgdat",
    "for_each_present_section",
    "high_wmark_pages",
    "low_wmark_pages",
    "min_wmark_pages",
    "nr_to_section",
    "online_section",
    "online_section_nr",
    "pfn_to_section",
    "pfn_to_section_nr",
    "present_section",
    "present_section_nr",
    "section_decode_mem_map",
    "section_mem_map_addr",
    "section_nr_to_pfn",
    "valid_section",
    "valid_section_nr",
    "wmark_pages",
)


# --- nodes and zones -----------------------------------------------------------------

@takes_program_or_default
def NODE_DATA(prog, nid):
    """The `struct pglist_data *` of NUMA node `nid` (contig_page_data without
    CONFIG_NUMA)."""
    try:
        node_data = prog["node_data"]
    except KeyError:
        return prog["contig_page_data"].address_of_()
    return node_data[nid]


@takes_program_or_default
def for_each_online_pgdat(prog):
    """The `struct pglist_data *` of each online node."""
    for nid in for_each_online_node(prog):
        yield NODE_DATA(prog, nid)


def wmark_pages(zone, i):
    """Watermark `i` (an `enum zone_watermarks` value) of a `struct zone *`, in pages."""
    # 5.0 renamed watermark[] to _watermark[] (a921444382b4) and added the temporary
    # watermark_boost that the kernel's wmark_pages() adds (1c30844d2dfe).
    try:
        marks = zone._watermark
    except AttributeError:
        return zone.watermark[i].value_()
    return (marks[i] + zone.watermark_boost).value_()


def min_wmark_pages(zone):
    """The zone's WMARK_MIN watermark (below it allocations reclaim directly)."""
    return wmark_pages(zone, zone.prog_["WMARK_MIN"])


def low_wmark_pages(zone):
    """The zone's WMARK_LOW watermark (below it kswapd is woken)."""
    return wmark_pages(zone, zone.prog_["WMARK_LOW"])


def high_wmark_pages(zone):
    """The zone's WMARK_HIGH watermark (kswapd's goal)."""
    return wmark_pages(zone, zone.prog_["WMARK_HIGH"])


# --- SPARSEMEM sections --------------------------------------------------------------

def _vmcoreinfo_number(prog, key):
    for line in prog["VMCOREINFO"].string_().decode(errors="replace").splitlines():
        name, _, value = line.partition("=")
        if name == key:
            return int(value)
    raise KeyError(key)


def _geometry(prog):
    # {SECTIONS_PER_ROOT, NR_SECTION_ROOTS, SECTION_SIZE_BITS, MAX_PHYSMEM_BITS} as
    # ints. drgn's core provides them as constants; where the core lacks them they are
    # derived from VMCOREINFO (LENGTH(mem_section) is NR_SECTION_ROOTS; the NUMBERs
    # are there since 5.9/5.13) and the mem_section type: SPARSEMEM_EXTREME roots are
    # a page of sections each, SPARSEMEM_STATIC roots one section.
    try:
        return prog.cache["kdive_sparsemem_geometry"]
    except KeyError:
        pass
    names = ("SECTIONS_PER_ROOT", "NR_SECTION_ROOTS", "SECTION_SIZE_BITS", "MAX_PHYSMEM_BITS")
    try:
        geo = {name: prog[name].value_() for name in names}
    except KeyError:
        geo = {"NR_SECTION_ROOTS": _vmcoreinfo_number(prog, "LENGTH(mem_section)"),
               "SECTION_SIZE_BITS": _vmcoreinfo_number(prog, "NUMBER(SECTION_SIZE_BITS)")}
        outer = prog["mem_section"].type_.unaliased()
        inner = outer.type.unaliased()
        if inner.kind == TypeKind.POINTER:
            geo["SECTIONS_PER_ROOT"] = prog["PAGE_SIZE"].value_() // inner.type.size
        else:
            geo["SECTIONS_PER_ROOT"] = 1
        try:
            geo["MAX_PHYSMEM_BITS"] = _vmcoreinfo_number(prog, "NUMBER(MAX_PHYSMEM_BITS)")
        except KeyError:  # NR_SECTION_ROOTS * SECTIONS_PER_ROOT == 1 << SECTIONS_SHIFT
            sections = geo["NR_SECTION_ROOTS"] * geo["SECTIONS_PER_ROOT"]
            geo["MAX_PHYSMEM_BITS"] = sections.bit_length() - 1 + geo["SECTION_SIZE_BITS"]
    prog.cache["kdive_sparsemem_geometry"] = geo
    return geo


def _pfn_section_shift(prog):
    return _geometry(prog)["SECTION_SIZE_BITS"] - prog["PAGE_SHIFT"].value_()


def _section_flags(prog):
    # [(name, mask)] of the flag bits in the low bits of section_mem_map, and the mask
    # of the memory map's address bits. Since 6.0 (ed7802dd48f7) the bits are an
    # anonymous enum ending in SECTION_MAP_LAST_BIT; before, macros with fixed values
    # (a bit a kernel does not have is never set in it).
    try:
        return prog.cache["kdive_section_flags"]
    except KeyError:
        pass
    try:
        enum = prog["SECTION_MARKED_PRESENT_BIT"].type_.unaliased()
    except KeyError:
        flags = [("SECTION_MARKED_PRESENT", 1 << 0), ("SECTION_HAS_MEM_MAP", 1 << 1),
                 ("SECTION_IS_ONLINE", 1 << 2), ("SECTION_IS_EARLY", 1 << 3),
                 ("SECTION_TAINT_ZONE_DEVICE", 1 << 4)]
        map_shift = 5
    else:
        flags = []
        map_shift = None
        for e in enum.enumerators:
            if e.name == "SECTION_MAP_LAST_BIT":
                map_shift = e.value
            elif e.name.endswith("_BIT"):
                flags.append((e.name[:-4], 1 << e.value))
    result = (flags, ~((1 << map_shift) - 1) & 0xFFFFFFFFFFFFFFFF)
    prog.cache["kdive_section_flags"] = result
    return result


def _flag(prog, name):
    for flag_name, mask in _section_flags(prog)[0]:
        if flag_name == name:
            return mask
    return 0


@takes_program_or_default
def pfn_to_section_nr(prog, pfn):
    """The number (`unsigned long`) of the section holding page frame `pfn`."""
    return Object(prog, "unsigned long", pfn.__index__() >> _pfn_section_shift(prog))


@takes_program_or_default
def section_nr_to_pfn(prog, nr):
    """The first page frame number (`unsigned long`) of section `nr`."""
    return Object(prog, "unsigned long", nr.__index__() << _pfn_section_shift(prog))


def _roots(prog):
    # mem_section as something indexable by root number (None when SPARSEMEM_EXTREME's
    # table is not allocated), and whether each root is a pointer to its sections.
    table = prog["mem_section"]
    if table.type_.unaliased_kind() == TypeKind.POINTER:
        table = table.read_()
        if not table:
            return None, False
    return table, table.type_.unaliased().type.unaliased_kind() == TypeKind.POINTER


@takes_program_or_default
def nr_to_section(prog, nr):
    """The `struct mem_section *` of section `nr`, NULL if its root is absent."""
    nr = nr.__index__()
    geo = _geometry(prog)
    per_root = geo["SECTIONS_PER_ROOT"]
    root_nr = nr // per_root
    if root_nr >= geo["NR_SECTION_ROOTS"]:
        return NULL(prog, "struct mem_section *")
    table, root_is_pointer = _roots(prog)
    if table is None:
        return NULL(prog, "struct mem_section *")
    root = table[root_nr]
    if root_is_pointer:
        root = root.read_()
        if not root:
            return root
    return root + (nr % per_root)


@takes_program_or_default
def pfn_to_section(prog, pfn):
    """The `struct mem_section *` holding page frame `pfn`."""
    return nr_to_section(prog, pfn_to_section_nr(prog, pfn))


def section_mem_map_addr(section):
    """The section's encoded memory map (`struct page *`): indexed by PFN, not by the
    page's place in the section."""
    prog = section.prog_
    return Object(prog, "struct page *",
                  section.section_mem_map.value_() & _section_flags(prog)[1])


def section_decode_mem_map(section, nr):
    """The `struct page *` of the first page of the section (number `nr`)."""
    return section_mem_map_addr(section) + section_nr_to_pfn(section.prog_, nr)


def _has_flag(section, name):
    section = section.read_()
    if not section:
        return False
    return bool(section.section_mem_map.value_() & _flag(section.prog_, name))


def present_section(section):
    """Whether the `struct mem_section *` is present (SECTION_MARKED_PRESENT)."""
    return _has_flag(section, "SECTION_MARKED_PRESENT")


def valid_section(section):
    """Whether the section has a memory map (SECTION_HAS_MEM_MAP)."""
    return _has_flag(section, "SECTION_HAS_MEM_MAP")


def online_section(section):
    """Whether the section is online (SECTION_IS_ONLINE, 4.13+)."""
    return _has_flag(section, "SECTION_IS_ONLINE")


def early_section(section):
    """Whether the section was set up at boot (SECTION_IS_EARLY, 5.3+)."""
    return _has_flag(section, "SECTION_IS_EARLY")


@takes_program_or_default
def present_section_nr(prog, nr):
    """present_section() of section number `nr`."""
    return present_section(nr_to_section(prog, nr))


@takes_program_or_default
def valid_section_nr(prog, nr):
    """valid_section() of section number `nr`."""
    return valid_section(nr_to_section(prog, nr))


@takes_program_or_default
def online_section_nr(prog, nr):
    """online_section() of section number `nr`."""
    return online_section(nr_to_section(prog, nr))


@takes_program_or_default
def early_section_nr(prog, nr):
    """early_section() of section number `nr`."""
    return early_section(nr_to_section(prog, nr))


def decode_section_flags(section):
    """The names of the flags set on a `struct mem_section *`, joined by "|"."""
    flags, map_mask = _section_flags(section.prog_)
    return decode_flags(section.section_mem_map.value_() & ~map_mask, flags, False)


def _highest_present_section_nr(prog):
    try:
        return prog["__highest_present_section_nr"].value_()
    except KeyError:  # before 4.13 (c4e1be9ec113): every possible section
        geo = _geometry(prog)
        return (1 << (geo["MAX_PHYSMEM_BITS"] - geo["SECTION_SIZE_BITS"])) - 1


def _section_table(prog):
    # (number, struct mem_section object) of every section up to the highest present
    # one, skipping absent roots.
    per_root = _geometry(prog)["SECTIONS_PER_ROOT"]
    last = _highest_present_section_nr(prog)
    table, root_is_pointer = _roots(prog)
    if table is None:
        return
    for root_nr in range(last // per_root + 1):
        root = table[root_nr]
        if root_is_pointer:
            root = root.read_()
            if not root:
                continue
        first = root_nr * per_root
        for i in range(min(per_root, last + 1 - first)):
            yield first + i, root[i]


@takes_program_or_default
def for_each_present_section(prog):
    """(section number, `struct mem_section *`) of each present section."""
    present = _flag(prog, "SECTION_MARKED_PRESENT")
    for nr, section in _section_table(prog):
        if section.section_mem_map.value_() & present:
            yield nr, section.address_of_()


__getattr__ = _fallback.module_getattr(__name__)
