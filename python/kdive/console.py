# `kdive --python`: drgn's kind of interactive console on the opened program — drgn's
# pre-imported names, a displayhook printing Objects as drgn does, readline completion of
# names and Object members, history in ~/.kdive_python_history — plus `%CMD` lines that
# run kdive's own commands.
import builtins
import code
import importlib
import os
import rlcompleter
import shutil
import sys
from typing import Any, Dict, List

import drgn

from . import commands

HISTORY = "~/.kdive_python_history"
# drgn's CLI puts these drgn names in the console's globals.
DRGN_NAMES = ["NULL", "Object", "cast", "container_of", "execscript", "offsetof",
              "reinterpret", "sizeof", "stack_trace"]


def displayhook(value: Any) -> None:
    """Objects print as their C form (format_ to the terminal's width), stack traces and
    types as str(), anything else as repr(); `_` is the last value, as in Python."""
    if value is None:
        return
    builtins._ = None  # type: ignore[attr-defined]
    if isinstance(value, drgn.Object):
        try:
            text = value.format_(columns=shutil.get_terminal_size((0, 0)).columns)
        except TypeError:  # a format_ without the columns option
            text = value.format_()
    elif isinstance(value, (drgn.StackFrame, drgn.StackTrace, drgn.Type)):
        text = str(value)
    else:
        text = repr(value)
    try:
        sys.stdout.write(text + "\n")
    except UnicodeEncodeError:
        sys.stdout.write(text.encode(sys.stdout.encoding or "utf-8", "backslashreplace")
                         .decode(sys.stdout.encoding or "utf-8") + "\n")
    builtins._ = value  # type: ignore[attr-defined]


def _object_members(obj: "drgn.Object") -> List[str]:
    """Member names an Object offers after `.`: its struct's (through pointers and
    typedefs, anonymous members flattened)."""
    try:
        t = obj.type_
        while t.kind in (drgn.TypeKind.TYPEDEF, drgn.TypeKind.POINTER):
            t = t.type
        names: List[str] = []

        def walk(ty):
            while ty.kind == drgn.TypeKind.TYPEDEF:
                ty = ty.type
            if ty.kind not in (drgn.TypeKind.STRUCT, drgn.TypeKind.UNION, drgn.TypeKind.CLASS):
                return
            for m in ty.members or ():
                if m.name:
                    names.append(m.name)
                else:
                    walk(m.type)

        walk(t)
        return names
    except Exception:
        return []


class Completer(rlcompleter.Completer):
    """rlcompleter, with an Object's C members offered after `obj.` besides its Python
    attributes (evaluation of the prefix is rlcompleter's: names and attributes only)."""

    def attr_matches(self, text: str) -> List[str]:
        matches = super().attr_matches(text)
        expr, _, attr = text.rpartition(".")
        if not expr or any(c in expr for c in "()[]"):
            return matches
        try:
            obj = eval(expr, self.namespace)  # names and attributes only: no calls
        except Exception:
            return matches
        if isinstance(obj, drgn.Object):
            extra = [f"{expr}.{n}" for n in _object_members(obj) if n.startswith(attr)]
            matches = sorted(set(matches) | set(extra))
        return matches


class Console(code.InteractiveConsole):
    """A line starting with `%` (outside a multi-line statement) is a kdive command."""

    def push(self, line: str) -> bool:  # type: ignore[override]
        if not self.buffer and line.lstrip().startswith("%"):
            self.kdive_command(line.lstrip()[1:].strip())
            return False
        return super().push(line)

    def kdive_command(self, line: str) -> None:
        if not line:
            return
        try:
            status, out = commands.server().run(line)
        except commands.CommandError as e:
            print(e, file=sys.stderr)
            return
        sys.stdout.write(out)
        sys.stdout.flush()


def execscript(path: str, *args: str) -> None:
    """drgn's execscript() where the drgn package lacks it: runs a script in the caller's
    globals (sys.argv = [path, *args]) and keeps the names it defines there."""
    import runpy

    caller = sys._getframe(1).f_globals
    saved_argv = sys.argv
    sys.argv = [path, *args]
    try:
        result = runpy.run_path(path, init_globals=caller, run_name="__main__")
    finally:
        sys.argv = saved_argv
    caller.update(result)


def namespace(prog: "drgn.Program", quiet: bool = False) -> Dict[str, Any]:
    """The console's globals: prog, drgn, drgn's common names and helpers (a helper
    module that does not import is left out, with a warning unless `quiet`)."""
    ns: Dict[str, Any] = {"prog": prog, "drgn": drgn, "__name__": "__main__", "__doc__": None}
    for name in DRGN_NAMES:
        if hasattr(drgn, name):
            ns[name] = getattr(drgn, name)
    ns.setdefault("execscript", execscript)
    modules = ["drgn.helpers.common"]
    if prog.flags & drgn.ProgramFlags.IS_LINUX_KERNEL:
        modules.append("drgn.helpers.linux")
    for mod_name in modules:
        try:
            module = importlib.import_module(mod_name)
        except ImportError as e:
            if not quiet:
                print(f"warning: cannot import {mod_name}: {e}", file=sys.stderr)
            continue
        for name in getattr(module, "__all__", [n for n in vars(module) if not n.startswith("_")]):
            if hasattr(module, name):
                ns[name] = getattr(module, name)
    ns["kdive_command"] = commands.command
    return ns


def banner(ns: Dict[str, Any], prog: "drgn.Program") -> str:
    lines = ["kdive Python console (drgn API). For help, type help(drgn).",
             ">>> import drgn",
             f">>> from drgn import {', '.join(n for n in DRGN_NAMES if n in ns)}",
             ">>> from drgn.helpers.common import *"]
    if prog.flags & drgn.ProgramFlags.IS_LINUX_KERNEL:
        lines.append(">>> from drgn.helpers.linux import *")
    lines.append("%CMD runs a kdive command (%bt, %ps, %help); kdive_command(CMD) returns its output.")
    return "\n".join(lines)


def interact(prog: "drgn.Program") -> int:
    ns = namespace(prog)
    sys.path.insert(0, "")
    sys.displayhook = displayhook
    try:
        import atexit
        import readline

        histfile = os.path.expanduser(HISTORY)
        try:
            readline.read_history_file(histfile)
        except OSError:
            pass
        readline.set_history_length(1000)

        def save_history() -> None:
            try:
                readline.write_history_file(histfile)
            except OSError as e:
                print(f"could not write history: {e}", file=sys.stderr)

        atexit.register(save_history)
        readline.set_completer(Completer(ns).complete)
        # libedit-backed readline modules take the editline syntax.
        if "libedit" in (readline.__doc__ or ""):
            readline.parse_and_bind("bind ^I rl_complete")
        else:
            readline.parse_and_bind("tab: complete")
    except ImportError:
        pass
    Console(locals=ns).interact(banner=banner(ns, prog), exitmsg="")
    if commands._server is not None:
        commands._server.close()
    return 0
