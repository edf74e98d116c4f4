# drgn.helpers.linux.slab: the slab allocator (SLUB) — its caches, which cache and object
# an address belongs to, and every allocated object of a cache. The walks of slabs and
# free lists are kdive's native SLUB walk (SlubAllocator, src/linux/slab.h).
from typing import NamedTuple

import os

from drgn import NULL, Object, container_of
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux._util import native_call, pointer_type
from drgn.helpers.linux.list import list_for_each_entry

__all__ = (
    "SlabObjectInfo",
    "find_containing_slab_cache",
    "find_slab_cache",
    "for_each_slab_cache",
    "get_slab_cache_aliases",
    "print_slab_caches",
    "slab_cache_for_each_allocated_object",
    "slab_cache_is_merged",
    "slab_object_info",
)


class SlabObjectInfo(NamedTuple):
    """What slab_object_info() finds: the cache (`struct kmem_cache *`), the slab
    (`struct slab *`, or `struct page *` before 5.17), where the object starts, and
    whether it is allocated."""

    slab_cache: Object
    slab: Object
    address: int
    allocated: bool


@takes_program_or_default
def for_each_slab_cache(prog):
    """Each `struct kmem_cache *` on the slab_caches list."""
    return list_for_each_entry("struct kmem_cache", prog["slab_caches"].address_of_(), "list")


@takes_program_or_default
def find_slab_cache(prog, name):
    """The `struct kmem_cache *` named `name` (str or bytes), or None."""
    if isinstance(name, str):
        name = name.encode()
    for s in for_each_slab_cache(prog):
        if s.name.string_() == name:
            return s
    return None


def slab_cache_is_merged(slab_cache):
    """Whether other caches were merged into this one (its refcount is above 1)."""
    return slab_cache.refcount.value_() > 1


def _drgn_version(name):
    f = getattr(_fallback.private_module(__name__), name, None)
    if f is None:
        raise NotImplementedError(f"{name}: kdive's native slab walk failed and drgn's "
                                  "helpers are not available")
    return f


def slab_cache_for_each_allocated_object(slab_cache, type):
    """Each allocated object of the cache, as `type *` (order: slab by slab)."""
    prog = slab_cache.prog_
    objects = native_call("slab_objects", prog, slab_cache.value_())
    if objects is None:
        yield from _drgn_version("slab_cache_for_each_allocated_object")(slab_cache, type)
        return
    ptype = pointer_type(prog, type)
    for a in objects:
        yield Object(prog, ptype, value=a)


def _slab_type(prog):
    try:
        return prog.type("struct slab *")
    except LookupError:  # before 5.17 the slab is its struct page
        return prog.type("struct page *")


@takes_program_or_default
def slab_object_info(prog, addr):
    """SlabObjectInfo for an address inside a slab object, or None."""
    addr = addr.__index__() if not isinstance(addr, Object) else addr.value_()
    info = native_call("slab_object_info", prog, addr)
    if info is None:
        return None
    cache, slab, start, allocated = info
    return SlabObjectInfo(Object(prog, "struct kmem_cache *", value=cache),
                          Object(prog, _slab_type(prog), value=slab), start, allocated)


@takes_program_or_default
def find_containing_slab_cache(prog, addr):
    """The `struct kmem_cache *` of the slab `addr` is in, NULL if none."""
    info = slab_object_info(prog, addr)
    if info is None:
        return NULL(prog, "struct kmem_cache *")
    return info.slab_cache


@takes_program_or_default
def print_slab_caches(prog):
    """Print every cache's name and address."""
    for s in for_each_slab_cache(prog):
        print(f"{s.name.string_().decode(errors='replace')} ({s.type_.type_name()})0x{s.value_():x}")


@takes_program_or_default
def get_slab_cache_aliases(prog):
    """{cache name: name of the cache it was merged into} for merged caches. SLUB
    records a merge only as a sysfs symlink (/sys/kernel/slab/NAME -> :A-0000064), so
    the kernfs children of slab_kset that are links give them (CONFIG_SYSFS)."""
    try:
        slab_kset = prog["slab_kset"]
    except KeyError:
        raise LookupError("Couldn't find SLUB sysfs information: get_slab_cache_aliases() "
                          "requires CONFIG_SLUB and CONFIG_SYSFS enabled in the debugged "
                          "kernel.") from None
    from drgn.helpers.linux.rbtree import rbtree_inorder_for_each_entry

    link = prog.constant("KERNFS_LINK").value_()
    aliases = {}
    for kn in rbtree_inorder_for_each_entry("struct kernfs_node",
                                            slab_kset.kobj.sd.dir.children.address_of_(), "rb"):
        if not kn.flags.value_() & link:
            continue
        kobj = Object(prog, "struct kobject *", value=kn.symlink.target_kn.priv.value_())
        cache = container_of(kobj, "struct kmem_cache", "kobj")
        alias = os.fsdecode(kn.name.string_())
        target = os.fsdecode(cache.name.string_())
        if alias != target:
            aliases[alias] = target
    return aliases


__getattr__ = _fallback.module_getattr(__name__)
