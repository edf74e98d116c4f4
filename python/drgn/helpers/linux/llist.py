# drgn.helpers.linux.llist: the kernel's lock-less singly linked lists (struct
# llist_head / llist_node, NULL-terminated), as drgn's helpers.
from drgn import NULL, container_of
from drgn.helpers import _fallback
from drgn.helpers.linux._util import pointer_type

__all__ = (
    "llist_empty",
    "llist_first_entry",
    "llist_first_entry_or_null",
    "llist_for_each",
    "llist_for_each_entry",
    "llist_is_singular",
    "llist_next_entry",
)


def llist_empty(head):
    """Whether the `struct llist_head *` has no nodes."""
    return not head.first


def llist_is_singular(head):
    """Whether the list has exactly one node."""
    first = head.first
    return bool(first) and not first.next


def llist_first_entry(head, type, member):
    """The first entry (`type *`) of a non-empty list."""
    return container_of(head.first, type, member)


def llist_first_entry_or_null(head, type, member):
    """The first entry, or a NULL `type *` when the list is empty."""
    first = head.first.read_()
    if not first:
        return NULL(head.prog_, pointer_type(head.prog_, type))
    return container_of(first, type, member)


def llist_next_entry(pos, member):
    """The entry after `pos`, or a NULL pointer entry past the end."""
    return container_of(pos.member_(member).next, pos.type_.type, member)


def llist_for_each(node):
    """Each `struct llist_node *` from `node` (e.g. head->first) to the end."""
    node = node.read_()
    while node:
        yield node
        node = node.next.read_()


def llist_for_each_entry(type, node, member):
    """Each entry (`type *`) from the one containing `node` to the end."""
    for pos in llist_for_each(node):
        yield container_of(pos, type, member)


__getattr__ = _fallback.module_getattr(__name__)
