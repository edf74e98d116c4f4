# drgn.helpers.linux.kernfs: kernfs nodes (sysfs, cgroupfs) — a node's name and path,
# and looking a path up from a node. The parent link is kn->parent, or kn->__parent
# since 6.15 (RCU-protected).
import os

from drgn import NULL
from drgn.helpers import _fallback
from drgn.helpers.linux.rbtree import rbtree_inorder_for_each_entry

__all__ = ("kernfs_name", "kernfs_parent", "kernfs_path", "kernfs_root", "kernfs_walk")


def kernfs_parent(kn):
    """The parent `struct kernfs_node *` of a node (NULL for a root)."""
    try:
        return kn.parent.read_()
    except AttributeError:
        return kn.__parent.read_()


def kernfs_root(kn):
    """The `struct kernfs_root *` of the hierarchy the node is in."""
    parent = kernfs_parent(kn)
    if parent:
        kn = parent
    return kn.dir.root


def kernfs_name(kn):
    """The node's name (bytes): "/" for a root, "(null)" for NULL."""
    if not kn:
        return b"(null)"
    return kn.name.string_() if kernfs_parent(kn) else b"/"


def kernfs_path(kn):
    """The node's full path (bytes) within its hierarchy."""
    if not kn:
        return b"(null)"
    root = kernfs_root(kn).kn.value_()
    if kn.value_() == root:
        return b"/"
    names = []
    while kn.value_() != root:
        names.append(kn.name.string_())
        kn = kernfs_parent(kn)
    names.append(kn.name.string_())
    return b"/".join(reversed(names))


def kernfs_walk(parent, path):
    """The node at `path` below `parent` (NULL when there is none); namespaced nodes
    are not matched."""
    ptype = parent.type_
    for name in os.fsencode(path).split(b"/"):
        if not name:
            continue
        for child in rbtree_inorder_for_each_entry(ptype.type, parent.dir.children.address_of_(), "rb"):
            if child.name.string_() == name and not child.ns:
                parent = child
                break
        else:
            return NULL(parent.prog_, ptype)
    return parent


__getattr__ = _fallback.module_getattr(__name__)
