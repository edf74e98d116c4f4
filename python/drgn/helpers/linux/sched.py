# drgn.helpers.linux.sched: the scheduler's view of tasks — ps(1)'s state letter, the
# CPU a task is on, thread_info, run queues (cpu_rq, cpu_curr, idle_task) and loadavg.
# Layout variants are told apart by member presence (task.__state 5.14+, task.cpu
# 5.16+, thread_info in task_struct with CONFIG_THREAD_INFO_IN_TASK).
from drgn import cast
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.percpu import per_cpu

__all__ = (
    "cpu_curr",
    "cpu_rq",
    "get_task_state",
    "idle_task",
    "loadavg",
    "task_cpu",
    "task_on_cpu",
    "task_rq",
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


__getattr__ = _fallback.module_getattr(__name__)
