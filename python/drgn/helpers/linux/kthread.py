# drgn.helpers.linux.kthread: kernel threads — whether a task is one (PF_KTHREAD), its
# struct kthread (task->worker_private since 5.17, set_child_tid before) and data.
from drgn import cast
from drgn.helpers import _fallback

__all__ = ("kthread_data", "task_is_kthread", "to_kthread")

_PF_KTHREAD = 0x00200000


def task_is_kthread(task):
    """Whether the task is a kernel thread."""
    return bool(task.flags.value_() & _PF_KTHREAD)


def to_kthread(task):
    """The `struct kthread *` of a kernel thread."""
    try:
        return cast("struct kthread *", task.worker_private)
    except AttributeError:
        return cast("struct kthread *", task.set_child_tid)


def kthread_data(task):
    """The data pointer (`void *`) passed to kthread_create() for the thread."""
    return to_kthread(task).data


__getattr__ = _fallback.module_getattr(__name__)
