# drgn.helpers.linux.pid: PIDs and tasks — struct pid lookup in a PID namespace's IDR,
# the task of a struct pid, and iterating every PID / task (in PID order, as drgn);
# for_each_task() takes kdive's native PID-IDR walk.
from drgn import NULL, cast, container_of
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_object_or_program_or_default
from drgn.helpers.linux._util import native, native_call
from drgn.helpers.linux.idr import idr_find, idr_for_each
from drgn.helpers.linux.list import list_for_each_entry

__all__ = ("find_pid", "find_task", "for_each_pid", "for_each_task",
           "for_each_task_in_group", "pid_task")


def _ns(prog, ns):
    return prog["init_pid_ns"].address_of_() if ns is None else ns


def _find_pid(prog, ns, pid):
    return cast("struct pid *", idr_find(_ns(prog, ns).idr.address_of_(), pid))


@takes_object_or_program_or_default
def find_pid(prog, ns, pid):
    """The `struct pid *` of PID `pid` in namespace `ns` (default: the initial one),
    NULL if none."""
    return _find_pid(prog, ns, pid)


def _for_each_pid(prog, ns):
    for _, entry in idr_for_each(_ns(prog, ns).idr.address_of_()):
        yield cast("struct pid *", entry)


@takes_object_or_program_or_default
def for_each_pid(prog, ns):
    """Each `struct pid *` of the namespace, in PID order."""
    return _for_each_pid(prog, ns)


def _pid_type(prog, pid_type):
    return pid_type.__index__() if not isinstance(pid_type, str) else prog[pid_type].value_()


def pid_task(pid, pid_type):
    """The first task (`struct task_struct *`) using `pid` as the given PIDTYPE_*, NULL
    if none."""
    prog = pid.prog_
    t = _pid_type(prog, pid_type)
    if not pid:
        return NULL(prog, "struct task_struct *")
    first = pid.tasks[t].first.read_()
    if not first:
        return NULL(prog, "struct task_struct *")
    try:  # 4.19+: task_struct.pid_links[]
        return container_of(first, "struct task_struct", f"pid_links[{t}]")
    except (LookupError, AttributeError, ValueError):
        return container_of(first, "struct task_struct", f"pids[{t}].node")


@takes_object_or_program_or_default
def find_task(prog, ns, pid):
    """The task (`struct task_struct *`) with PID `pid` in namespace `ns`, NULL if none."""
    if pid.__index__() == 0 and ns is None:
        # PID 0 is no PID in the IDR: it is the idle task of CPU 0, init_task.
        return prog["init_task"].address_of_()
    return pid_task(_find_pid(prog, ns, pid), prog["PIDTYPE_PID"].value_())


@takes_object_or_program_or_default
def for_each_task(prog, ns):
    """Each task (`struct task_struct *`) with a PID in namespace `ns` (default: every
    task), in PID order; the idle tasks (PID 0) are not included."""
    tasks = native_call("tasks", prog, 0 if ns is None else ns.value_())
    if tasks is not None:
        yield from native.pointer_objects(prog, prog.type("struct task_struct *"), tasks, 0)
        return
    PIDTYPE_PID = prog["PIDTYPE_PID"].value_()
    for pid in _for_each_pid(prog, ns):
        task = pid_task(pid, PIDTYPE_PID)
        if task:
            yield task


def for_each_task_in_group(task, include_self=True):
    """Each thread of `task`'s thread group (itself first when include_self)."""
    if include_self:
        yield task
    try:  # 6.7+: signal->thread_head / task->thread_node
        head = task.signal.thread_head.address_of_()
        member = "thread_node"
    except AttributeError:
        head = task.thread_group.address_of_()
        member = "thread_group"
        # thread_group is a ring through every thread: its "head" is this task.
        for t in list_for_each_entry("struct task_struct", head, member):
            yield t
        return
    for t in list_for_each_entry("struct task_struct", head, member):
        if t.value_() != task.value_():
            yield t


__getattr__ = _fallback.module_getattr(__name__)
