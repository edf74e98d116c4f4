# drgn.helpers.linux.device: the kernel's dev_t encoding (12-bit major, 20-bit minor), the
# driver core's buses and classes (their struct subsys_private and registered devices),
# device names, and the registered block and character device numbers.
from drgn import Object, cast, container_of
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.list import list_for_each_entry

__all__ = (
    "MAJOR",
    "MINOR",
    "MKDEV",
    "bus_for_each_dev",
    "bus_to_subsys",
    "class_for_each_device",
    "class_to_subsys",
    "dev_name",
    "for_each_registered_blkdev",
    "for_each_registered_chrdev",
)

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


def dev_name(dev):
    """The name (bytes) of a `struct device *`: its init_name until it is registered,
    then its kobject's name."""
    init_name = dev.init_name.read_()
    if init_name:
        return init_name.string_()
    return dev.kobj.name.string_()


def _subsys(prog, kset, field, obj):
    # The struct subsys_private registered on `kset` whose `field` points to `obj`.
    address = obj.value_()
    for sp in list_for_each_entry("struct subsys_private", prog[kset].list.address_of_(),
                                  "subsys.kobj.entry"):
        if sp.member_(field).value_() == address:
            return sp
    return Object(prog, prog.pointer_type(prog.type("struct subsys_private")), 0)


def bus_to_subsys(bus):
    """The driver core's private data (`struct subsys_private *`) of a `struct bus_type *`,
    NULL if the bus is not registered."""
    # Until 6.3 the bus points to it (bus_type::p, removed by commit d2bf38c088e0); since,
    # the kernel finds it on bus_kset's list, as done here for every kernel.
    return _subsys(bus.prog_, "bus_kset", "bus", bus)


def class_to_subsys(class_):
    """The driver core's private data (`struct subsys_private *`) of a `struct class *`,
    NULL if the class is not registered."""
    # class::p until 6.4 (commit 2df418cf4b72 removed it); class_kset's list always.
    return _subsys(class_.prog_, "class_kset", "class", class_)


def _klist_nodes(klist):
    # The live nodes (`struct klist_node *`) of a `struct klist`; klist iterators skip
    # the nodes being removed, marked by bit 0 (KNODE_DEAD) of n_klist.
    for node in list_for_each_entry("struct klist_node", klist.k_list.address_of_(), "n_node"):
        if not node.n_klist.value_() & 1:
            yield node


def bus_for_each_dev(bus):
    """Each `struct device *` on a `struct bus_type *`, in the order they were added."""
    sp = bus_to_subsys(bus)
    if not sp:
        return
    for node in _klist_nodes(sp.klist_devices):
        yield container_of(node, "struct device_private", "knode_bus").device.read_()


def class_for_each_device(class_):
    """Each `struct device *` of a `struct class *`, in the order they were added."""
    prog = class_.prog_
    sp = class_to_subsys(class_)
    if not sp:
        return
    # The class list node moved from struct device to struct device_private in 5.1
    # (commit 570d0200123f).
    private = prog.type("struct device_private").has_member("knode_class")
    for node in _klist_nodes(sp.klist_devices):
        if private:
            yield container_of(node, "struct device_private", "knode_class").device.read_()
        else:
            yield container_of(node, "struct device", "knode_class")


@takes_program_or_default
def for_each_registered_chrdev(prog):
    """Each registered character device number range as (first dev_t, number of minors,
    name, `struct cdev *` or NULL), from the chrdevs hash table (/proc/devices' order)."""
    cdev_ptr = prog.pointer_type(prog.type("struct cdev"))
    probes = prog["cdev_map"].probes
    for head in prog["chrdevs"]:
        cd = head.read_()
        while cd:
            major = cd.major.value_()
            first = MKDEV(major, cd.baseminor.value_())
            cdev = cd.cdev.read_()
            if not cdev:
                # Regions reserved with register_chrdev_region() and added by cdev_add()
                # are found in cdev_map's probe chain of the major; that chain ends with
                # the catch-all base probe, which maps no cdev.
                probe = probes[major % len(probes)].read_()
                while probe and probe.next:
                    if probe.dev.value_() == first:
                        cdev = cast(cdev_ptr, probe.data)
                        break
                    probe = probe.next.read_()
            yield first, cd.minorct.value_(), cd.name.string_(), cdev
            cd = cd.next.read_()


@takes_program_or_default
def for_each_registered_blkdev(prog):
    """Each registered block device major as (major, name, `struct blk_major_name *`),
    from the major_names hash table."""
    for head in prog["major_names"]:
        entry = head.read_()
        while entry:
            yield entry.major.value_(), entry.name.string_(), entry
            entry = entry.next.read_()


__getattr__ = _fallback.module_getattr(__name__)
