# drgn.helpers.linux.list: the kernel's doubly linked lists (struct list_head, circular)
# and hash lists (struct hlist_head/hlist_node, NULL-terminated), as drgn's helpers;
# long walks use kdive's native list walk (one call for all the node addresses).
from drgn import NULL, Object, container_of
from drgn.helpers import ValidationError, _fallback
from drgn.helpers.linux._util import addr, entry_objects, native_call, pointer_type

__all__ = (
    "hlist_empty",
    "hlist_for_each",
    "hlist_for_each_entry",
    "list_count_nodes",
    "list_empty",
    "list_first_entry",
    "list_first_entry_or_null",
    "list_for_each",
    "list_for_each_entry",
    "list_for_each_entry_reverse",
    "list_for_each_reverse",
    "list_is_singular",
    "list_last_entry",
    "list_next_entry",
    "list_prev_entry",
    "validate_list",
    "validate_list_count_nodes",
    "validate_list_for_each",
    "validate_list_for_each_entry",
)


def list_empty(head):
    """Whether the list whose `struct list_head *` is `head` has no entries."""
    head = head.read_()
    return head.next.value_() == addr(head)


def list_is_singular(head):
    """Whether the list has exactly one entry."""
    head = head.read_()
    first = head.next.value_()
    return first != addr(head) and first == head.prev.value_()


def list_first_entry(head, type, member):
    """The first entry (`type *`) of a non-empty list."""
    return container_of(head.next, type, member)


def list_first_entry_or_null(head, type, member):
    """The first entry of the list, or a NULL `type *` when it is empty."""
    head = head.read_()
    first = head.next.read_()
    if first.value_() == addr(head):
        return NULL(head.prog_, pointer_type(head.prog_, type))
    return container_of(first, type, member)


def list_last_entry(head, type, member):
    """The last entry (`type *`) of a non-empty list."""
    return container_of(head.prev, type, member)


def list_next_entry(pos, member):
    """The entry after `pos` (a pointer to an entry) on the list threaded by `member`."""
    return container_of(pos.member_(member).next, pos.type_.type, member)


def list_prev_entry(pos, member):
    """The entry before `pos`."""
    return container_of(pos.member_(member).prev, pos.type_.type, member)


def _nodes(head, reverse):
    # The node addresses in order: kdive's native walk (a list) when it can, else drgn's
    # loop (which neither checks back-links nor stops on a cycle, as drgn's does not).
    head = head.read_()
    h = addr(head)
    nodes = native_call("list_nodes", head.prog_, h, reverse)
    if nodes is not None:
        return nodes
    return _walk(head, h, reverse)


def _walk(head, h, reverse):
    link = "prev" if reverse else "next"
    pos = getattr(head, link).read_()
    while pos.value_() != h:
        yield pos.value_()
        pos = getattr(pos, link).read_()


def _list_head_pointer(head):
    return head.next.type_


def list_for_each(head):
    """Each `struct list_head *` node of the list, first to last."""
    prog = head.prog_
    t = _list_head_pointer(head)
    for n in _nodes(head, False):
        yield Object(prog, t, value=n)


def list_for_each_reverse(head):
    """Each node of the list, last to first."""
    prog = head.prog_
    t = _list_head_pointer(head)
    for n in _nodes(head, True):
        yield Object(prog, t, value=n)


def list_count_nodes(head):
    """The number of entries of the list."""
    return sum(1 for _ in _nodes(head, False))


def list_for_each_entry(type, head, member):
    """Each entry (`type *`) of the list threaded through `member`, first to last."""
    yield from entry_objects(head.prog_, type, member, _nodes(head, False))


def list_for_each_entry_reverse(type, head, member):
    """Each entry of the list, last to first."""
    yield from entry_objects(head.prog_, type, member, _nodes(head, True))


def validate_list(head):
    """Raise ValidationError unless every node's next->prev and prev->next link back."""
    for _ in validate_list_for_each(head):
        pass


def validate_list_for_each(head):
    """list_for_each(), checking each link as it goes (ValidationError)."""
    head = head.read_()
    h = addr(head)
    prev = h
    pos = head.next.read_()
    while True:
        back = pos.prev.value_()
        if back != prev:
            raise ValidationError(
                f"(struct list_head *){prev:#x} next (struct list_head *){pos.value_():#x} "
                f"has prev (struct list_head *){back:#x}")
        if pos.value_() == h:
            return
        yield pos
        prev = pos.value_()
        pos = pos.next.read_()


def validate_list_count_nodes(head):
    """list_count_nodes() with validate_list()'s checks."""
    return sum(1 for _ in validate_list_for_each(head))


def validate_list_for_each_entry(type, head, member):
    """list_for_each_entry() with validate_list()'s checks."""
    for pos in validate_list_for_each(head):
        yield container_of(pos, type, member)


def hlist_empty(head):
    """Whether the hash list whose `struct hlist_head *` is `head` is empty."""
    return not head.first


def _hnodes(head):
    h = addr(head)
    nodes = native_call("hlist_nodes", head.prog_, h)
    if nodes is not None:
        return nodes
    return _hwalk(head)


def _hwalk(head):
    pos = head.first.read_()
    while pos:
        yield pos.value_()
        pos = pos.next.read_()


def hlist_for_each(head):
    """Each `struct hlist_node *` of the hash list."""
    prog = head.prog_
    t = head.first.type_
    for n in _hnodes(head):
        yield Object(prog, t, value=n)


def hlist_for_each_entry(type, head, member):
    """Each entry (`type *`) of the hash list threaded through `member`."""
    yield from entry_objects(head.prog_, type, member, _hnodes(head))


__getattr__ = _fallback.module_getattr(__name__)
