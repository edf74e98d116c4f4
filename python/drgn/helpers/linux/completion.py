# drgn.helpers.linux.completion: completions (struct completion,
# include/linux/completion.h) — whether one is done, and the tasks waiting for it.
from drgn import TypeKind
from drgn.helpers import _fallback
from drgn.helpers.linux.swait import swait_for_each_task
from drgn.helpers.linux.wait import waitqueue_for_each_task

__all__ = (
    "completion_done",
    "completion_for_each_task",
)


def completion_done(completion):
    """Whether the `struct completion *` has completions left to consume (its done
    count is non-zero), as the kernel's completion_done()."""
    return bool(completion.done)


def completion_for_each_task(completion):
    """Each task (`struct task_struct *`) waiting for the `struct completion *`."""
    wait = completion.wait
    # The queue is a simple wait queue since 5.7 (commit a5c6234e1028 "completion:
    # Use simple wait queues"), a wait_queue_head_t before.
    t = wait.type_
    while t.kind == TypeKind.TYPEDEF:
        t = t.type
    if t.tag == "swait_queue_head":
        return swait_for_each_task(wait.address_of_())
    return waitqueue_for_each_task(wait.address_of_())


__getattr__ = _fallback.module_getattr(__name__)
