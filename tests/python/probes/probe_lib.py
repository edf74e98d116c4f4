# What the helper probes share (helper_battery.py, parity/*.py): opening the dump given on
# the command line with whichever `drgn` is importable, and printing one deterministic
# "label: value" line per helper call so that engines' outputs can be diffed.
import contextlib
import importlib
import io
import sys

import drgn
from drgn import Object, Program


class Skip(Exception):
    pass


def H(module, name):
    """drgn.helpers.<module>.<name>, or Skip when this engine has no such helper."""
    try:
        mod = importlib.import_module("drgn.helpers." + module)
    except ImportError:
        raise Skip()
    f = getattr(mod, name, None)
    if f is None:
        raise Skip()
    return f


def show(v):
    if isinstance(v, Object):
        try:
            t = v.type_
            while t.kind == drgn.TypeKind.TYPEDEF:
                t = t.type
            if t.kind == drgn.TypeKind.POINTER:
                return hex(v.value_())
            if t.kind in (drgn.TypeKind.STRUCT, drgn.TypeKind.UNION):
                return f"<{t.type_name()} at {v.address_:#x}>"
            return repr(v.value_())
        except Exception as e:
            return f"<object {type(e).__name__}>"
    if isinstance(v, bool) or v is None or isinstance(v, (int, float, str, bytes)):
        return repr(v)
    if isinstance(v, tuple) and hasattr(v, "_fields"):
        return "(" + ", ".join(f"{k}={show(x)}" for k, x in zip(v._fields, v)) + ")"
    if isinstance(v, (list, tuple)):
        inner = ", ".join(show(x) for x in v)
        return f"[{inner}]" if isinstance(v, list) else f"({inner})"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{show(k)}: {show(x)}" for k, x in sorted(v.items())) + "}"
    return f"<{type(v).__name__}>"


def check(label, fn):
    try:
        value = fn()
    except Skip:
        print(f"{label}: SKIP", flush=True)
        return
    except Exception as e:
        print(f"{label}: ERROR {type(e).__name__}", flush=True)
        return
    print(f"{label}: {show(value)}", flush=True)


def captured(fn):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        fn()
    return buf.getvalue()


def open_program(argv=None):
    """The Program of `CORE DEBUGFILES...` (sys.argv[1:]), made the default program."""
    argv = sys.argv[1:] if argv is None else argv
    prog = Program()
    prog.set_core_dump(argv[0])
    prog.load_debug_info(argv[1:])
    if hasattr(drgn, "set_default_prog"):
        drgn.set_default_prog(prog)
    return prog
