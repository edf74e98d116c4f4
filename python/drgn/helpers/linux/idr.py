# drgn.helpers.linux.idr: the kernel's ID allocator (struct idr: an XArray `idr_rt` of
# pointers whose indices are offset by idr_base, 4.16+).
from drgn import Object, cast
from drgn.helpers import _fallback
from drgn.helpers.linux._util import pointer_type
from drgn.helpers.linux.xarray import xa_for_each, xa_load

__all__ = ("idr_find", "idr_for_each", "idr_for_each_entry")


def _base(idr):
    try:
        return idr.idr_base.value_()
    except AttributeError:  # before 4.16 every IDR starts at 0
        return 0


def idr_find(idr, id):
    """The pointer (`void *`) stored for `id` in the `struct idr *`, NULL if none."""
    id = id.__index__() - _base(idr)
    if id < 0:
        return Object(idr.prog_, "void *", value=0)
    return xa_load(idr.idr_rt.address_of_(), id)


def idr_for_each(idr):
    """Each (id, `void *` entry) of the IDR in ID order."""
    base = _base(idr)
    for index, entry in xa_for_each(idr.idr_rt.address_of_()):
        yield index + base, entry


def idr_for_each_entry(idr, type):
    """Each (id, entry as `type *`) of the IDR."""
    ptype = pointer_type(idr.prog_, type)
    for id, entry in idr_for_each(idr):
        yield id, cast(ptype, entry)


__getattr__ = _fallback.module_getattr(__name__)
