# drgn.helpers.linux.wait: wait queues (wait_queue_head_t and its entries,
# include/linux/wait.h) — whether anyone waits, the entries, and the waiting tasks.
from drgn import cast
from drgn.helpers import _fallback
from drgn.helpers.linux.list import list_empty, list_for_each_entry

__all__ = (
    "waitqueue_active",
    "waitqueue_for_each_entry",
    "waitqueue_for_each_task",
)


def _head(wq):
    # The list member of wait_queue_head_t is "head" since 4.13 (commit 2055da97389a
    # "sched/wait: Disambiguate wq_entry->task_list and wq_head->task_list naming"),
    # "task_list" before.
    try:
        return wq.head
    except AttributeError:
        return wq.task_list


def waitqueue_active(wq):
    """Whether the `wait_queue_head_t *` has waiters."""
    return not list_empty(_head(wq).address_of_())


def _entry_type(prog):
    # Since 4.13 (commit ac6424b981bc "sched/wait: Rename wait_queue_t =>
    # wait_queue_entry_t", and 2055da97389a renaming its link) entries are
    # wait_queue_entry_t linked by "entry"; before, wait_queue_t linked by "task_list".
    try:
        return prog.cache["kdive_wait_entry"]
    except KeyError:
        pass
    try:
        found = (prog.type("wait_queue_entry_t"), "entry")
    except LookupError:
        found = (prog.type("wait_queue_t"), "task_list")
    prog.cache["kdive_wait_entry"] = found
    return found


def waitqueue_for_each_entry(wq):
    """Each entry (`wait_queue_entry_t *`, `wait_queue_t *` before 4.13) of the
    `wait_queue_head_t *`, in queue order."""
    type_, link = _entry_type(wq.prog_)
    return list_for_each_entry(type_, _head(wq).address_of_(), link)


def waitqueue_for_each_task(wq):
    """Each waiter's task (`struct task_struct *`), taken from the entries' private
    pointer (which some entries use for something else)."""
    task_ptr = wq.prog_.type("struct task_struct *")
    for entry in waitqueue_for_each_entry(wq):
        yield cast(task_ptr, entry.private)


__getattr__ = _fallback.module_getattr(__name__)
