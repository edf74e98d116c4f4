# drgn.helpers.linux.plist: priority-sorted lists (struct plist_head/plist_node,
# include/linux/plist.h): all nodes sit on node_list in priority order, so walks
# and first/last entries use that list.
from drgn import container_of
from drgn.helpers import _fallback
from drgn.helpers.linux.list import list_empty, list_for_each_entry

__all__ = (
    "plist_first_entry",
    "plist_for_each",
    "plist_for_each_entry",
    "plist_head_empty",
    "plist_last_entry",
    "plist_node_empty",
)


def plist_head_empty(head):
    """Whether the `struct plist_head *` has no nodes."""
    return list_empty(head.node_list.address_of_())


def plist_node_empty(node):
    """Whether the `struct plist_node *` is on no list."""
    return list_empty(node.node_list.address_of_())


def plist_first_entry(head, type, member):
    """The highest-priority (first) entry (`type *`) of a non-empty plist, whose
    struct plist_node is `member`."""
    return container_of(head.node_list.next, type, member + ".node_list")


def plist_last_entry(head, type, member):
    """The lowest-priority (last) entry (`type *`) of a non-empty plist."""
    return container_of(head.node_list.prev, type, member + ".node_list")


def plist_for_each(head):
    """Each `struct plist_node *` of the plist, highest priority first."""
    return list_for_each_entry("struct plist_node", head.node_list.address_of_(),
                               "node_list")


def plist_for_each_entry(type, head, member):
    """Each entry (`type *`) of the plist, whose struct plist_node is `member`."""
    return list_for_each_entry(type, head.node_list.address_of_(), member + ".node_list")


__getattr__ = _fallback.module_getattr(__name__)
