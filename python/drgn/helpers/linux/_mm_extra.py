# Part of drgn.helpers.linux.mm (which re-exports every name here): valid PFN ranges of
# the memory map, vmap area lookup, VMA names as /proc/PID/maps shows them, overcommit
# accounting, per-task RSS and size, and memory hotplug blocks.
from typing import NamedTuple

from drgn import NULL, Object, ObjectAbsentError, TypeKind, cast, container_of, offsetof
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.bitops import for_each_set_bit
from drgn.helpers.linux.list import list_for_each_entry
from drgn.helpers.linux.percpu import percpu_counter_sum, percpu_counter_sum_positive
from drgn.helpers.linux.rbtree import rb_find


class PageUsage(NamedTuple):
    """A number of pages and how many of them are free."""

    pages: int
    free_pages: int

    @property
    def used_pages(self):
        """pages - free_pages."""
        return self.pages - self.free_pages


class TaskRss(NamedTuple):
    """A task's resident pages by kind (task_rss())."""

    file: int
    anon: int
    shmem: int
    swap: int

    @property
    def total(self):
        """Resident pages: file + anon + shmem (swap entries are not resident)."""
        return self.file + self.anon + self.shmem


# --- valid page frames ---------------------------------------------------------------

_SUBSECTION_SHIFT = 21  # 2 MiB subsections of hot-added memory (5.3+, SPARSEMEM_VMEMMAP)


def _sparse_ranges(prog):
    # pfn_valid() for SPARSEMEM: a section with a memory map, and unless it is an early
    # (boot) section, only the subsections marked in its usage->subsection_map (5.3+,
    # f1eca35a0dc7; VMEMMAP only). Yields (start, end, encoded mem_map) per run.
    from drgn.helpers.linux import mmzone

    shift = mmzone._pfn_section_shift(prog)
    per_section = 1 << shift
    per_subsection = 1 << (_SUBSECTION_SHIFT - prog["PAGE_SHIFT"].value_())
    subsections = per_section // per_subsection
    has_map = mmzone._flag(prog, "SECTION_HAS_MEM_MAP")
    early = mmzone._flag(prog, "SECTION_IS_EARLY")
    map_mask = mmzone._section_flags(prog)[1]
    for nr, section in mmzone._section_table(prog):
        value = section.section_mem_map.value_()
        if not value & has_map:
            continue
        base = nr << shift
        mem_map = value & map_mask
        bitmap = None
        if not value & early:
            try:
                bitmap = section.usage.subsection_map
            except AttributeError:
                pass
        if bitmap is None:
            yield base, base + per_section, mem_map
        else:
            for bit in for_each_set_bit(bitmap, subsections):
                start = base + bit * per_subsection
                yield start, start + per_subsection, mem_map


@takes_program_or_default
def for_each_valid_page_range(prog):
    """(start_pfn, end_pfn, mem_map) of each maximal run of valid page frames:
    mem_map[pfn] (a `struct page *`) is the page of each PFN in [start_pfn, end_pfn)."""
    try:
        prog["mem_section"]
    except KeyError:  # FLATMEM: one memory map from ARCH_PFN_OFFSET
        try:
            start = prog["ARCH_PFN_OFFSET"].value_()
        except KeyError:
            start = 0
        mem_map = prog["mem_map"].read_()
        yield start, start + prog["max_mapnr"].value_(), mem_map - start
        return
    ptr = prog.type("struct page *")
    run = None
    for start, end, mem_map in _sparse_ranges(prog):
        if run is not None and run[1] == start and run[2] == mem_map:
            run[1] = end
            continue
        if run is not None:
            yield run[0], run[1], Object(prog, ptr, run[2])
        run = [start, end, mem_map]
    if run is not None:
        yield run[0], run[1], Object(prog, ptr, run[2])


@takes_program_or_default
def for_each_valid_pfn_and_page(prog):
    """(pfn, `struct page *`) of every valid page frame."""
    for start, end, mem_map in for_each_valid_page_range(prog):
        for pfn in range(start, end):
            yield pfn, mem_map + pfn


# --- vmap areas ----------------------------------------------------------------------

def _vmap_cmp(addr, va):
    if addr < va.va_start.value_():
        return -1
    return 1 if addr >= va.va_end.value_() else 0


def _absent_default(obj, default):
    # On !SMP kernels the compiler may leave these constants without a location.
    try:
        return obj.read_()
    except ObjectAbsentError:
        return default


