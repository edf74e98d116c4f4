# The program a kdive Python session opened and how it was opened (the kdive CLI's
# -c/-p/-s), so that kdive commands (`%bt` in the console, kdive.command()) can open the
# same target in a kdive command server.
import os
import sys
from typing import List, Optional


class OpenArgs:
    """What the session was opened from: a dump (`core`), a process (`pid`), the live
    kernel (`kernel`), or debug info alone (none of these), plus the debug files."""

    def __init__(self, core: Optional[str] = None, pid: Optional[int] = None,
                 kernel: bool = False, symbols: Optional[List[str]] = None,
                 allow_build_id_mismatch: bool = False, no_debug_info: bool = False):
        self.core = core
        self.pid = pid
        self.kernel = kernel
        self.symbols = list(symbols or [])
        self.allow_build_id_mismatch = allow_build_id_mismatch
        self.no_debug_info = no_debug_info

    def kdive_args(self) -> List[str]:
        """The same target as kdive CLI options."""
        out: List[str] = []
        if self.core is not None:
            out += ["-c", self.core]
        elif self.pid is not None:
            out += ["-p", str(self.pid)]
        elif self.kernel:
            out += ["-c", "/proc/kcore"]
        for s in self.symbols:
            out += ["-s", s]
        if self.allow_build_id_mismatch:
            out.append("--allow-build-id-mismatch")
        if self.no_debug_info:
            out.append("--no-debug-info")
        return out


current: Optional[OpenArgs] = None


def open_program(args: OpenArgs):
    """A drgn.Program opened as drgn's CLI does: the target, then the debug files (a
    missing-debug-info warning goes to stderr; the program stays usable)."""
    import drgn

    prog = drgn.Program()
    if args.no_debug_info:
        prog._kdive_no_debug_info = True
    if args.core is not None:
        prog.set_core_dump(args.core)
    elif args.pid is not None:
        prog.set_pid(args.pid)
    elif args.kernel:
        prog.set_kernel()
    try:
        if args.symbols:
            prog.load_debug_info(args.symbols)
        elif args.core is not None or args.pid is not None or args.kernel:
            # Nothing named: what drgn finds by itself (the running kernel's vmlinux,
            # the dump's build ID in the usual directories).
            prog.load_debug_info(None, default=True, main=True)
    except drgn.MissingDebugInfoError as e:
        print(f"warning: {e}", file=sys.stderr)
    return prog


def kdive_binary() -> Optional[str]:
    """The kdive executable that started this session (KDIVE_EXE, set by the launcher)."""
    exe = os.environ.get("KDIVE_EXE")
    return exe if exe and os.access(exe, os.X_OK) else None
