# drgn.helpers.linux.timer: kernel timers — the per-CPU timer wheel bases
# (timer_bases[], whose count depends on the version and CONFIG_NO_HZ_COMMON) and their
# timer_list hash buckets, and the hrtimers queued on an hrtimer clock base's rbtree.
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.list import hlist_for_each_entry
from drgn.helpers.linux.rbtree import rbtree_inorder_for_each_entry

__all__ = (
    "hrtimer_clock_base_for_each",
    "timer_base_for_each",
    "timer_base_names",
)


@takes_program_or_default
def timer_base_names(prog):
    """The names of each CPU's timer wheel bases, by index (a tuple of str)."""
    try:
        return prog.cache["timer_base_names"]
    except KeyError:
        pass
    count = len(prog["timer_bases"])
    if count == 3:
        # NO_HZ_COMMON since 6.9 (commit 83a665dc99a7): pinned timers on their own base.
        names = ("BASE_LOCAL", "BASE_GLOBAL", "BASE_DEF")
    elif count == 2:
        # NO_HZ_COMMON before 6.9.
        names = ("BASE_STD", "BASE_DEF")
    elif count == 1:
        # !NO_HZ_COMMON: the one base was renamed BASE_LOCAL in 6.9, in the series
        # that also added struct timer_events (commit 21927fc89e5f).
        try:
            prog.type("struct timer_events")
            names = ("BASE_LOCAL",)
        except LookupError:
            names = ("BASE_STD",)
    else:
        raise NotImplementedError(f"unknown number of timer bases: {count}")
    prog.cache["timer_base_names"] = names
    return names


def timer_base_for_each(base):
    """Each `struct timer_list *` pending on the `struct timer_base *`, bucket by
    bucket of its wheel."""
    for bucket in base.vectors:
        yield from hlist_for_each_entry("struct timer_list", bucket.address_of_(), "entry")


def hrtimer_clock_base_for_each(clock_base):
    """Each `struct hrtimer *` queued on the `struct hrtimer_clock_base *`, by expiry."""
    # The queue is a struct timerqueue_head (its rb_root an rb_root_cached) or, on
    # kernels with struct timerqueue_linked_head (7.2's), an rb_root_linked: both keep
    # the plain struct rb_root in their rb_root member.
    root = clock_base.active.rb_root.rb_root.address_of_()
    node = clock_base.prog_.type("struct hrtimer").member("node").type
    # The hrtimer's queue node: node.node is a struct rb_node, or a struct
    # rb_node_linked wrapping one (its node member).
    member = "node.node"
    if node.member("node").type.has_member("node"):
        member = "node.node.node"
    return rbtree_inorder_for_each_entry("struct hrtimer", root, member)


__getattr__ = _fallback.module_getattr(__name__)
