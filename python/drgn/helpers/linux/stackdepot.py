# drgn.helpers.linux.stackdepot: the stack depot (lib/stackdepot.c), where KASAN, page
# owner, SLUB debugging and others store deduplicated stack traces by 32-bit handle.
from drgn import Object, cast, reinterpret
from drgn.helpers import _fallback

__all__ = ("stack_depot_fetch",)

# Records are aligned to 1 << DEPOT_STACK_ALIGN bytes in their pool, and a handle's
# offset counts in that unit (unchanged since the depot appeared in 4.6).
_DEPOT_STACK_ALIGN = 4


def _pool(prog, parts):
    # The pool (slab before 6.3) a handle points into, or None. Pools were "slabs"
    # (stack_slabs[], last one depot_index) before 6.3 (961c949b012f); since then
    # stack_pools[], pools_num of them, and since 6.9 (3ee34eabac2a, renamed in
    # a6c1d9cb9a68) the handle stores the index plus 1 so that no handle is 0.
    try:
        pools = prog["stack_pools"]
    except KeyError:
        index = parts.slabindex.value_()
        if index > prog["depot_index"].value_():
            return None
        pool = prog["stack_slabs"][index]
    else:
        try:
            index = parts.pool_index_plus_1.value_() - 1
        except AttributeError:
            index = parts.pool_index.value_()
        try:
            count = prog["pools_num"].value_()
        except KeyError:
            count = prog["pool_index"].value_() + 1
        if index < 0 or index >= count:
            return None
        pool = pools[index]
    pool = pool.read_()
    return pool if pool else None


def stack_depot_fetch(handle):
    """The StackTrace stored under a `depot_stack_handle_t`, or None when the handle
    is 0 or names no stored record."""
    prog = handle.prog_
    # The handle's bit fields (pool index, offset) through union handle_parts.
    if not handle.value_():
        return None
    parts = reinterpret("union handle_parts", handle)
    pool = _pool(prog, parts)
    if pool is None:
        return None
    address = pool.value_() + (parts.offset.value_() << _DEPOT_STACK_ALIGN)
    record = cast("struct stack_record *", Object(prog, "void *", address))
    size = record.size.value_()
    return prog.stack_trace_from_pcs([record.entries[i].value_() for i in range(size)])


__getattr__ = _fallback.module_getattr(__name__)
