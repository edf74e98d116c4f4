# drgn.helpers.linux.ioport: the kernel's resource trees (iomem_resource,
# ioport_resource): each struct resource has a first child and a next sibling, and a
# walk visits a resource before its children (the order /proc/iomem lists them in).
from drgn.helpers import _fallback

__all__ = ("for_each_resource",)


def for_each_resource(root):
    """Each `struct resource *` of the tree below `root` (a `struct resource *`),
    `root` first, then depth first in sibling order."""
    yield root
    # The next resource to visit at each depth (the parent pointers are not needed).
    pending = [root.child.read_()]
    while pending:
        res = pending[-1]
        if not res:
            pending.pop()
            continue
        yield res
        pending[-1] = res.sibling.read_()
        pending.append(res.child.read_())


__getattr__ = _fallback.module_getattr(__name__)
