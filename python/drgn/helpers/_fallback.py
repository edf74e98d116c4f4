# Where kdive's helper packages get what they do not implement: drgn's own pure-Python
# helper modules (env KDIVE_DRGN_PATH, the CLI's --drgn-path; else Debian's python3-drgn),
# executed as modules of kdive's `drgn` package so their `from drgn import ...` binds kdive.
import importlib.util
import os
import sys

_DEBIAN = "/usr/lib/python3/dist-packages/drgn"
_private = {}  # module name -> drgn's copy (not in sys.modules), or None
_errors = {}  # module name -> why drgn's copy could not be loaded


def drgn_package_dir():
    """drgn's `drgn` package directory to fall back on, or None. KDIVE_DRGN_PATH may name
    the package directory itself or a directory containing it; "none" disables."""
    env = os.environ.get("KDIVE_DRGN_PATH")
    if env is not None:
        if env.strip().lower() in ("", "none"):
            return None
        for cand in (os.path.join(env, "drgn"), env):
            if os.path.isfile(os.path.join(cand, "helpers", "__init__.py")):
                return cand
        return None
    if os.path.isfile(os.path.join(_DEBIAN, "helpers", "__init__.py")):
        return _DEBIAN
    return None


def module_file(fullname):
    """drgn's source file for module `fullname` ("drgn.helpers.linux.block"), or None."""
    root = drgn_package_dir()
    if root is None:
        return None
    base = os.path.join(root, *fullname.split(".")[1:])
    for path in (base + ".py", os.path.join(base, "__init__.py")):
        if os.path.isfile(path):
            return path
    return None


def fallback_module_names(package):
    """Submodule names drgn has in `package` ("drgn.helpers.linux")."""
    path = module_file(package)
    if path is None or not path.endswith("__init__.py"):
        return []
    d = os.path.dirname(path)
    return sorted(f[:-3] for f in os.listdir(d)
                  if f.endswith(".py") and not f.startswith("_"))


def _missing(fullname):
    helper = fullname.rsplit(".", 1)[-1]
    return ModuleNotFoundError(
        f"kdive does not implement the drgn helper module {fullname!r} ({helper}), and "
        "drgn's own helpers are not available to fall back on (set KDIVE_DRGN_PATH or "
        "--drgn-path to a drgn source tree)", name=fullname)


class _Finder:
    # Last on sys.meta_path: consulted only when kdive's package has no such module.
    # (Not derived from importlib.abc.MetaPathFinder: importing importlib.abc costs
    # ~15 ms of every `import drgn`.)
    def find_spec(self, fullname, path, target=None):
        if not fullname.startswith("drgn.helpers."):
            return None
        if fullname.rsplit(".", 1)[-1].startswith("_"):
            return None
        src = module_file(fullname)
        if src is None:
            raise _missing(fullname)
        kwargs = {}
        if src.endswith("__init__.py"):
            kwargs["submodule_search_locations"] = [os.path.dirname(src)]
        return importlib.util.spec_from_file_location(fullname, src, **kwargs)


def install():
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.append(_Finder())


def private_module(fullname):
    """drgn's version of a module kdive also implements, loaded under the same name but
    kept out of sys.modules (kdive's stays the one imported); None when unavailable."""
    if fullname in _private:
        return _private[fullname]
    mod = None
    src = module_file(fullname)
    if src is not None:
        _private[fullname] = None  # a cycle through this module finds nothing
        try:
            spec = importlib.util.spec_from_file_location(fullname, src)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
        except Exception as e:  # e.g. a _linux_helper_* native kdive's _drgn lacks
            _errors[fullname] = f"drgn's {src} could not be loaded: {type(e).__name__}: {e}"
            mod = None
    _private[fullname] = mod
    return mod


def module_getattr(fullname):
    """A PEP 562 module __getattr__: names kdive's module lacks come from drgn's."""
    def __getattr__(name):
        if not name.startswith("__"):
            mod = private_module(fullname)
            if mod is not None and hasattr(mod, name):
                return getattr(mod, name)
            why = _errors.get(fullname)
            if why is None and drgn_package_dir() is None:
                why = "drgn's own helpers are not available to fall back on"
            if why:
                raise AttributeError(f"module {fullname!r} has no attribute {name!r} "
                                     f"(kdive does not implement it; {why})")
        raise AttributeError(f"module {fullname!r} has no attribute {name!r}")
    return __getattr__


def extra_names(fullname, have):
    """Public names drgn's version of `fullname` exports that kdive's lacks."""
    mod = private_module(fullname)
    if mod is None:
        return []
    return [n for n in getattr(mod, "__all__", ()) if n not in have]
