# kdive's `drgn` package: drgn's public names on kdive's engine. The core classes come
# from kdive's `_drgn` extension (build/python or lib/kdive/python); the helpers under
# drgn.helpers are kdive's (drgn.helpers.linux.* backed by its C++ walks).
from _drgn import *  # noqa: F401,F403
from _drgn import (  # noqa: F401
    FaultError,
    MissingDebugInfoError,
    NULL,
    Object,
    ObjectAbsentError,
    ObjectNotFoundError,
    OutOfBoundsError,
    NoDefaultProgramError,
    Program,
    StackFrame,
    StackTrace,
    Thread,
    Type,
    TypeKind,
    cast,
    container_of,
    get_default_prog,
    offsetof,
    reinterpret,
    set_default_prog,
    sizeof,
)

# IntegerLike: what drgn accepts where it wants an integer (int or an Object with
# __index__).
try:
    from typing import SupportsIndex as IntegerLike  # noqa: F401
except ImportError:  # pragma: no cover
    IntegerLike = int

__version__ = "0.0.22+kdive"

# Module-level functions drgn defines in Python (its drgn/__init__.py): kdive's own
# implementations, for names kdive's _drgn does not already give.
import os as _os
import runpy as _runpy
import sys as _sys
import types as _types

import typing as _typing

if "Path" not in globals():
    Path = _typing.Union[str, bytes, _os.PathLike]


def _execscript(path, *args, globals=None):
    """Run the Python script at `path` as __main__ with sys.argv [path, *args], sharing
    `globals` (default: the caller's globals), as drgn's execscript() does."""
    if globals is None:
        globals = _sys._getframe(1).f_globals
    old_argv = _sys.argv
    old_main = _sys.modules.get("__main__")
    module = _types.ModuleType("__main__")
    module.__dict__.update(globals)
    _sys.argv = [path, *args]
    _sys.modules["__main__"] = module
    try:
        result = _runpy.run_path(path, init_globals=module.__dict__, run_name="__main__")
        globals.update({k: v for k, v in result.items() if not k.startswith("__")})
    finally:
        _sys.argv = old_argv
        if old_main is None:
            _sys.modules.pop("__main__", None)
        else:
            _sys.modules["__main__"] = old_main


def _stack_trace(thread):
    """The stack trace of a thread (task_struct object or thread ID) of the default
    program: get_default_prog().stack_trace(thread)."""
    return get_default_prog().stack_trace(thread)


def _filename_matches(haystack, needle):
    """Whether the path `needle` names the file `haystack` (needle's components are a
    suffix of haystack's); a missing needle matches anything."""
    if not needle:
        return True
    if not haystack:
        return False
    h = [c for c in _os.fsdecode(haystack).split("/") if c not in ("", ".")]
    n = [c for c in _os.fsdecode(needle).split("/") if c not in ("", ".")]
    if len(n) > len(h):
        return False
    return h[len(h) - len(n):] == n


for _name, _f in (("execscript", _execscript), ("stack_trace", _stack_trace),
                  ("filename_matches", _filename_matches)):
    if _name not in globals():
        _f.__name__ = _name
        globals()[_name] = _f
del _name, _f


# Program.load_debug_info reopens kdive's program: what kdive's helpers keep in
# Program.cache (native walk state, types, layouts; keys "kdive_*"/"_kdive_*") belongs
# to the program being replaced, so it is dropped first.
def _forgetting_helper_state(method):
    def wrapper(self, *args, **kwargs):
        try:
            for key in [k for k in self.cache if isinstance(k, str) and
                        (k.startswith("kdive_") or k.startswith("_kdive_"))]:
                del self.cache[key]
        except Exception:
            pass
        return method(self, *args, **kwargs)

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return wrapper


for _name in ("load_debug_info", "load_default_debug_info"):
    _method = getattr(Program, _name, None)
    if _method is not None and not getattr(_method, "_kdive_wrapped", False):
        try:
            setattr(Program, _name, _forgetting_helper_state(_method))
            getattr(Program, _name)._kdive_wrapped = True
        except (AttributeError, TypeError):  # an immutable class: nothing cached to drop
            pass
del _name, _method