@takes_program_or_default
def find_vmap_area(prog, addr):
    """The busy `struct vmap_area *` whose range holds `addr`, NULL if none."""
    addr = addr.__index__()
    try:
        nodes = prog["vmap_nodes"]
    except KeyError:  # before 6.9 (d093602919ad): one tree, vmap_area_root
        return rb_find("struct vmap_area", prog["vmap_area_root"].address_of_(), "rb_node",
                       addr, _vmap_cmp)
    nodes = _absent_default(nodes, None)
    if nodes is None:
        nodes = prog.variable("single", "mm/vmalloc.c").address_of_()
    count = _absent_default(prog["nr_vmap_nodes"], 1)
    zone_size = _absent_default(prog["vmap_zone_size"], 1)
    count, zone_size = int(count), int(zone_size)
    # The node of the area's start address (addr_to_node_id()); addr may lie in an area
    # starting in an earlier zone, so the kernel tries every node from there.
    first = (addr // zone_size) % count
    for k in range(count):
        va = rb_find("struct vmap_area", nodes[(first + k) % count].busy.root.address_of_(),
                     "rb_node", addr, _vmap_cmp)
        if va:
            return va
    return NULL(prog, "struct vmap_area *")


# --- VMA names -----------------------------------------------------------------------

def _anon_name_valid(vma, has_file):
    # vm_area_struct::anon_name (CONFIG_ANON_VMA_NAME) shared a union with ->shared
    # from 5.17 (9a10064f5625) until 6.2 (d09e8ca6cb93), when it was valid only for
    # VMAs without a file.
    t = vma.type_.type
    if not t.has_member("anon_name"):
        return False
    if t.has_member("shared") and offsetof(t, "anon_name") == offsetof(t, "shared"):
        return not has_file
    return True


def vma_name(vma):
    """The name /proc/PID/maps shows for a `struct vm_area_struct *` (bytes): the file's
    path, [anon_shmem:NAME], a special mapping's name ([vdso], [vvar], ...), [heap],
    [stack], [anon:NAME], or b"" for plain anonymous memory."""
    prog = vma.prog_
    mm = vma.vm_mm.read_()
    file = vma.vm_file.read_()
    if file:
        if mm and _anon_name_valid(vma, True):
            anon = vma.anon_name.read_()
            if anon:
                return b"[anon_shmem:" + anon.name.string_() + b"]"
        from drgn.helpers.linux.fs import d_path
        return d_path(file.f_path)
    ops = vma.vm_ops.read_()
    if ops:
        try:
            special = prog["special_mapping_name"].address_
        except KeyError:
            special = None
        if special is not None and ops.name.value_() == special:
            return cast("struct vm_special_mapping *", vma.vm_private_data).name.string_()
    if not mm:
        return b"[vdso]"
    start, end = vma.vm_start.value_(), vma.vm_end.value_()
    brk, start_brk = mm.brk.value_(), mm.start_brk.value_()
    if brk and start_brk and start <= brk and end >= start_brk:
        return b"[heap]"
    stack = mm.start_stack.value_()
    if stack and start <= stack <= end:
        return b"[stack]"
    if _anon_name_valid(vma, False):
        anon = vma.anon_name.read_()
        if anon:
            return b"[anon:" + anon.name.string_() + b"]"
    return b""


# --- accounting ----------------------------------------------------------------------

@takes_program_or_default
def vm_commit_limit(prog):
    """The overcommit limit in pages (CommitLimit): overcommit_kbytes, else
    overcommit_ratio percent of RAM outside HugeTLB pools, plus swap."""
    kbytes = prog["sysctl_overcommit_kbytes"].value_()
    if kbytes:
        allowed = kbytes >> (prog["PAGE_SHIFT"].value_() - 10)
    else:
        from drgn.helpers.linux.hugetlb import hugetlb_total_pages
        from drgn.helpers.linux.mm import totalram_pages
        ram = totalram_pages(prog) - hugetlb_total_pages(prog)
        allowed = ram * prog["sysctl_overcommit_ratio"].value_() // 100
    return allowed + prog["total_swap_pages"].value_()


@takes_program_or_default
def vm_memory_committed(prog):
    """Pages of committed address space (Committed_AS)."""
    return percpu_counter_sum_positive(prog["vm_committed_as"].address_of_())


@takes_program_or_default
def in_direct_map(prog, addr):
    """Whether `addr` is in the direct map of low memory (min_low_pfn..max_low_pfn)."""
    from drgn.helpers.linux.mm import pfn_to_virt
    addr = addr.__index__()
    low = pfn_to_virt(prog, prog["min_low_pfn"]).value_()
    high = pfn_to_virt(prog, prog["max_low_pfn"]).value_() + prog["PAGE_SIZE"].value_()
    return low <= addr < high


@takes_program_or_default
def task_rss(prog, task):
    """TaskRss of a `struct task_struct *` in pages (zeros for a kernel thread)."""
    mm = task.mm.read_()
    if not mm:
        return TaskRss(0, 0, 0, 0)
    prog = task.prog_
    items = [prog.constant(n).value_() for n in ("MM_FILEPAGES", "MM_ANONPAGES")]
    try:  # 4.5+ (eca56ff906bd)
        shmem = prog.constant("MM_SHMEMPAGES").value_()
    except LookupError:
        shmem = None
    items += [shmem, prog.constant("MM_SWAPENTS").value_()]
    stat = mm.rss_stat
    if stat.type_.unaliased_kind() == TypeKind.ARRAY:
        # 6.2+ (f1a7941243c1): one percpu_counter per item.
        counts = [0 if i is None else percpu_counter_sum(stat[i].address_of_()) for i in items]
    else:
        # Before: mm counters plus each thread's not yet synced cache (task->rss_stat,
        # SPLIT_RSS_COUNTING only).
        counts = [0 if i is None else stat.count[i].counter.value_() for i in items]
        if task.type_.type.has_member("rss_stat"):
            from drgn.helpers.linux.pid import for_each_task_in_group
            for thread in for_each_task_in_group(task, include_self=True):
                cache = thread.rss_stat.count
                for k, i in enumerate(items):
                    if i is not None:
                        counts[k] += cache[i].value_()
    return TaskRss(*counts)


def task_vsize(task):
    """The task's virtual memory size in bytes (0 for a kernel thread)."""
    mm = task.mm.read_()
    if not mm:
        return 0
    return mm.total_vm.value_() * task.prog_["PAGE_SIZE"].value_()


# --- memory hotplug blocks -----------------------------------------------------------

def _bus_devices(bus):
    # The struct device * on a bus, in registration order: its subsys_private's device
    # klist. bus_type::p was dropped in 6.3 (d2bf38c088e0); since then the private part
    # is found on bus_kset's list by its bus pointer.
    prog = bus.prog_
    if bus.type_.type.has_member("p"):
        sp = bus.p.read_()
    else:
        sp = None
        for s in list_for_each_entry("struct subsys_private",
                                     prog["bus_kset"].list.address_of_(), "subsys.kobj.entry"):
            if s.bus.value_() == bus.value_():
                sp = s
                break
        if sp is None:
            return
    for priv in list_for_each_entry("struct device_private",
                                    sp.klist_devices.k_list.address_of_(), "knode_bus.n_node"):
        yield priv.device.read_()


@takes_program_or_default
def for_each_memory_block(prog):
    """Each `struct memory_block *` (the devices of the memory bus)."""
    for dev in _bus_devices(prog["memory_subsys"].address_of_()):
        yield container_of(dev, "struct memory_block", "dev")


def decode_memory_block_state(mem):
    """The name of a `struct memory_block *`'s state ("MEM_ONLINE", ...)."""
    return decode_memory_block_state_value(mem.prog_, mem.state)


# The MEM_* state macros before 6.19 (include/linux/memory.h): one bit each.
_STATE_MACROS = ("MEM_ONLINE", "MEM_GOING_OFFLINE", "MEM_OFFLINE", "MEM_GOING_ONLINE",
                 "MEM_CANCEL_ONLINE", "MEM_CANCEL_OFFLINE", "MEM_PREPARE_ONLINE",
                 "MEM_FINISH_OFFLINE")


@takes_program_or_default
def decode_memory_block_state_value(prog, state):
    """The name of a memory block state value."""
    value = state.value_() if isinstance(state, Object) else state.__index__()
    try:  # 6.19+: enum memory_block_state
        enum = prog.type("enum memory_block_state")
    except LookupError:
        if value > 0 and value & (value - 1) == 0 and value.bit_length() <= len(_STATE_MACROS):
            return _STATE_MACROS[value.bit_length() - 1]
        raise KeyError(value)
    for e in enum.enumerators:
        if e.value == value:
            return e.name
    return str(value)


@takes_program_or_default
def memory_block_size_bytes(prog):
    """The size in bytes (`unsigned long`) of a memory hotplug block."""
    from drgn.helpers.linux import mmzone
    bits = mmzone._geometry(prog)["SECTION_SIZE_BITS"]
    return Object(prog, "unsigned long", prog["sections_per_block"].value_() << bits)
