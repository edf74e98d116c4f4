# drgn.helpers.common.memory: what an address is (slab object, task stack, symbol), as
# drgn's identify_address() words it — kdive's native AddressIdentifier for kernels —
# every identity of an address as objects (identify_address_all: symbols, task structs
# and stacks, slab objects, pages, vmap areas), and memory dumps annotated with them.
import os

from drgn import FaultError, Object, ProgramFlags, SymbolKind
from drgn.helpers import _fallback
from drgn.helpers.common.format import escape_ascii_string
from drgn.helpers.common.prog import takes_program_or_default

__all__ = ("identify_address", "identify_address_all", "print_annotated_memory")


def _native():
    try:
        from _drgn import _kdive_helpers
    except ImportError:
        return None
    return _kdive_helpers


@takes_program_or_default
def identify_address(prog, addr, *, cache=None):
    """What `addr` is, or None: "slab object: CACHE+0xOFF", "free slab object: ...",
    "vmap stack: PID (COMM) +0xOFF", "function symbol: NAME+0xOFF", "object symbol: ...".
    (`cache` is accepted for drgn's signature; the native identifier caches itself.)"""
    addr = addr.value_() if isinstance(addr, Object) else addr.__index__()
    native = _native()
    if native is not None and prog.flags & ProgramFlags.IS_LINUX_KERNEL:
        return native.identify_address(prog, addr)
    drgn_version = getattr(_fallback.private_module(__name__), "identify_address", None)
    if drgn_version is None:
        raise NotImplementedError("identify_address needs kdive's native helpers")
    return drgn_version(prog, addr)


@takes_program_or_default
def print_annotated_memory(prog, address, size, physical=False):
    """Print `size` bytes at `address` a word a line ("ADDRESS: VALUE"), with what each
    value points to in brackets when identify_address() knows ("[slab object: ...]")."""
    address = address.__index__()
    data = prog.read(address, size.__index__(), physical)
    word = 8  # x86-64, little-endian: the one platform kdive reads
    print("ADDRESS           VALUE")
    for off in range(0, len(data), word):
        value = int.from_bytes(data[off:off + word], "little")
        ident = identify_address(prog, value)
        print(f"{address + off:016x}: {value:016x}" + (f" [{ident}]" if ident is not None else ""))



# --- identify_address_all: the identities as objects ---------------------------------
# Each has `address` (the address identified) and a str() in identify_address()'s words.

class _Identified:
    _fields = ()

    def __init__(self, address, *values):
        self.address = address
        for name, value in zip(self._fields, values):
            setattr(self, name, value)

    def __repr__(self):
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in ("address",) + self._fields)
        return f"{type(self).__name__}({inner})"

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in ("address",) + self._fields)


def _plus(address, base):
    return f" +{hex(address - base)}" if address > base else ""


def _task_name(task):
    return f"{task.pid.value_()} ({os.fsdecode(task.comm.string_())})"


class IdentifiedSymbol(_Identified):
    """An address inside a symbol (`symbol`: the drgn.Symbol)."""
    _fields = ("symbol",)

    def __str__(self):
        kind = {SymbolKind.OBJECT: "object symbol",
                SymbolKind.FUNC: "function symbol"}.get(self.symbol.kind, "symbol")
        return f"{kind}: {self.symbol.name}+{hex(self.address - self.symbol.address)}"


class IdentifiedTaskStruct(_Identified):
    """An address inside a task (`task`: its `struct task_struct *`)."""
    _fields = ("task",)

    def __str__(self):
        return f"task: {_task_name(self.task)}" + _plus(self.address, self.task.value_())


class IdentifiedTaskStack(_Identified):
    """An address inside a task's kernel stack (`task`: its `struct task_struct *`)."""
    _fields = ("task",)

    def __str__(self):
        return (f"task stack: {_task_name(self.task)}"
                f" +{hex(self.address - self.task.stack.value_())}")


