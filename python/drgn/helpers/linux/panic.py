# drgn.helpers.linux.panic: what a crash dump says about its panic — the task that
# panicked, the panic message in the log, and the taint letters.
import re

from drgn import NULL
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.printk import get_dmesg

__all__ = ("panic_message", "panic_task", "tainted")

# Most telling first: an explicit panic, then faults, BUG()s and oopses.
_PATTERNS = (
    rb"Kernel panic -.*",
    rb"BUG: (?:kernel NULL pointer dereference|unable to handle).*|Unable to handle kernel.*",
    rb"[Kk]ernel BUG at.*",
    rb"Oops: .*",
)


@takes_program_or_default
def panic_task(prog):
    """The task (`struct task_struct *`) that panicked, NULL if unknown."""
    try:
        return prog.crashed_thread().object
    except (ValueError, AttributeError):
        return NULL(prog, "struct task_struct *")


@takes_program_or_default
def panic_message(prog):
    """The log line (bytes) that best describes the panic, or None."""
    dmesg = get_dmesg(prog, timestamps=False)
    for pattern in _PATTERNS:
        m = re.search(pattern, dmesg)
        if m:
            return m.group()
    return None


@takes_program_or_default
def tainted(prog):
    """The kernel's taint letters ("G           O       "), "" when untainted."""
    mask = prog["tainted_mask"].value_()
    if not mask:
        return ""
    try:
        flags = prog["taint_flags"]
    except KeyError:  # before 4.10: tnts[] with the bit number in each entry
        return "".join(chr((t.true if mask & (1 << t.bit.value_()) else t.false).value_())
                       for t in prog["tnts"])
    return "".join(chr((f.c_true if mask & (1 << i) else f.c_false).value_())
                   for i, f in enumerate(flags))


__getattr__ = _fallback.module_getattr(__name__)
