# kdive's drgn.helpers.linux: every helper module's public names, importable from the
# package itself as drgn's are ("from drgn.helpers.linux import *"); modules kdive does
# not implement, and names missing from kdive's modules, come from drgn's own package
# when it is available (drgn/helpers/_fallback.py).
import importlib
import pkgutil

from drgn.helpers import _fallback

__all__ = []


def _export(module, names):
    for name in names:
        if name in globals() and name in __all__:
            continue
        try:
            globals()[name] = getattr(module, name)
        except AttributeError:
            continue
        __all__.append(name)


_kdive_modules = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
for _name in _kdive_modules:
    _module = importlib.import_module(f"{__name__}.{_name}")
    _names = [*getattr(_module, "__all__", ())]  # (`list` is the list module here)
    _export(_module, _names)
    # drgn's names this kdive module lacks (resolved through its __getattr__).
    _export(_module, _fallback.extra_names(f"{__name__}.{_name}", set(_names)))

for _name in _fallback.fallback_module_names(__name__):
    if _name in _kdive_modules:
        continue
    try:
        _module = importlib.import_module(f"{__name__}.{_name}")
    except Exception:  # a drgn module needing what kdive's core does not have
        continue
    _export(_module, getattr(_module, "__all__", ()))

del _name, _module, _names
