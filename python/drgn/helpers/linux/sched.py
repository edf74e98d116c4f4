# drgn.helpers.linux.sched: the scheduler's view of tasks — ps(1)'s state letter, the
# CPU a task is on, thread_info, run queues (cpu_rq, cpu_curr, idle_task, their fair
# and realtime tasks, the fair class's entity tree), task groups and loadavg.
# Layout variants are told apart by member presence (task.__state 5.14+, task.cpu
# 5.16+, thread_info in task_struct with CONFIG_THREAD_INFO_IN_TASK).
from drgn import cast, container_of
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.cgroup import cgroup_name
from drgn.helpers.linux.list import list_for_each_entry
from drgn.helpers.linux.percpu import per_cpu
from drgn.helpers.linux.rbtree import rbtree_inorder_for_each_entry

__all__ = (
    "cfs_rq_for_each_entity",
    "cpu_curr",
    "cpu_rq",
    "get_task_state",
    "idle_task",
    "loadavg",
    "rq_for_each_fair_task",
    "rq_for_each_rt_task",
    "sched_entity_is_task",
    "sched_entity_to_task",
    "task_cpu",
    "task_group_name",
    "task_on_cpu",
    "task_rq",
    "task_since_last_arrival_ns",
    "task_state_to_char",
    "task_thread_info",
    "thread_group_leader",
)

_TASK_NOLOAD = 0x400  # unchanged since 4.14; the one state bit DWARF cannot give


def _state_table(prog):
    # The letters of task_state_array ("R (running)", ...) and TASK_REPORT: the states
    # up to the last one a task can report (P); beyond it only I (TASK_REPORT_IDLE).
    try:
        return prog.cache["kdive_task_state"]
    except KeyError:
        pass
    array = prog["task_state_array"]
    letters = [array[i][0].value_() for i in range(len(array))]
    report_len = max(i for i, c in enumerate(letters) if chr(c) in "RSDTtXZP")
    table = ("".join(chr(c) for c in letters), (1 << report_len) - 1)
    prog.cache["kdive_task_state"] = table
    return table


def _raw_state(task):
    try:
        return task.__state.value_()
    except AttributeError:  # before 5.14
        return task.state.value_()


def task_state_to_char(task):
    """The task's state as ps(1) prints it ('R', 'S', 'D', 'I', ...)."""
    chars, report = _state_table(task.prog_)
    raw = _raw_state(task)
    state = (raw | task.exit_state.value_()) & report
    c = chars[state.bit_length()]
    # TASK_IDLE is TASK_UNINTERRUPTIBLE | TASK_NOLOAD: reported as 'I', not 'D'.
    if c == "D" and (raw & ~state) == _TASK_NOLOAD:
        return "I"
    return c


_STATE_NAMES = {"R": "running", "S": "sleeping", "D": "disk sleep", "T": "stopped",
                "t": "tracing stop", "X": "dead", "Z": "zombie", "P": "parked", "I": "idle"}


def get_task_state(task):
    """The task's state as /proc/PID/status prints it ("S (sleeping)")."""
    c = task_state_to_char(task)
    return f"{c} ({_STATE_NAMES.get(c, '?')})"


def task_cpu(task):
    """The CPU number the task is on (or last ran on)."""
    try:
        return task.cpu.value_()
    except AttributeError:  # before 5.16 (or !SMP)
        try:
            return task.thread_info.cpu.value_()
        except AttributeError:
            return 0


def task_thread_info(task):
    """The task's `struct thread_info *` (in the task, or at the base of its stack)."""
    try:
        return task.thread_info.address_of_()
    except AttributeError:
        return cast("struct thread_info *", task.stack)


def task_on_cpu(task):
    """Whether the task is running on a CPU now."""
    return bool(task.on_cpu)


def thread_group_leader(task):
    """Whether the task leads its thread group."""
    return task.exit_signal.value_() >= 0


@takes_program_or_default
def cpu_rq(prog, cpu):
    """CPU `cpu`'s run queue (`struct rq *`)."""
    return per_cpu(prog["runqueues"], cpu).address_of_()


def task_rq(task):
    """The run queue of the task's CPU (`struct rq *`)."""
    return cpu_rq(task.prog_, task_cpu(task))


@takes_program_or_default
def cpu_curr(prog, cpu):
    """The task running on CPU `cpu` (`struct task_struct *`)."""
    return per_cpu(prog["runqueues"], cpu).curr.read_()


