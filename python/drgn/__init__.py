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
