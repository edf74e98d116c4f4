# drgn.helpers.linux.device: the kernel's dev_t encoding (12-bit major, 20-bit minor).
from drgn.helpers import _fallback

__all__ = ("MAJOR", "MINOR", "MKDEV")

_MINORBITS = 20
_MINORMASK = (1 << _MINORBITS) - 1


def MAJOR(dev):
    """The major number of a kernel dev_t."""
    return dev.__index__() >> _MINORBITS


def MINOR(dev):
    """The minor number of a kernel dev_t."""
    return dev.__index__() & _MINORMASK


def MKDEV(major, minor):
    """The kernel dev_t of a major and minor number."""
    return (major.__index__() << _MINORBITS) | minor.__index__()


__getattr__ = _fallback.module_getattr(__name__)