@takes_program_or_default
def idle_task(prog, cpu):
    """CPU `cpu`'s idle task (`struct task_struct *`)."""
    return per_cpu(prog["runqueues"], cpu).idle.read_()


@takes_program_or_default
def loadavg(prog):
    """The 1, 5 and 15 minute load averages (avenrun, fixed point with 11 bits)."""
    avenrun = prog["avenrun"]
    return tuple(avenrun[i].value_() / (1 << 11) for i in range(3))


def task_since_last_arrival_ns(task):
    """Nanoseconds from the task's last arrival on a CPU (sched_info.last_arrival) to
    its run queue's clock: roughly how long it has been in its current state. Needs
    CONFIG_SCHEDSTATS or CONFIG_TASK_DELAY_ACCT."""
    return task_rq(task).clock.value_() - task.sched_info.last_arrival.value_()


def sched_entity_is_task(se):
    """Whether the `struct sched_entity *` is a task (a group entity has a my_q)."""
    try:
        return not se.my_q.value_()
    except AttributeError:  # !CONFIG_FAIR_GROUP_SCHED: every entity is a task
        return True


def sched_entity_to_task(se):
    """The `struct task_struct *` whose `se` the entity is (unchecked)."""
    return container_of(se, "struct task_struct", "se")


def task_group_name(tg):
    """The `struct task_group *`'s cgroup name (bytes), b"" without a cgroup."""
    cgrp = tg.css.cgroup.read_()
    return cgroup_name(cgrp) if cgrp else b""


def _timeline_root(cfs_rq):
    # tasks_timeline is a struct rb_root_cached since 4.14 (commit bfb068892d30
    # "sched/fair: replace cfs_rq->rb_leftmost"), a struct rb_root before.
    root = cfs_rq.tasks_timeline
    try:
        return root.rb_root.address_of_()
    except AttributeError:
        return root.address_of_()


def _queued_entities(cfs_rq):
    # The running entity (curr) is kept out of the timeline tree while it runs.
    curr = cfs_rq.curr.read_()
    if curr:
        yield curr, True
    for se in rbtree_inorder_for_each_entry("struct sched_entity", _timeline_root(cfs_rq),
                                            "run_node"):
        yield se, False


def cfs_rq_for_each_entity(cfs_rq):
    """Each entity of the `struct cfs_rq *` and, right after a group's entity, those
    of the group's own queue: (`struct sched_entity *`, depth below cfs_rq, whether it
    is its queue's curr, whether it is a task)."""
    stack = [(_queued_entities(cfs_rq), 0)]
    while stack:
        entities, depth = stack[-1]
        for se, is_curr in entities:
            try:
                my_q = se.my_q.read_()
            except AttributeError:  # !CONFIG_FAIR_GROUP_SCHED
                my_q = None
            yield se, depth, is_curr, not my_q
            if my_q:
                stack.append((_queued_entities(my_q), depth + 1))
                break
        else:
            stack.pop()


def rq_for_each_fair_task(rq):
    """Each task (`struct task_struct *`) the `struct rq *` has in the fair class."""
    try:
        tasks = rq.cfs_tasks
    except AttributeError:
        # rq.cfs_tasks exists only with CONFIG_SMP before 6.17 (commit cac5cefbade9
        # "sched/smp: Make SMP unconditional"): walk the entity tree instead.
        return (sched_entity_to_task(se)
                for se, _, _, is_task in cfs_rq_for_each_entity(rq.cfs.address_of_())
                if is_task)
    return list_for_each_entry("struct task_struct", tasks.address_of_(), "se.group_node")


def _rt_rq_tasks(rt_rq):
    for queue in rt_rq.active.queue:
        for rt_se in list_for_each_entry("struct sched_rt_entity", queue.address_of_(),
                                         "run_list"):
            try:
                my_q = rt_se.my_q.read_()
            except AttributeError:  # !CONFIG_RT_GROUP_SCHED: every entity is a task
                my_q = None
            if my_q:  # a task group's entity: its own queue's tasks
                yield from _rt_rq_tasks(my_q)
            else:
                yield container_of(rt_se, "struct task_struct", "rt")


def rq_for_each_rt_task(rq):
    """Each task (`struct task_struct *`) queued on the `struct rq *`'s realtime class,
    highest priority first."""
    return _rt_rq_tasks(rq.rt.address_of_())


__getattr__ = _fallback.module_getattr(__name__)
