# drgn.helpers.linux.list_nulls: the kernel's "nulls" hash lists (struct
# hlist_nulls_head/node), which end in an odd marker value instead of NULL.
from drgn import container_of
from drgn.helpers import _fallback

__all__ = ("hlist_nulls_empty", "hlist_nulls_for_each_entry", "is_a_nulls")


def is_a_nulls(pos):
    """Whether `pos` is a nulls marker (low bit set) rather than a node."""
    return bool(pos.value_() & 1)


def hlist_nulls_empty(head):
    """Whether the `struct hlist_nulls_head *` has no nodes."""
    return is_a_nulls(head.first)


def hlist_nulls_for_each_entry(type, head, member):
    """Each entry (`type *`) of the list threaded through `member`."""
    pos = head.first.read_()
    while not is_a_nulls(pos):
        yield container_of(pos, type, member)
        pos = pos.next.read_()


__getattr__ = _fallback.module_getattr(__name__)
