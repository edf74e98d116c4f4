# kdive's drgn.helpers: drgn's helper modules (common/, linux/) on kdive's engine, with
# drgn's module paths, names and signatures. A helper module or name kdive lacks comes
# from drgn's own pure-Python package when one is available (see _fallback.py).
from drgn.helpers import _fallback

_fallback.install()


class ValidationError(Exception):
    """A data structure is not valid (raised by the validate_* helpers)."""
