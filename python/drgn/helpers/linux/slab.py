# drgn.helpers.linux.slab: the slab allocator (SLUB) — its caches, which cache and object
# an address belongs to, and every allocated object of a cache. The walks of slabs and
# free lists are kdive's native SLUB walk (SlubAllocator, src/linux/slab.h); slab
# geometry (order, objects per slab) and usage counts (/proc/slabinfo's numbers) are
# read here from the caches' own counters and free lists.
from typing import NamedTuple

import os

from drgn import NULL, FaultError, Object, container_of
from drgn.helpers import ValidationError, _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux._util import native_call, pointer_type
from drgn.helpers.linux.cpumask import for_each_online_cpu
from drgn.helpers.linux.list import list_for_each_entry, validate_list_for_each_entry
from drgn.helpers.linux.nodemask import nr_node_ids
from drgn.helpers.linux.percpu import per_cpu_ptr

__all__ = (
    "SlabObjectInfo",
    "find_containing_slab_cache",
    "find_slab_cache",
    "for_each_slab_cache",
    "get_slab_cache_aliases",
    "print_slab_caches",
    "slab_cache_for_each_allocated_object",
    "slab_cache_is_merged",
    "slab_cache_objects_per_slab",
    "slab_cache_order",
    "slab_cache_pages_per_slab",
    "slab_cache_usage",
    "slab_object_info",
    "slab_total_usage",
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


# --- geometry and usage --------------------------------------------------------------

_OO_SHIFT = 16  # SLUB's kmem_cache_order_objects: order << 16 | objects per slab


def _oo(slab_cache):
    try:
        return slab_cache.oo.x.value_()
    except AttributeError:
        return None


def slab_cache_objects_per_slab(slab_cache):
    """How many objects each slab of the `struct kmem_cache *` holds (SLUB, SLAB)."""
    oo = _oo(slab_cache)
    if oo is not None:
        return oo & ((1 << _OO_SHIFT) - 1)
    try:
        return slab_cache.num.value_()  # SLAB
    except AttributeError:
        raise ValueError("SLOB is not supported") from None


def slab_cache_order(slab_cache):
    """The page allocation order of each slab of the cache (SLUB, SLAB)."""
    oo = _oo(slab_cache)
    if oo is not None:
        return oo >> _OO_SHIFT
    try:
        return slab_cache.gfporder.value_()  # SLAB
    except AttributeError:
        raise ValueError("SLOB is not supported") from None


def slab_cache_pages_per_slab(slab_cache):
    """How many pages each slab of the cache takes."""
    return 1 << slab_cache_order(slab_cache)


class SlabCacheUsage(NamedTuple):
    """A cache's slabs, objects, and free objects (slab_cache_usage())."""

    num_slabs: int
    num_objs: int
    free_objs: int

    @property
    def active_objs(self):
        """num_objs - free_objs."""
        return self.num_objs - self.free_objs


class SlabTotalUsage(NamedTuple):
    """Pages of reclaimable and unreclaimable slab memory (slab_total_usage())."""

    reclaimable_pages: int
    unreclaimable_pages: int

    @property
    def total_pages(self):
        """reclaimable_pages + unreclaimable_pages."""
        return self.reclaimable_pages + self.unreclaimable_pages


class _FreePointer:
    # Reads SLUB's free pointer at an object's s->offset. CONFIG_SLAB_FREELIST_HARDENED
    # stores it as ptr ^ s->random ^ swab(its own address) (the swab since 5.7,
    # 1ad53d9fa3f6, backported to stable kernels; nothing in the debug info tells), so
    # the first non-NULL pointer decides: with swab if that one is readable.
    def __init__(self, cache):
        self.prog = cache.prog_
        self.offset = cache.offset.value_()
        try:
            self.random = cache.random.value_()
        except AttributeError:
            self.random = None
        self.swab = None

    def next(self, obj):
        where = obj + self.offset
        raw = self.prog.read_word(where)
        if self.random is None:
            return raw
        swabbed = int.from_bytes(where.to_bytes(8, "little"), "big")
        if self.swab is None:
            decoded = raw ^ self.random ^ swabbed
            if not decoded:
                return 0
            try:
                self.prog.read_word(decoded)
                self.swab = True
            except FaultError:
                self.swab = False
        return raw ^ self.random ^ (swabbed if self.swab else where)


def _freelist_length(fp, head, what):
    seen = set()
    ptr = head
    while ptr:
        if ptr in seen:
            raise ValidationError(f"{what} freelist contains cycle")
        seen.add(ptr)
        ptr = fp.next(ptr)
    return len(seen)


def _slub_cpu_free(cache, fp):
    # Free objects held per CPU: the sheaves (6.18+, 2d517aa09bbc), and before 7.0
    # (32c894c7274b) the CPU slab's freelist (its inuse counts the whole slab as
    # taken) and the CPU partial slabs (CONFIG_SLUB_CPU_PARTIAL).
    prog = cache.prog_
    free = 0
    try:
        sheaves = cache.cpu_sheaves.read_()
    except AttributeError:
        sheaves = None
    if sheaves:
        for cpu in for_each_online_cpu(prog):
            pcs = per_cpu_ptr(sheaves, cpu)
            for sheaf in (pcs.main.read_(), pcs.spare.read_()):
                if sheaf:
                    free += sheaf.size.value_()
    try:
        cpu_slab = cache.cpu_slab.read_()
    except AttributeError:
        return free
    # The CPU's slab is struct slab *slab since 5.17 (bb192ed9aa71), struct page *page
    # before; its partial list counts in ->slabs then, ->pages before.
    current = "slab" if cpu_slab.type_.type.has_member("slab") else "page"
    for cpu in for_each_online_cpu(prog):
        c = per_cpu_ptr(cpu_slab, cpu)
        slab = c.member_(current).read_()
        if slab and slab.slab_cache.value_() == cache.value_():
            free += _freelist_length(fp, c.freelist.value_(), f"cpu {cpu}")
        try:
            partial = c.partial.read_()
        except AttributeError:
            continue
        left = None
        while partial:
            count = partial.member_("slabs" if current == "slab" else "pages").value_()
            if left is not None and count >= left:
                raise ValidationError(f"cpu {cpu} partial slab count not decreasing")
            left = count
            free += partial.objects.value_() - partial.inuse.value_()
            partial = partial.next.read_()
    return free


def _slub_usage(cache):
    prog = cache.prog_
    fp = _FreePointer(cache)
    free = _slub_cpu_free(cache, fp)
    slab_type = _slab_type(prog).type
    # Slabs link through slab_list since 4.18 (4da1984edbbe), page->lru before.
    link = "slab_list" if slab_type.has_member("slab_list") else "lru"
    slabs = objects = 0
    # 7.1 (5ba6bc27b1f9) moved the per-node pointers to per_node[] {node, barn}.
    try:
        per_node = cache.per_node
    except AttributeError:
        per_node = None
    for nid in range(nr_node_ids(prog)):
        if per_node is None:
            node = cache.node[nid].read_()
            barn = None
            try:
                barn = node.barn.read_()  # 6.18 - 7.0
            except AttributeError:
                pass
        else:
            node = per_node[nid].node.read_()
            barn = per_node[nid].barn.read_()
        if not node:
            continue
        try:
            slabs += node.nr_slabs.counter.value_()
        except AttributeError:
            raise ValueError("slab_cache_usage() requires CONFIG_SLUB_DEBUG enabled in the "
                             "kernel") from None
        objects += node.total_objects.counter.value_()
        if barn:
            for sheaf in validate_list_for_each_entry("struct slab_sheaf",
                                                      barn.sheaves_full.address_of_(),
                                                      "barn_list"):
                free += sheaf.size.value_()
        for slab in validate_list_for_each_entry(slab_type, node.partial.address_of_(), link):
            free += slab.objects.value_() - slab.inuse.value_()
    return SlabCacheUsage(num_slabs=slabs, num_objs=objects, free_objs=free)


def _slab_usage(cache):
    # SLAB: the nodes count slabs and free objects; objects sitting in the per-CPU,
    # shared and alien array caches are free too.
    prog = cache.prog_
    cached = set()

    def add(ac):
        for i in range(ac.avail.value_()):
            cached.add(ac.entry[i].value_())

    for cpu in for_each_online_cpu(prog):
        add(per_cpu_ptr(cache.cpu_cache.read_(), cpu))
    slabs = free = 0
    for nid in range(nr_node_ids(prog)):
        node = cache.node[nid].read_()
        if not node:
            continue
        if node.shared:
            add(node.shared)
        if node.alien:
            for other in range(nr_node_ids(prog)):
                alien = node.alien[other].read_()
                if alien:
                    add(alien)
        # total_slabs was num_slabs before 4.10 (bf00bd345804).
        total = node.total_slabs if node.type_.type.has_member("total_slabs") else node.num_slabs
        slabs += total.value_()
        free += node.free_objects.value_()
    return SlabCacheUsage(num_slabs=slabs, num_objs=slabs * cache.num.value_(),
                          free_objs=free + len(cached))


def slab_cache_usage(slab_cache):
    """SlabCacheUsage of a `struct kmem_cache *` (SLUB needs CONFIG_SLUB_DEBUG's node
    counters; SLOB keeps none)."""
    cache = slab_cache.read_()
    if cache.type_.type.has_member("oo"):
        return _slub_usage(cache)
    if cache.type_.type.has_member("num"):
        return _slab_usage(cache)
    raise ValueError("SLOB is not supported")


@takes_program_or_default
def slab_total_usage(prog):
    """SlabTotalUsage from the node counters (SReclaimable / SUnreclaim)."""
    from drgn.helpers.linux.vmstat import global_node_page_state
    # The counters count bytes, with a _B suffix, since 5.9 (d42f3245c7e2) but are
    # still read in pages.
    for suffix in ("_B", ""):
        try:
            reclaimable = prog["NR_SLAB_RECLAIMABLE" + suffix]
        except KeyError:
            continue
        return SlabTotalUsage(
            reclaimable_pages=global_node_page_state(prog, reclaimable),
            unreclaimable_pages=global_node_page_state(prog, prog["NR_SLAB_UNRECLAIMABLE" + suffix]))
    raise LookupError("no NR_SLAB_RECLAIMABLE node counter")


__getattr__ = _fallback.module_getattr(__name__)