class IdentifiedSlabObject(_Identified):
    """An address inside a slab object (`slab_object_info`: its SlabObjectInfo)."""
    _fields = ("slab_object_info",)

    def __str__(self):
        info = self.slab_object_info
        if not info.address:  # SLOB keeps no per-object metadata
            return "unknown slab object"
        name = escape_ascii_string(info.slab_cache.name.string_(), escape_backslash=True)
        state = "" if info.allocated else ("corrupted " if info.allocated is None else "free ")
        return f"{state}slab object: {name}+{hex(self.address - info.address)}"


class IdentifiedVmap(_Identified):
    """An address in a vmap area (`vmap_area`, `vm_struct`: its pointers)."""
    _fields = ("vmap_area", "vm_struct")

    def __str__(self):
        s = f"vmap: {hex(self.vmap_area.va_start.value_())}-{hex(self.vmap_area.va_end.value_())}"
        caller = self.vm_struct.caller.value_()
        try:
            sym = self.vm_struct.prog_.symbol(caller)
        except LookupError:
            return s
        return s + f" caller {sym.name}+{hex(caller - sym.address)}"


class IdentifiedPage(_Identified):
    """An address inside a `struct page` (`page`: the `struct page *`, `pfn`: its PFN)."""
    _fields = ("page", "pfn")

    def __str__(self):
        return f"page: pfn {self.pfn}" + _plus(self.address, self.page.value_())


def _cached(prog, key, compute):
    try:
        return prog.cache[key]
    except KeyError:
        value = prog.cache[key] = compute()
        return value


def _thread_size(prog):
    return prog["THREAD_SIZE"].value_()


def _stack_allocator(prog):
    # Where kernel stacks come from: "vmap" (CONFIG_VMAP_STACK: task->stack_vm_area
    # exists), the thread_stack_cache slab cache (THREAD_SIZE below PAGE_SIZE), else
    # whole pages of the page allocator ("pages").
    def compute():
        if prog.type("struct task_struct").has_member("stack_vm_area"):
            return "vmap"
        try:
            return prog["thread_stack_cache"].read_()
        except KeyError:
            return "pages"
    return _cached(prog, "kdive_stack_allocator", compute)


def _tasks_with_stacks(prog):
    # Every task with a PID, then the idle tasks of the other online CPUs (CPU 0's is
    # init_task, whose stack init_stack is a symbol, identified as such).
    from drgn.helpers.linux.cpumask import for_each_online_cpu
    from drgn.helpers.linux.pid import for_each_task
    from drgn.helpers.linux.sched import idle_task
    yield from for_each_task(prog)
    for cpu in for_each_online_cpu(prog):
        if cpu:
            yield idle_task(prog, cpu)


def _find_task_stack(prog, addr, cache):
    # Stacks are THREAD_SIZE-aligned: the stack holding addr starts at addr rounded down.
    base = addr & ~(_thread_size(prog) - 1)
    if cache is None:
        for task in _tasks_with_stacks(prog):
            try:
                if task.stack.value_() == base:
                    return task
            except FaultError:
                pass
        return None
    stacks = cache.get("stack_to_task")
    if stacks is None:
        stacks = {}
        for task in _tasks_with_stacks(prog):
            try:
                stacks[task.stack.value_()] = task
            except FaultError:
                pass
        cache["stack_to_task"] = stacks
    return stacks.get(base)


def _find_page(prog, addr, cache):
    from drgn.helpers.linux.mm import for_each_valid_page_range
    if cache is None:
        ranges = for_each_valid_page_range(prog)
    else:
        ranges = cache.get("valid_page_ranges")
        if ranges is None:
            ranges = cache["valid_page_ranges"] = list(for_each_valid_page_range(prog))
    for start_pfn, end_pfn, mem_map in ranges:
        size = mem_map.type_.type.size
        first = mem_map.value_() + start_pfn * size
        if first <= addr < mem_map.value_() + end_pfn * size:
            i = (addr - first) // size
            return IdentifiedPage(addr, Object(prog, mem_map.type_, value=first + i * size),
                                  start_pfn + i)
    return None


