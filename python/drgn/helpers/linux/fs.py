# drgn.helpers.linux.fs: the VFS — paths of dentries and inodes (walking d_parent and
# crossing mounts as prepend_path() does), looking a path up in the dentry cache, mounts
# of a namespace (mnt_ns->list, or the mounts rbtree since 6.8) and of a super block,
# an inode's page cache, file mode types, and the open files of a task.
import os

from drgn import Object, TypeKind, container_of, sizeof
from drgn.helpers import _fallback
from drgn.helpers.common.format import escape_ascii_string
from drgn.helpers.common.prog import takes_object_or_program_or_default
from drgn.helpers.linux.list import hlist_empty, hlist_for_each_entry, list_for_each_entry
from drgn.helpers.linux.xarray import xa_for_each, xa_is_value

__all__ = (
    "address_space_for_each_page", "d_path", "decode_file_type", "dentry_path", "fget",
    "for_each_file", "for_each_mount", "inode_for_each_page", "inode_path", "inode_paths",
    "mount_dst", "mount_fstype", "mount_src", "path_lookup", "print_files", "print_mounts",
    "super_block_for_each_mount",
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


def _mounted_here(mnt, dentry):
    # The mount whose mountpoint is `dentry` in `mnt`, or None. The kernel marks such
    # dentries with DCACHE_MOUNTED, but that is a macro whose value changed (6.15), so
    # the child mounts are searched instead: the same answer, as the flag is set
    # exactly while some child mount sits on the dentry.
    d = dentry.value_()
    for child in list_for_each_entry("struct mount", mnt.mnt_mounts.address_of_(), "mnt_child"):
        if child.mnt_mountpoint.value_() == d:
            return child
    return None


def _enter_mounts(mnt, dentry):
    # Cross into whatever is mounted on dentry, then on that mount's root, and so on.
    while True:
        child = _mounted_here(mnt, dentry)
        if child is None:
            return mnt, dentry
        mnt, dentry = child, child.mnt.mnt_root.read_()


def _dentry_children(dentry):
    # Since 6.8 (commit da549bdd15c2) a dentry's children are the hlist d_children
    # linked by d_sib; before, the list d_subdirs linked by d_child.
    if dentry.type_.type.has_member("d_children"):
        return hlist_for_each_entry("struct dentry", dentry.d_children.address_of_(), "d_sib")
    return list_for_each_entry("struct dentry", dentry.d_subdirs.address_of_(), "d_child")


@takes_object_or_program_or_default
def path_lookup(prog, root, path, *, allow_negative=False):
    """The `struct path` of a path name, resolved in the dentry cache from `root` (a
    `struct path *`; default: init's root directory), crossing mount points. Raises
    if a component is not cached, or the result is negative (no inode) unless
    `allow_negative`."""
    if root is None:
        root = prog["init_task"].fs.root
    top_mnt = container_of(root.mnt.read_(), "struct mount", "mnt")
    top = root.dentry.read_()
    mnt, dentry = top_mnt, top
    parts = os.fsencode(path).split(b"/")
    for i, name in enumerate(parts):
        if name in (b"", b"."):
            continue
        if name == b"..":
            # Up one directory, leaving mounts whose root we are at; never above root.
            while dentry.value_() != top.value_() or mnt.value_() != top_mnt.value_():
                parent = dentry.d_parent.read_()
                if parent.value_() != dentry.value_():
                    dentry = parent
                    break
                up = mnt.mnt_parent.read_()
                if up.value_() == mnt.value_():
                    break
                dentry = mnt.mnt_mountpoint.read_()
                mnt = up
        else:
            for child in _dentry_children(dentry):
                if child.d_name.name.string_() == name:
                    dentry = child
                    break
            else:
                missing = os.fsdecode(b"/".join(parts[:i + 1]))
                raise Exception(f"{missing!r} is not in the dentry cache")
        mnt, dentry = _enter_mounts(mnt, dentry)
    if not allow_negative and not dentry.d_inode:
        raise Exception(f"{os.fsdecode(path)!r} is a negative dentry")
    return Object(prog, "struct path", value={"mnt": mnt.mnt.address_of_(), "dentry": dentry})


def super_block_for_each_mount(sb):
    """Each `struct mount *` of the `struct super_block *`."""
    # Since 6.18 (commit 09a1b33c080f) sb->s_mounts is the first mount of a chain
    # through mnt_next_for_sb; before, a list_head of mounts linked by mnt_instance.
    head = sb.s_mounts
    t = head.type_
    while t.kind == TypeKind.TYPEDEF:
        t = t.type
    if t.kind == TypeKind.POINTER:
        mnt = head.read_()
        while mnt:
            yield mnt
            mnt = mnt.mnt_next_for_sb.read_()
    else:
        yield from list_for_each_entry("struct mount", head.address_of_(), "mnt_instance")


def address_space_for_each_page(mapping):
    """Each (index, `struct page *`) cached in the `struct address_space *`, by index;
    shadow (value) entries of evicted pages are skipped."""
    # The page cache XArray is i_pages since 4.17 (commit b93b016313b3), page_tree
    # before.
    cache = mapping.i_pages if mapping.type_.type.has_member("i_pages") else mapping.page_tree
    page_p = mapping.prog_.type("struct page *")
    for index, entry in xa_for_each(cache.address_of_()):
        if not xa_is_value(entry):
            yield index, Object(mapping.prog_, page_p, value=entry.value_())


def inode_for_each_page(inode):
    """Each (index, `struct page *`) of the `struct inode *`'s page cache, by index."""
    return address_space_for_each_page(inode.i_mapping.read_())


_FILE_TYPES = {
    0o140000: "SOCK",
    0o120000: "LNK",
    0o100000: "REG",
    0o060000: "BLK",
    0o040000: "DIR",
    0o020000: "CHR",
    0o010000: "FIFO",
}


def decode_file_type(mode):
    """The file type of a mode (e.g. inode->i_mode) as a name: "REG", "DIR", "LNK",
    "CHR", "BLK", "FIFO" or "SOCK"; else the S_IFMT bits in octal."""
    kind = mode.__index__() & 0o170000
    return _FILE_TYPES.get(kind, f"{kind:06o}")


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
