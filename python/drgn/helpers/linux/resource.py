# drgn.helpers.linux.resource: a task's resource limits (signal_struct.rlim, by
# RLIMIT_* name).
from typing import NamedTuple, Optional

from drgn import sizeof
from drgn.helpers import _fallback

__all__ = ("task_rlimits",)

# RLIMIT_* in index order (include/uapi/asm-generic/resource.h; alpha, mips and sparc
# order some differently).
_RLIMIT_NAMES = (
    "CPU", "FSIZE", "DATA", "STACK", "CORE", "RSS", "NPROC", "NOFILE", "MEMLOCK", "AS",
    "LOCKS", "SIGPENDING", "MSGQUEUE", "NICE", "RTPRIO", "RTTIME",
)


class Rlimit(NamedTuple):
    """A soft and hard limit; None means unlimited (RLIM_INFINITY)."""

    cur: Optional[int]
    max: Optional[int]


def task_rlimits(task):
    """{name ("NOFILE", ...): Rlimit(cur, max)} of the `struct task_struct *`."""
    limits = task.signal.rlim.read_()
    infinity = (1 << (8 * sizeof(limits[0].rlim_cur))) - 1  # RLIM_INFINITY, ~0UL

    def limit(v):
        v = v.value_()
        return None if v == infinity else v

    return {name: Rlimit(limit(r.rlim_cur), limit(r.rlim_max))
            for name, r in zip(_RLIMIT_NAMES, limits)}


__getattr__ = _fallback.module_getattr(__name__)
