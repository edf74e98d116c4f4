# drgn.helpers.linux.xarray: the kernel's XArray (4.20+; also what radix_tree_root and
# the IDR are built on): lookup, iteration and the entry-encoding tests. Nodes are read
# as raw words (the tagged pointers are decoded as include/linux/xarray.h does).
import struct

from drgn import Object, offsetof
from drgn.helpers import _fallback

__all__ = ("xa_for_each", "xa_is_value", "xa_is_zero", "xa_load", "xa_to_value")

_XA_ZERO_ENTRY = (257 << 2) | 2   # xa_mk_internal(257)
_XA_RETRY_ENTRY = (256 << 2) | 2  # xa_mk_internal(256)


def _layout(prog):
    # struct xa_node: where shift and slots are and how many slots a node has.
    try:
        return prog.cache["kdive_xa_layout"]
    except KeyError:
        pass
    node = prog.type("struct xa_node")
    chunk = node.member("slots").type.length
    lay = (offsetof(node, "shift"), offsetof(node, "slots"), chunk,
           prog.type("void *"), struct.Struct(f"<{chunk}Q"))
    prog.cache["kdive_xa_layout"] = lay
    return lay


def _is_internal(v):
    return (v & 3) == 2


def _is_node(v):
    return _is_internal(v) and v > 4096


def _is_sibling(v, chunk):
    return _is_internal(v) and v < (((chunk - 1) << 2) | 2)


def _slots(prog, node, lay):
    off_shift, off_slots, chunk, _, fmt = lay
    shift = prog.read_u8(node + off_shift)
    return shift, fmt.unpack(prog.read(node + off_slots, 8 * chunk))


def _head(xa):
    return xa.xa_head.value_()


def xa_is_value(entry):
    """Whether an XArray entry is a tagged integer value (low bit set)."""
    return bool(entry.value_() & 1)


def xa_to_value(entry):
    """The integer stored in a value entry, as an `unsigned long` Object."""
    return Object(entry.prog_, "unsigned long", value=entry.value_() >> 1)


def xa_is_zero(entry):
    """Whether an entry is the reserved "zero" entry (reads as NULL)."""
    return entry.value_() == _XA_ZERO_ENTRY


def _load(prog, head, index, lay):
    chunk = lay[2]
    entry = head
    if _is_node(entry):
        node = entry - 2
        shift, slots = _slots(prog, node, lay)
        if (index >> shift) >= chunk:
            return 0
        while True:
            offset = (index >> shift) & (chunk - 1)
            entry = slots[offset]
            if _is_sibling(entry, chunk):
                entry = slots[entry >> 2]
            if not _is_node(entry) or shift == 0:
                return entry
            node = entry - 2
            shift, slots = _slots(prog, node, lay)
    return entry if index == 0 else 0


def xa_load(xa, index):
    """The entry (`void *`) at `index` of the `struct xarray *`, NULL if none."""
    prog = xa.prog_
    lay = _layout(prog)
    entry = _load(prog, _head(xa), index.__index__(), lay)
    if entry == _XA_ZERO_ENTRY:
        entry = 0
    return Object(prog, lay[3], value=entry)


def _walk_node(prog, node, base, lay, advanced):
    # Recursion depth is the tree height: at most 11 levels for 64-bit indices.
    chunk = lay[2]
    shift, slots = _slots(prog, node, lay)
    for i, entry in enumerate(slots):
        if not entry or _is_sibling(entry, chunk) or entry == _XA_RETRY_ENTRY:
            continue
        index = base + (i << shift)
        if shift and _is_node(entry):
            yield from _walk_node(prog, entry - 2, index, lay, advanced)
        elif advanced or entry != _XA_ZERO_ENTRY:
            yield index, entry


def _walk(prog, head, lay, advanced):
    """(index, raw entry) in index order."""
    if _is_node(head):
        yield from _walk_node(prog, head - 2, 0, lay, advanced)
    elif head and (advanced or head != _XA_ZERO_ENTRY):
        yield 0, head


def xa_for_each(xa, advanced=False):
    """Each (index, entry) of the XArray in index order, entry as `void *`; zero entries
    only when `advanced`."""
    prog = xa.prog_
    lay = _layout(prog)
    void_p = lay[3]
    for index, entry in _walk(prog, _head(xa), lay, advanced):
        yield index, Object(prog, void_p, value=entry)


__getattr__ = _fallback.module_getattr(__name__)
