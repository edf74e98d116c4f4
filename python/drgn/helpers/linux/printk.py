# drgn.helpers.linux.printk: the kernel log — every record (kdive's native reader of the
# lockless ring buffer or the older log_buf) and dmesg(1)-style text as drgn formats it
# (the timestamp before the first line of a record only).
import sys
from typing import Dict, NamedTuple, Optional

from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux._util import native

__all__ = ("PrintkRecord", "get_dmesg", "get_printk_records", "print_dmesg")


class PrintkRecord(NamedTuple):
    """One kernel log record."""

    text: bytes
    facility: int
    level: int
    seq: int
    timestamp: int  # nanoseconds since boot
    caller_tid: Optional[int]
    caller_cpu: Optional[int]
    continuation: bool
    context: Dict[bytes, bytes]


@takes_program_or_default
def get_printk_records(prog):
    """Every record in the log buffer, oldest first (list of PrintkRecord)."""
    if native is None:
        return _fallback.private_module(__name__).get_printk_records(prog)
    out = []
    for text, facility, level, seq, ts, tid, cpu, cont, subsystem, device in native.printk_records(prog):
        context = {}
        if subsystem:
            context[b"SUBSYSTEM"] = subsystem
        if device:
            context[b"DEVICE"] = device
        out.append(PrintkRecord(text, facility, level, seq, ts, tid, cpu, cont, context))
    return out


@takes_program_or_default
def get_dmesg(prog, *, timestamps=True):
    """The log as dmesg(1) prints it: "[seconds.micros] text" per record (bytes)."""
    if timestamps:
        lines = [b"[% 5d.%06d] %s" % (r.timestamp // 1000000000, r.timestamp % 1000000000 // 1000,
                                      r.text) for r in get_printk_records(prog)]
    else:
        lines = [r.text for r in get_printk_records(prog)]
    lines.append(b"")
    return b"\n".join(lines)


@takes_program_or_default
def print_dmesg(prog, *, timestamps=True, file=None):
    """Write get_dmesg() to `file` (default stdout)."""
    data = get_dmesg(prog, timestamps=timestamps)
    if file is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        file.write(data.decode(errors="replace"))


__getattr__ = _fallback.module_getattr(__name__)
