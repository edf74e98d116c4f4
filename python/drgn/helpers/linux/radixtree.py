# drgn.helpers.linux.radixtree: the kernel's radix trees. Since 4.20 struct
# radix_tree_root is struct xarray, so lookups and walks are the XArray's.
from drgn.helpers import _fallback
from drgn.helpers.linux.xarray import xa_for_each, xa_load

__all__ = ("radix_tree_for_each", "radix_tree_lookup")


def radix_tree_lookup(root, index):
    """The entry (`void *`) at `index` of the `struct radix_tree_root *`, NULL if none."""
    return xa_load(root, index)


def radix_tree_for_each(root):
    """Each (index, `void *` entry) of the radix tree in index order."""
    return xa_for_each(root)


__getattr__ = _fallback.module_getattr(__name__)
