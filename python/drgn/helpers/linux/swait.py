# drgn.helpers.linux.swait: simple wait queues (struct swait_queue_head and its
# struct swait_queue entries, include/linux/swait.h) — waiters and their tasks.
from drgn.helpers import _fallback
from drgn.helpers.linux.list import list_empty, list_for_each_entry

__all__ = (
    "swait_active",
    "swait_for_each_task",
)


def swait_active(wq):
    """Whether the `struct swait_queue_head *` has waiters."""
    return not list_empty(wq.task_list.address_of_())


def swait_for_each_task(wq):
    """Each waiting task (`struct task_struct *`) of the `struct swait_queue_head *`."""
    for waiter in list_for_each_entry("struct swait_queue", wq.task_list.address_of_(),
                                      "task_list"):
        yield waiter.task


__getattr__ = _fallback.module_getattr(__name__)