def _is_task_struct(prog, info):
    # A slab object of task_struct_cachep is a task — unless other caches were merged
    # into that one; then only if the task its PID (or CPU, for an idle task) names is it.
    from drgn.helpers.linux.pid import find_task
    from drgn.helpers.linux.sched import idle_task, task_cpu
    cachep = _cached(prog, "kdive_task_struct_cachep", lambda: prog["task_struct_cachep"].read_())
    if info.slab_cache.value_() != cachep.value_():
        return None
    task = Object(prog, "struct task_struct *", value=info.address)
    if cachep.refcount.value_() > 1:
        pid = task.pid.value_()
        real = find_task(prog, pid) if pid else idle_task(prog, task_cpu(task))
        if real.value_() != task.value_():
            return None
    return task


def _identify_init_task(prog, addr):
    # init_task and its stack (init_stack) are symbols, not slab or vmap memory.
    def compute():
        task = prog["init_task"]
        start = task.address_
        stack = task.stack.value_()
        return (task.address_of_(), (start, start + task.type_.size),
                (stack, stack + _thread_size(prog)))
    task, (t0, t1), (s0, s1) = _cached(prog, "kdive_init_task_ranges", compute)
    if t0 <= addr < t1:
        yield IdentifiedTaskStruct(addr, task)
    elif s0 <= addr < s1:
        yield IdentifiedTaskStack(addr, task)


def _identify_kernel(prog, addr, is_symbol, cache):
    from drgn.helpers.linux.mm import (PageSlab, compound_head, find_vmap_area, in_direct_map,
                                      virt_to_page)
    from drgn.helpers.linux.slab import slab_object_info
    try:
        direct = not is_symbol and in_direct_map(prog, addr)
    except NotImplementedError:
        direct = None
    # struct pages are in the direct map without SPARSEMEM_VMEMMAP, else in vmemmap.
    if "vmemmap" in prog:
        maybe_page = not is_symbol and not direct
    else:
        maybe_page = direct is not False
    if maybe_page:
        page = _find_page(prog, addr, cache)
        if page is not None:
            yield page
            return
    if direct:
        info = slab_object_info(prog, addr)
        if info is not None:
            if info.allocated:
                task = _is_task_struct(prog, info)
                if task is not None:
                    yield IdentifiedTaskStruct(addr, task)
                else:
                    # Stacks smaller than a page come from thread_stack_cache.
                    alloc = _stack_allocator(prog)
                    if isinstance(alloc, Object) and info.slab_cache.value_() == alloc.value_():
                        task = _find_task_stack(prog, addr, cache)
                        if task is not None:
                            yield IdentifiedTaskStack(addr, task)
            yield IdentifiedSlabObject(addr, info)
        elif (_stack_allocator(prog) == "pages"
              and not PageSlab(compound_head(virt_to_page(prog, addr)))):
            # Stacks of whole pages: any non-slab direct-map address may be one.
            task = _find_task_stack(prog, addr, cache)
            if task is not None:
                yield IdentifiedTaskStack(addr, task)
        return
    va = find_vmap_area(prog, addr)
    if not va:
        return
    vm = va.vm.read_()
    if not vm:
        return
    if not is_symbol and _stack_allocator(prog) == "vmap":
        task = _find_task_stack(prog, addr, cache)
        if task is not None:
            yield IdentifiedTaskStack(addr, task)
    yield IdentifiedVmap(addr, va, vm)


@takes_program_or_default
def identify_address_all(prog, addr, *, cache=None):
    """Every identity of `addr`, most specific first (e.g. a task, then its slab
    object): IdentifiedSymbol, and for kernels IdentifiedTaskStruct, IdentifiedTaskStack,
    IdentifiedSlabObject, IdentifiedPage, IdentifiedVmap. `cache`: a dict to share
    between calls made close together."""
    addr = addr.value_() if isinstance(addr, Object) else addr.__index__()
    kernel = bool(prog.flags & ProgramFlags.IS_LINUX_KERNEL)
    try:
        symbol = prog.symbol(addr)
    except LookupError:
        symbol = None
    if symbol is not None:
        if kernel:
            yield from _identify_init_task(prog, addr)
        yield IdentifiedSymbol(addr, symbol)
    if kernel:
        yield from _identify_kernel(prog, addr, symbol is not None, cache)


__getattr__ = _fallback.module_getattr(__name__)
