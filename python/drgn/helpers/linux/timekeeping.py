# drgn.helpers.linux.timekeeping: the time as of the last tick, from the core
# timekeeper (tk_core, or timekeeper_data[TIMEKEEPER_CORE] since 6.17): coarse
# monotonic/real/boot/TAI clocks in ns and seconds, ktime_t values, and the uptime.
import logging
import re

from drgn import Object, ProgramFlags, TypeKind
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default

__all__ = (
    "ktime_get_boottime_seconds",
    "ktime_get_clocktai_seconds",
    "ktime_get_coarse_boottime_ns",
    "ktime_get_coarse_clocktai_ns",
    "ktime_get_coarse_ns",
    "ktime_get_coarse_real_ns",
    "ktime_get_real_seconds",
    "ktime_get_seconds",
    "ktime_to_ns",
    "uptime",
    "uptime_pretty",
)

_log = logging.getLogger("drgn")
_NSEC_PER_SEC = 1000000000
_U64 = (1 << 64) - 1


def ktime_to_ns(kt):
    """The nanoseconds (`s64`) of a `ktime_t`."""
    # ktime_t is an s64 since 4.10 (commit 2456e8553544); before, a union whose tv64
    # member is the s64.
    t = kt.type_
    while t.kind == TypeKind.TYPEDEF:
        t = t.type
    if t.kind == TypeKind.UNION:
        return kt.tv64.read_()
    return Object(kt.prog_, "s64", value=kt.value_())


def _tk_data(prog):
    try:
        return prog.cache["kdive_tk_data"]
    except KeyError:
        pass
    # 6.17 (commit 22c62b9a84b8, auxiliary timekeepers) made tk_core a macro for
    # timekeeper_data[TIMEKEEPER_CORE].
    try:
        data = prog["timekeeper_data"][prog["TIMEKEEPER_CORE"].value_()]
    except KeyError:
        data = prog["tk_core"]
    prog.cache["kdive_tk_data"] = data
    return data


def _time64(prog, value):
    try:
        t = prog.type("time64_t")
    except LookupError:
        t = prog.type("long long")
    return Object(prog, t, value=value)


@takes_program_or_default
def ktime_get_seconds(prog):
    """Whole seconds of CLOCK_MONOTONIC_COARSE (`time64_t`)."""
    return _time64(prog, _tk_data(prog).timekeeper.ktime_sec.value_())


def _sequence(data):
    # tk_core.seq is a seqcount_raw_spinlock_t since 5.9 (commit 025e82bcbc34), a
    # plain seqcount_t before.
    seq = data.seq
    if seq.type_.has_member("seqcount"):
        seq = seq.seqcount
    return seq.sequence.value_()


def _coarse_ns(prog, offset):
    # One copy of the whole tk_data (read_() reads it at once) keeps the fields
    # consistent unless the dump caught a timekeeping update mid-way (odd sequence):
    # retried on a live kernel, else reported.
    for _ in range(100):
        data = _tk_data(prog).read_()
        if not _sequence(data) & 1:
            break
        if not prog.flags & ProgramFlags.IS_LIVE:
            _log.warning("timekeeper was being updated; the time may be inconsistent")
            break
    else:
        _log.warning("timekeeper kept being updated; the time may be inconsistent")
    tk = data.timekeeper
    ns = tk.tkr_mono.base.value_()
    # The coarse clocks' nanoseconds: struct timekeeper::coarse_nsec since 6.15
    # (commit b71f9804f66c); before, the mono readout base's xtime_nsec >> shift.
    if tk.type_.has_member("coarse_nsec"):
        ns += tk.coarse_nsec.value_()
    else:
        ns += tk.tkr_mono.xtime_nsec.value_() >> tk.tkr_mono.shift.value_()
    if offset is not None:
        ns += getattr(tk, offset).value_()
    return Object(prog, "u64", value=ns & _U64)


@takes_program_or_default
def ktime_get_coarse_ns(prog):
    """CLOCK_MONOTONIC_COARSE in nanoseconds (`u64`)."""
    return _coarse_ns(prog, None)


@takes_program_or_default
def ktime_get_real_seconds(prog):
    """Whole seconds of CLOCK_REALTIME_COARSE (`time64_t`): the crash time that
    VMCOREINFO records when there is one, else the timekeeper's."""
    try:
        info = prog["VMCOREINFO"].string_()
    except KeyError:
        info = b""
    found = re.search(rb"^CRASHTIME=(\d+)$", info, re.M)
    if found:
        return _time64(prog, int(found.group(1)))
    return _time64(prog, _tk_data(prog).timekeeper.xtime_sec.value_())


@takes_program_or_default
def ktime_get_coarse_real_ns(prog):
    """CLOCK_REALTIME_COARSE in nanoseconds (`u64`)."""
    return _coarse_ns(prog, "offs_real")


@takes_program_or_default
def ktime_get_boottime_seconds(prog):
    """Whole seconds of the coarse CLOCK_BOOTTIME (`time64_t`)."""
    return _time64(prog, _coarse_ns(prog, "offs_boot").value_() // _NSEC_PER_SEC)


@takes_program_or_default
def ktime_get_coarse_boottime_ns(prog):
    """Coarse CLOCK_BOOTTIME (monotonic including suspend) in nanoseconds (`u64`)."""
    return _coarse_ns(prog, "offs_boot")


@takes_program_or_default
def ktime_get_clocktai_seconds(prog):
    """Whole seconds of the coarse CLOCK_TAI (`time64_t`)."""
    return _time64(prog, _coarse_ns(prog, "offs_tai").value_() // _NSEC_PER_SEC)


@takes_program_or_default
def ktime_get_coarse_clocktai_ns(prog):
    """Coarse CLOCK_TAI in nanoseconds (`u64`)."""
    return _coarse_ns(prog, "offs_tai")


@takes_program_or_default
def uptime(prog):
    """Seconds since boot as of the last tick (float)."""
    return _coarse_ns(prog, "offs_boot").value_() / 1e9


_UNITS = (
    ("year", 365 * 86400),
    ("week", 7 * 86400),
    ("day", 86400),
    ("hour", 3600),
    ("minute", 60),
)


@takes_program_or_default
def uptime_pretty(prog):
    """The uptime in words, e.g. "2 days, 1 hour, 5 minutes, 3 seconds"."""
    left = ktime_get_boottime_seconds(prog).value_()
    words = []
    for unit, size in _UNITS:
        n, left = divmod(left, size)
        if n:
            words.append(f"{n} {unit}" + ("s" if n != 1 else ""))
    if left or not words:
        words.append(f"{left} second" + ("s" if left != 1 else ""))
    return ", ".join(words)


__getattr__ = _fallback.module_getattr(__name__)
