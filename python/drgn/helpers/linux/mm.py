# drgn.helpers.linux.mm: memory management — conversions between struct page, PFN,
# physical and direct-map virtual addresses (the memory model's vmemmap and
# PAGE_OFFSET from kdive's MemoryModel), page flags and compound pages, x86-64 page
# table walks (follow_page/pfn/phys), process memory (access_process_vm, cmdline,
# environ), VMAs, vmap areas and totalram_pages; valid PFN ranges, VMA names, RSS,
# overcommit and memory blocks are in _mm_extra. Variants by member presence.
from drgn import FaultError, Object, cast, sizeof
from drgn.helpers import _fallback
from drgn.helpers.common.format import decode_enum_type_flags
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux._util import native
from drgn.helpers.linux.list import list_for_each_entry

__all__ = [
    "PFN_PHYS", "PHYS_PFN", "PageCompound", "PageHead", "PageSlab", "PageTail",
    "access_process_vm", "access_remote_vm", "vma_find", "cmdline", "compound_head", "compound_nr",
    "compound_order", "decode_page_flags", "decode_page_flags_value", "environ",
    "follow_page", "follow_pfn", "follow_phys", "for_each_page", "for_each_vma",
    "for_each_vmap_area", "mm_cmdline", "mm_environ", "page_flags", "page_index",
    "page_size", "page_to_pfn", "page_to_phys", "page_to_virt", "pfn_to_page",
    "pfn_to_virt", "phys_to_page", "phys_to_virt", "totalram_pages", "virt_to_page",
    "virt_to_pfn", "virt_to_phys", "vmalloc_to_page", "vmalloc_to_pfn",
    "decode_memory_block_state", "decode_memory_block_state_value", "find_vmap_area",
    "for_each_memory_block", "for_each_valid_page_range", "for_each_valid_pfn_and_page",
    "in_direct_map", "memory_block_size_bytes", "task_rss", "task_vsize", "vm_commit_limit",
    "vm_memory_committed", "vma_name",
]


def _model(prog):
    # {page_offset, vmemmap, page_shift, struct_page_size, min_pfn, max_pfn}.
    try:
        return prog.cache["kdive_memory_model"]
    except KeyError:
        pass
    if native is not None:
        m = native.memory_model(prog)
    else:  # x86-64 with SPARSEMEM_VMEMMAP, from the kernel's own variables
        m = {"page_offset": prog["page_offset_base"].value_(),
             "vmemmap": prog["vmemmap_base"].value_(), "page_shift": 12,
             "struct_page_size": sizeof(prog.type("struct page")),
             "min_pfn": 0, "max_pfn": prog["max_pfn"].value_()}
    prog.cache["kdive_memory_model"] = m
    return m


def _page_ptr(prog):
    return prog.type("struct page *")


# --- address conversions -------------------------------------------------------------

@takes_program_or_default
def PFN_PHYS(prog, pfn):
    """The physical address (`phys_addr_t`) of a page frame number."""
    return Object(prog, "phys_addr_t", value=pfn.__index__() << _model(prog)["page_shift"])


@takes_program_or_default
def PHYS_PFN(prog, addr):
    """The page frame number (`unsigned long`) of a physical address."""
    return Object(prog, "unsigned long", value=addr.__index__() >> _model(prog)["page_shift"])


