# drgn.helpers.linux.kernfs: kernfs nodes (sysfs, cgroupfs) — a node's name and path,
# a directory's children (the kn->dir.children rbtree, sorted by hash, namespace, name)
# and looking a path up from a node, following symlinks. The parent link is
# kn->parent, or kn->__parent since 6.15 (RCU-protected).
import os

from drgn import NULL
from drgn.helpers import _fallback
from drgn.helpers.linux.rbtree import rbtree_inorder_for_each_entry

__all__ = (
    "kernfs_children",
    "kernfs_name",
    "kernfs_parent",
    "kernfs_path",
    "kernfs_root",
    "kernfs_walk",
)


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


def _is_type(kn, name):
    # The node type is the low bits of kn->flags (KERNFS_TYPE_MASK), one of the
    # enum kernfs_node_type constants.
    prog = kn.prog_
    try:
        mask = prog["KERNFS_TYPE_MASK"].value_()
    except KeyError:
        mask = 0xF
    return kn.flags.value_() & mask == prog[name].value_()


def _resolve_links(kn):
    while _is_type(kn, "KERNFS_LINK"):
        kn = kn.symlink.target_kn.read_()
    return kn


def _children(kn):
    return rbtree_inorder_for_each_entry(kn.type_.type, kn.dir.children.address_of_(), "rb")


def kernfs_children(kn):
    """Each child `struct kernfs_node *` of the directory node `kn`, in the rbtree's
    order; ValueError if `kn` is not a directory."""
    if not _is_type(kn, "KERNFS_DIR"):
        raise ValueError("not a directory")
    return _children(kn)


def kernfs_walk(parent, path, follow_symlinks=True):
    """The node at `path` below `parent` (NULL when there is none). Symlinks met on the
    way are followed; the last component's too unless `follow_symlinks` is false.
    Namespaced nodes are not matched."""
    ptype = parent.type_
    kn = parent
    for name in os.fsencode(path).split(b"/"):
        if not name:
            continue
        kn = _resolve_links(kn)
        for child in _children(kn):
            if child.name.string_() == name and not child.ns:
                kn = child
                break
        else:
            return NULL(parent.prog_, ptype)
    return _resolve_links(kn) if follow_symlinks else kn


__getattr__ = _fallback.module_getattr(__name__)
