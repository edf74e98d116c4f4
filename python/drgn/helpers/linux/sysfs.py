# drgn.helpers.linux.sysfs: sysfs paths — the kernfs node under sysfs_root_kn for a
# "/sys/..." path, the kobject it shows and the structure embedding that kobject
# (told apart by kobj->ktype), and the sysfs path of a kobject.
from drgn import NULL, Object, container_of
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.kernfs import (
    _is_type,
    kernfs_children,
    kernfs_parent,
    kernfs_path,
    kernfs_walk,
)

__all__ = (
    "sysfs_lookup_node",
    "sysfs_lookup_kobject",
    "sysfs_lookup",
    "sysfs_listdir",
    "kobject_path",
)


@takes_program_or_default
def sysfs_lookup_node(prog, path):
    """The `struct kernfs_node *` of a sysfs path, either relative to /sys or absolute
    (starting with /sys); NULL if not found. "" and "/sys" give the sysfs root."""
    root = prog["sysfs_root_kn"].read_()
    if path.startswith("/"):
        parts = [p for p in path.split("/") if p]
        if not parts or parts[0] != "sys":
            return NULL(prog, "struct kernfs_node *")
        path = "/".join(parts[1:])
    return kernfs_walk(root, path)


def _kobject_of_node(prog, kn):
    # A directory's kn->priv is its kobject; an attribute file's is its directory's.
    if not _is_type(kn, "KERNFS_DIR"):
        kn = kernfs_parent(kn)
        if not kn:
            return NULL(prog, "struct kobject *")
    return Object(prog, "struct kobject *", value=kn.priv.value_())


@takes_program_or_default
def sysfs_lookup_kobject(prog, path):
    """The `struct kobject *` a sysfs path shows: the directory's kobject, or for an
    attribute file its directory's; NULL if not found."""
    kn = sysfs_lookup_node(prog, path)
    if not kn:
        return NULL(prog, "struct kobject *")
    return _kobject_of_node(prog, kn)


def _ktype(prog, name):
    try:
        return prog[name].address_of_().value_()
    except KeyError:
        return None


def _subsys(kobj):
    kset = container_of(kobj, "struct kset", "kobj")
    return container_of(kset, "struct subsys_private", "subsys")


@takes_program_or_default
def sysfs_lookup(prog, path):
    """The object a sysfs path shows: the `struct device *`, `struct module_kobject *`,
    `struct device_driver *`, `struct class *` or `struct bus_type *` embedding its
    kobject, else the `struct kobject *` itself (NULL if not found)."""
    kobj = sysfs_lookup_kobject(prog, path)
    if not kobj:
        return kobj
    ktype = kobj.ktype.value_()
    if ktype == _ktype(prog, "device_ktype"):
        return container_of(kobj, "struct device", "kobj")
    if ktype == _ktype(prog, "module_ktype"):
        return container_of(kobj, "struct module_kobject", "kobj")
    if ktype == _ktype(prog, "driver_ktype"):
        return container_of(kobj, "struct driver_private", "kobj").driver.read_()
    # Classes and buses are a struct subsys_private whose subsys kset holds the kobject.
    if ktype == _ktype(prog, "class_ktype"):
        return getattr(_subsys(kobj), "class").read_()
    if ktype == _ktype(prog, "bus_ktype"):
        return _subsys(kobj).bus.read_()
    return kobj


@takes_program_or_default
def sysfs_listdir(prog, path):
    """The names (list of bytes) in a sysfs directory; ValueError if the path is
    missing or not a directory."""
    kn = sysfs_lookup_node(prog, path)
    if not kn:
        raise ValueError(f"{path}: not found")
    return [child.name.string_() for child in kernfs_children(kn)]


def kobject_path(kobj):
    """The sysfs path (bytes) of a `struct kobject *`, e.g. b"/sys/devices/system"."""
    path = kernfs_path(kobj.sd.read_())
    return b"/sys" if path == b"/" else b"/sys" + path


__getattr__ = _fallback.module_getattr(__name__)
