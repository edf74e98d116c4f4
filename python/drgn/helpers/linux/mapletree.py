# drgn.helpers.linux.mapletree: the kernel's maple trees (6.1+; mm->mm_mt holds the
# VMAs), decoded by kdive's native maple-tree walk (node types from DWARF).
from drgn import Object
from drgn.helpers import _fallback
from drgn.helpers.linux._util import addr, native

__all__ = ("mt_for_each", "mtree_load")


def _native():
    if native is None or not hasattr(native, "mt_entries"):
        raise NotImplementedError("maple trees need kdive's native helpers")
    return native


def mtree_load(mt, index, *, advanced=False):
    """The entry (`void *`) covering `index` in the `struct maple_tree *`, NULL if none."""
    prog = mt.prog_
    value = _native().mtree_load(prog, addr(mt), index.__index__())
    return Object(prog, "void *", value=value)


def mt_for_each(mt, *, advanced=False):
    """Each (first index, last index, `void *` entry) of the tree, by ascending range."""
    prog = mt.prog_
    entries = _native().mt_entries(prog, addr(mt))
    if entries is None:
        raise ValueError("maple tree is corrupt")
    void_p = prog.type("void *")
    for first, last, entry in entries:
        yield first, last, Object(prog, void_p, value=entry)


__getattr__ = _fallback.module_getattr(__name__)
