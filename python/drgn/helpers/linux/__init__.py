# kdive's drgn.helpers.linux: every helper module's public names, importable from the
# package itself as drgn's are ("from drgn.helpers.linux import *"); modules kdive does
# not implement, and names missing from kdive's modules, come from drgn's own package
# when it is available (drgn/helpers/_fallback.py). Those are looked up on first need
# (`__all__`, or a name kdive lacks): executing drgn's modules costs ~20 ms, which a
# script that imports only kdive's names should not pay.
import importlib
import pkgutil

from drgn.helpers import _fallback

_names = []  # kdive's own exports; __all__ adds drgn's extras when first asked for


def _export(module, names, into):
    for name in names:
        if name in globals() and name in into:
            continue
        try:
            globals()[name] = getattr(module, name)
        except AttributeError:
            continue
        into.append(name)


_kdive_modules = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
for _name in _kdive_modules:
    _module = importlib.import_module(f"{__name__}.{_name}")
    _export(_module, [*getattr(_module, "__all__", ())], _names)  # (`list` is the list module here)
del _name, _module


def _all_names():
    # drgn's names that kdive's modules lack (resolved through their __getattr__), then
    # the modules only drgn has.
    names = [*_names]
    for name in _kdive_modules:
        module = importlib.import_module(f"{__name__}.{name}")
        have = set(getattr(module, "__all__", ()))
        _export(module, _fallback.extra_names(f"{__name__}.{name}", have), names)
    for name in _fallback.fallback_module_names(__name__):
        if name in _kdive_modules:
            continue
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except Exception:  # a drgn module needing what kdive's core does not have
            continue
        _export(module, getattr(module, "__all__", ()), names)
    return names


def __getattr__(name):
    # PEP 562: reached only for names not (yet) in the module.
    if name.startswith("__") and name != "__all__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if "__all__" not in globals():
        globals()["__all__"] = _all_names()
    if name in globals():
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__getattr__("__all__")))