def page_to_pfn(page):
    """The PFN (`unsigned long`) of a `struct page *`."""
    m = _model(page.prog_)
    return Object(page.prog_, "unsigned long",
                  value=(page.value_() - m["vmemmap"]) // m["struct_page_size"])


@takes_program_or_default
def pfn_to_page(prog, pfn):
    """The `struct page *` of a PFN."""
    m = _model(prog)
    return Object(prog, _page_ptr(prog), value=m["vmemmap"] + pfn.__index__() * m["struct_page_size"])


@takes_program_or_default
def phys_to_virt(prog, addr):
    """The direct-map address (`void *`) of a physical address."""
    return Object(prog, "void *", value=addr.__index__() + _model(prog)["page_offset"])


@takes_program_or_default
def virt_to_phys(prog, addr):
    """The physical address (`unsigned long`) of a direct-map virtual address. As in
    drgn, only the direct map is translated (not the kernel image: use follow_phys)."""
    return Object(prog, "unsigned long", value=addr.__index__() - _model(prog)["page_offset"])


@takes_program_or_default
def pfn_to_virt(prog, pfn):
    """The direct-map address (`void *`) of a PFN."""
    return phys_to_virt(prog, PFN_PHYS(prog, pfn))


@takes_program_or_default
def phys_to_page(prog, addr):
    """The `struct page *` of a physical address."""
    return pfn_to_page(prog, PHYS_PFN(prog, addr))


@takes_program_or_default
def virt_to_pfn(prog, addr):
    """The PFN (`unsigned long`) of a direct-map virtual address."""
    return PHYS_PFN(prog, virt_to_phys(prog, addr))


@takes_program_or_default
def virt_to_page(prog, addr):
    """The `struct page *` of a direct-map virtual address."""
    return pfn_to_page(prog, virt_to_pfn(prog, addr))


def page_to_phys(page):
    """The physical address (`phys_addr_t`) of a `struct page *`."""
    return PFN_PHYS(page.prog_, page_to_pfn(page))


def page_to_virt(page):
    """The direct-map address (`void *`) of a `struct page *`."""
    return pfn_to_virt(page.prog_, page_to_pfn(page))


@takes_program_or_default
def for_each_page(prog):
    """Each `struct page *` from the first to the last PFN of memory."""
    m = _model(prog)
    t = _page_ptr(prog)
    for pfn in range(m["min_pfn"], m["max_pfn"]):
        yield Object(prog, t, value=m["vmemmap"] + pfn * m["struct_page_size"])


# --- page flags and compound pages ---------------------------------------------------

def page_flags(page):
    """The page's flags word (`unsigned long`)."""
    flags = page.flags
    t = flags.type_
    while t.kind.name == "TYPEDEF":
        t = t.type
    if t.kind.name == "STRUCT":  # 6.18+: memdesc_flags_t
        flags = flags.f
    return flags


def page_index(page):
    """The page's index in its mapping (`pgoff_t`)."""
    return page.index


def _pg(prog, name):
    # enum pageflags constants, looked up once per program (KeyError when the kernel
    # has no such flag, as drgn raises).
    cache = prog.cache.setdefault("kdive_pageflags", {})
    try:
        return cache[name]
    except KeyError:
        value = cache[name] = prog[name].value_()
        return value


def _flag_test(name):
    def test(page):
        return bool(page_flags(page).value_() & (1 << _pg(page.prog_, name)))
    test.__doc__ = f"Whether {name} is set on the `struct page *`."
    return test


for _name, _flag in (
    ("PageActive", "PG_active"), ("PageChecked", "PG_checked"), ("PageDirty", "PG_dirty"),
    ("PageDoubleMap", "PG_double_map"), ("PageError", "PG_error"), ("PageForeign", "PG_foreign"),
    ("PageHWPoison", "PG_hwpoison"), ("PageHasHWPoisoned", "PG_has_hwpoisoned"),
    ("PageIdle", "PG_idle"), ("PageIsolated", "PG_isolated"), ("PageLRU", "PG_lru"),
    ("PageLocked", "PG_locked"), ("PageMappedToDisk", "PG_mappedtodisk"),
    ("PageMlocked", "PG_mlocked"), ("PageOwnerPriv1", "PG_owner_priv_1"),
    ("PagePinned", "PG_pinned"), ("PagePrivate", "PG_private"), ("PagePrivate2", "PG_private_2"),
    ("PageReadahead", "PG_readahead"), ("PageReclaim", "PG_reclaim"),
    ("PageReferenced", "PG_referenced"), ("PageReported", "PG_reported"),
    ("PageReserved", "PG_reserved"), ("PageSavePinned", "PG_savepinned"),
    ("PageSkipKASanPoison", "PG_skip_kasan_poison"), ("PageSlobFree", "PG_slob_free"),
    ("PageSwapBacked", "PG_swapbacked"), ("PageUncached", "PG_uncached"),
    ("PageUnevictable", "PG_unevictable"), ("PageUptodate", "PG_uptodate"),
    ("PageVmemmapSelfHosted", "PG_vmemmap_self_hosted"), ("PageWaiters", "PG_waiters"),
    ("PageWorkingset", "PG_workingset"), ("PageWriteback", "PG_writeback"),
    ("PageXenRemapped", "PG_xen_remapped"), ("PageYoung", "PG_young"),
):
    globals()[_name] = _flag_test(_flag)
    globals()[_name].__name__ = _name
    __all__.append(_name)
del _name, _flag


def PageSlab(page):
    """Whether the page belongs to the slab allocator (PG_slab, or since 6.12 the
    PGTY_slab page type)."""
    prog = page.prog_
    try:
        bit = _pg(prog, "PG_slab")
    except KeyError:
        return (page.page_type.value_() >> 24) == _pg(prog, "PGTY_slab")
    return bool(page_flags(page).value_() & (1 << bit))


def _compound_member(prog):
    t = prog.type("struct page")
    for name in ("compound_info", "compound_head"):
        if t.has_member(name):
            return name
    return None


def PageHead(page):
    """Whether the page is the head of a compound page."""
    return bool(page_flags(page).value_() & (1 << _pg(page.prog_, "PG_head")))


def PageTail(page):
    """Whether the page is a tail page of a compound page."""
    member = _compound_member(page.prog_)
    if member is None:
        return bool(page_flags(page).value_() & (1 << _pg(page.prog_, "PG_tail")))
    return bool(page.member_(member).value_() & 1)


def PageCompound(page):
    """Whether the page is part of a compound page."""
    return PageHead(page) or PageTail(page)


def compound_head(page):
    """The head page of the compound page `page` is in (else `page`)."""
    member = _compound_member(page.prog_)
    if member is not None:
        info = page.member_(member).value_()
        if info & 1:
            return Object(page.prog_, page.type_, value=info - 1)
    return page.read_()


def compound_order(page):
    """The allocation order (`unsigned int`) of a compound page (0 for others)."""
    prog = page.prog_
    if not PageHead(page):
        return Object(prog, "unsigned int", value=0)
    try:
        folio = prog.type("struct folio")
    except LookupError:
        folio = None
    if folio is not None and folio.has_member("_flags_1"):  # 6.6+
        f = cast("struct folio *", page)
        return Object(prog, "unsigned int", value=f._flags_1.value_() & 0xFF)
    if folio is not None and folio.has_member("_folio_order"):  # 6.1 - 6.5
        return Object(prog, "unsigned int", value=cast("struct folio *", page)._folio_order.value_())
    return Object(prog, "unsigned int", value=page[1].compound_order.value_())


def compound_nr(page):
    """How many pages (`unsigned long`) the compound page has."""
    return Object(page.prog_, "unsigned long", value=1 << compound_order(page).value_())


def page_size(page):
    """How many bytes (`unsigned long`) the compound page has."""
    prog = page.prog_
    return Object(prog, "unsigned long",
                  value=(1 << _model(prog)["page_shift"]) << compound_order(page).value_())


@takes_program_or_default
def decode_page_flags_value(prog, flags):
    """The names of the page flags set in `flags` ("PG_uptodate|PG_lru")."""
    nr = prog["__NR_PAGEFLAGS"]
    return decode_enum_type_flags(flags.__index__() & ((1 << nr.value_()) - 1), nr.type_)


def decode_page_flags(page):
    """decode_page_flags_value() of the page's flags."""
    return decode_page_flags_value(page.prog_, page_flags(page))


@takes_program_or_default
def totalram_pages(prog):
    """How many pages of RAM the kernel manages."""
    try:
        return prog["_totalram_pages"].counter.value_()  # 5.0+: atomic_long_t
    except KeyError:
        return prog["totalram_pages"].value_()


# --- page tables (x86-64) ------------------------------------------------------------

def _pa(prog, addr):
    # The kernel's __pa(): unlike virt_to_phys() (drgn's, direct map only) this also
    # translates the kernel image, where init_mm.pgd (swapper_pg_dir) lives.
    if native is not None:
        return native.virt_to_phys(prog, addr)
    return addr - _model(prog)["page_offset"]


_PTE_PFN_MASK = 0x000FFFFFFFFFF000
_PAGE_PRESENT, _PAGE_PSE, _PAGE_PROTNONE = 0x1, 0x80, 0x100


def follow_phys(mm, addr):
    """The physical address (`phys_addr_t`) `addr` maps to in `mm` (a `struct
    mm_struct *`); FaultError when it is not mapped."""
    from drgn.helpers.linux.boot import pgtable_l5_enabled
    prog = mm.prog_
    addr = addr.__index__()
    shifts = (48, 39, 30, 21, 12) if pgtable_l5_enabled(prog) else (39, 30, 21, 12)
    table = _pa(prog, mm.pgd.value_())
    for shift in shifts:
        entry = prog.read_u64(table + ((addr >> shift) & 511) * 8, True)
        # A PROT_NONE user page is present to the kernel though its present bit is clear.
        if not entry & (_PAGE_PRESENT | (_PAGE_PROTNONE if shift == 12 else 0)):
            raise FaultError("address is not mapped", addr)
        if shift in (30, 21) and entry & _PAGE_PSE:
            base = entry & _PTE_PFN_MASK & ~((1 << shift) - 1)
            return Object(prog, "phys_addr_t", value=base | (addr & ((1 << shift) - 1)))
        table = entry & _PTE_PFN_MASK
    return Object(prog, "phys_addr_t", value=table | (addr & 0xFFF))


def follow_pfn(mm, addr):
    """The PFN (`unsigned long`) `addr` maps to in `mm`."""
    return PHYS_PFN(mm.prog_, follow_phys(mm, addr))


def follow_page(mm, addr):
    """The `struct page *` `addr` maps to in `mm`."""
    return phys_to_page(mm.prog_, follow_phys(mm, addr))


@takes_program_or_default
def vmalloc_to_page(prog, addr):
    """The `struct page *` of a vmalloc address (through init_mm's page tables)."""
    return follow_page(prog["init_mm"].address_of_(), addr)


@takes_program_or_default
def vmalloc_to_pfn(prog, addr):
    """The PFN of a vmalloc address."""
    return follow_pfn(prog["init_mm"].address_of_(), addr)


def access_remote_vm(mm, address, size):
    """`size` bytes at user address `address` of `mm`, page by page through its tables."""
    prog = mm.prog_
    address, size = address.__index__(), size.__index__()
    out = []
    while size > 0:
        chunk = min(size, 4096 - (address & 4095))
        out.append(prog.read(follow_phys(mm, address).value_(), chunk, True))
        address += chunk
        size -= chunk
    return b"".join(out)


def access_process_vm(task, address, size):
    """access_remote_vm() of the task's mm."""
    return access_remote_vm(task.mm, address, size)


def mm_cmdline(mm):
    """The arguments of the process (list of bytes)."""
    start, end = mm.arg_start.value_(), mm.arg_end.value_()
    return access_remote_vm(mm, start, end - start).split(b"\0")[:-1]


def mm_environ(mm):
    """The environment of the process (list of bytes)."""
    start, end = mm.env_start.value_(), mm.env_end.value_()
    return access_remote_vm(mm, start, end - start).split(b"\0")[:-1]


def cmdline(task):
    """The task's arguments (list of bytes), None for a kernel thread."""
    mm = task.mm.read_()
    return mm_cmdline(mm) if mm else None


def environ(task):
    """The task's environment (list of bytes), None for a kernel thread."""
    mm = task.mm.read_()
    return mm_environ(mm) if mm else None


def for_each_vma(mm):
    """Each `struct vm_area_struct *` of `mm` by address (mm_mt 6.1+, mmap list before)."""
    prog = mm.prog_
    try:
        tree = mm.mm_mt.address_of_()
    except AttributeError:
        vma = mm.mmap.read_()
        while vma:
            yield vma
            vma = vma.vm_next.read_()
        return
    from drgn.helpers.linux.mapletree import mt_for_each
    t = prog.type("struct vm_area_struct *")
    for _, _, entry in mt_for_each(tree):
        yield cast(t, entry)


def vma_find(mm, addr):
    """The `struct vm_area_struct *` of `mm` whose range holds `addr`, else a NULL one.
    The maple tree (6.1+) maps each VMA's whole range to it; before, the list is sorted."""
    addr = int(addr)
    t = mm.prog_.type("struct vm_area_struct *")
    try:
        tree = mm.mm_mt.address_of_()
    except AttributeError:
        for vma in for_each_vma(mm):
            if vma.vm_start.value_() > addr:
                break
            if addr < vma.vm_end.value_():
                return vma
        return Object(mm.prog_, t, 0)
    from drgn.helpers.linux.mapletree import mtree_load
    return cast(t, mtree_load(tree, addr))


@takes_program_or_default
def for_each_vmap_area(prog):
    """Each `struct vmap_area *` in use (vmap_nodes' busy lists 6.9+, vmap_area_list)."""
    try:
        nodes = prog["vmap_nodes"]
    except KeyError:
        yield from list_for_each_entry("struct vmap_area", prog["vmap_area_list"].address_of_(), "list")
        return
    for i in range(prog["nr_vmap_nodes"].value_()):
        yield from list_for_each_entry("struct vmap_area", nodes[i].busy.head.address_of_(), "list")


# The rest of drgn's mm names live in _mm_extra, which imports from this module: by now
# everything it needs is defined.
from drgn.helpers.linux._mm_extra import (  # noqa: E402
    PageUsage, TaskRss, decode_memory_block_state, decode_memory_block_state_value,
    find_vmap_area, for_each_memory_block, for_each_valid_page_range,
    for_each_valid_pfn_and_page, in_direct_map, memory_block_size_bytes, task_rss,
    task_vsize, vm_commit_limit, vm_memory_committed, vma_name,
)

__getattr__ = _fallback.module_getattr(__name__)
