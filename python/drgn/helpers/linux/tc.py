# drgn.helpers.linux.tc: traffic control — finding a device's qdisc by major handle
# among its root and ingress qdiscs and the device's qdisc hash table.
from drgn import NULL
from drgn.helpers import _fallback
from drgn.helpers.linux.list import hlist_for_each_entry, list_for_each_entry

__all__ = ("qdisc_lookup",)


def _children(dev, root):
    # Since 4.7 ("net: sched: convert qdisc linked list to hashtable") a device's
    # non-root qdiscs are in its qdisc_hash; before, on the root qdisc's `list`.
    prog = dev.prog_
    if prog.type("struct net_device").has_member("qdisc_hash"):
        # As the kernel's qdisc_match_from_root(): the hash of the root's own device;
        # a root without one (the builtin noop qdisc) has no children.
        owner = root.dev_queue.dev.read_()
        if not owner:
            return
        for bucket in owner.qdisc_hash:
            yield from hlist_for_each_entry("struct Qdisc", bucket.address_of_(), "hash")
    else:
        yield from list_for_each_entry("struct Qdisc", root.list.address_of_(), "list")


def qdisc_lookup(dev, major):
    """The `struct Qdisc *` of `dev` whose handle is `major`:0 (`tc`'s "10:" is major
    0x10), searching the root qdisc, then the ingress one; NULL if none."""
    handle = major.__index__() << 16
    roots = [dev.qdisc.read_()]
    ingress = dev.ingress_queue.read_()
    if ingress:
        roots.append(ingress.qdisc_sleeping.read_())
    for root in roots:
        if root.handle.value_() == handle:
            return root
        for q in _children(dev, root):
            if q.handle.value_() == handle:
                return q
    return NULL(dev.prog_, "struct Qdisc *")


__getattr__ = _fallback.module_getattr(__name__)
