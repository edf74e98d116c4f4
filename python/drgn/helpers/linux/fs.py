# drgn.helpers.linux.fs: the VFS — paths of dentries and inodes (walking d_parent and
# crossing mounts as prepend_path() does), mounts of a namespace (mnt_ns->list, or the
# mounts rbtree since 6.8), and the open files of a task.
import os

from drgn import container_of, sizeof
from drgn.helpers import _fallback
from drgn.helpers.common.format import escape_ascii_string
from drgn.helpers.common.prog import takes_object_or_program_or_default
from drgn.helpers.linux.list import hlist_empty, hlist_for_each_entry, list_for_each_entry

__all__ = (
    "d_path", "dentry_path", "fget", "for_each_file", "for_each_mount", "inode_path",
    "inode_paths", "mount_dst", "mount_fstype", "mount_src", "print_files", "print_mounts",
)


def d_path(path_or_vfsmnt, dentry=None):
    """The full path (bytes) of a `struct path *` or of a (`struct vfsmount *`, `struct
    dentry *`) pair, crossing mount points up to the root."""
    if dentry is None:
        vfsmnt = path_or_vfsmnt.mnt
        dentry = path_or_vfsmnt.dentry.read_()
    else:
        vfsmnt = path_or_vfsmnt
        dentry = dentry.read_()
    mnt = container_of(vfsmnt, "struct mount", "mnt").read_()
    d_op = dentry.d_op.read_()
    if d_op and d_op.d_dname:
        # Names made up on demand (pipes, sockets, anon inodes): the filesystem type.
        return b"[" + dentry.d_inode.i_sb.s_type.name.string_() + b"]"
    parts = []
    d = dentry.value_()
    while True:
        if d == mnt.mnt.mnt_root.value_():
            parent = mnt.mnt_parent.read_()
            if parent.value_() == mnt.value_():
                break
            dentry = mnt.mnt_mountpoint.read_()
            d = dentry.value_()
            mnt = parent
            continue
        d_parent = dentry.d_parent.read_()
        if d_parent.value_() == d:
            break
        parts.append(dentry.d_name.name.string_())
        dentry = d_parent
        d = dentry.value_()
    return b"/" + b"/".join(reversed(parts)) if parts else b"/"


def dentry_path(dentry):
    """The path (bytes) of a dentry from the root of its filesystem."""
    parts = []
    dentry = dentry.read_()
    while True:
        d_parent = dentry.d_parent.read_()
        if d_parent.value_() == dentry.value_():
            break
        parts.append(dentry.d_name.name.string_())
        dentry = d_parent
    return b"/".join(reversed(parts))


def _d_alias(prog):
    # The dentry's link in inode->i_dentry: in the d_u union, anonymous since 6.x.
    return "d_u.d_alias" if prog.type("struct dentry").has_member("d_u") else "d_alias"


def inode_path(inode):
    """A path (bytes) of the inode from its filesystem's root, None without dentries."""
    if hlist_empty(inode.i_dentry):
        return None
    return dentry_path(container_of(inode.i_dentry.first, "struct dentry", _d_alias(inode.prog_)))


def inode_paths(inode):
    """Every path of the inode (iterator of bytes), one per dentry alias."""
    return (dentry_path(d) for d in
            hlist_for_each_entry("struct dentry", inode.i_dentry.address_of_(),
                                         _d_alias(inode.prog_)))


def mount_src(mnt):
    """The device name (bytes) a `struct mount *` was mounted from."""
    return mnt.mnt_devname.string_()


def mount_dst(mnt):
    """The mount point path (bytes) of a `struct mount *`."""
    return d_path(mnt.mnt.address_of_(), mnt.mnt.mnt_root)


def mount_fstype(mnt):
    """The filesystem type (bytes) of a mount, with ".subtype" for FUSE and the like."""
    sb = mnt.mnt.mnt_sb.read_()
    fstype = sb.s_type.name.string_()
    subtype = sb.s_subtype.read_()
    if subtype:
        sub = subtype.string_()
        if sub:
            fstype += b"." + sub
    return fstype


def _mounts(ns):
    # 6.8+: an rbtree of mounts by mnt_id (before, `mounts` is their count).
    t = ns.type_.type if ns.type_.kind.name == "POINTER" else ns.type_
    m = t.member("mounts") if t.has_member("mounts") else None
    if m is not None and m.type.kind.name == "STRUCT":
        root = ns.mounts.address_of_()
    else:
        return list_for_each_entry("struct mount", ns.list.address_of_(), "mnt_list")
    from drgn.helpers.linux.rbtree import rbtree_inorder_for_each_entry
    return rbtree_inorder_for_each_entry("struct mount", root, "mnt_node")


@takes_object_or_program_or_default
def for_each_mount(prog, ns, src=None, dst=None, fstype=None):
    """Each `struct mount *` of the mount namespace (default: init's), optionally only
    those with the given source, mount point and/or filesystem type."""
    if ns is None:
        ns = prog["init_task"].nsproxy.mnt_ns
    src = os.fsencode(src) if src is not None else None
    dst = os.fsencode(dst) if dst is not None else None
    fstype = os.fsencode(fstype) if fstype else None
    for mnt in _mounts(ns):
        if ((src is None or mount_src(mnt) == src)
                and (dst is None or mount_dst(mnt) == dst)
                and (fstype is None or mount_fstype(mnt) == fstype)):
            yield mnt


@takes_object_or_program_or_default
def print_mounts(prog, ns, src=None, dst=None, fstype=None):
    """Print the mounts like /proc/mounts, with each `struct mount *`."""
    for mnt in for_each_mount(prog if ns is None else ns, src, dst, fstype):
        fields = [escape_ascii_string(f(mnt), escape_backslash=True)
                  for f in (mount_src, mount_dst, mount_fstype)]
        print(f"{fields[0]} {fields[1]} {fields[2]} ({mnt.type_.type_name()})0x{mnt.value_():x}")


def fget(task, fd):
    """The `struct file *` of file descriptor `fd` of the task."""
    return task.files.fdt.fd[fd]


def for_each_file(task):
    """Each (fd, `struct file *`) open in the task, by descriptor."""
    fdt = task.files.fdt.read_()
    word_bits = 8 * sizeof(fdt.open_fds.type_.type)
    fds = fdt.fd
    open_fds = fdt.open_fds
    for i in range((fdt.max_fds.value_() + word_bits - 1) // word_bits):
        word = open_fds[i].value_()
        while word:
            low = word & -word
            fd = i * word_bits + low.bit_length() - 1
            yield fd, fds[fd]
            word ^= low


def print_files(task):
    """Print the task's open files: descriptor, path and `struct file *`."""
    for fd, file in for_each_file(task):
        path = escape_ascii_string(d_path(file.f_path), escape_backslash=True)
        print(f"{fd} {path} ({file.type_.type_name()})0x{file.value_():x}")


__getattr__ = _fallback.module_getattr(__name__)
