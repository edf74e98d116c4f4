# drgn.helpers.linux.net: networking — socket <-> sockfs inode, network namespaces (the
# list of them, nsfs inodes), net devices (walks, lookups, names, private data, TX queues,
# IPv4/IPv6 addresses), socket state and nulls-list walks, sk_buff shared info,
# page_pool pages and the neighbour hash tables.
import ipaddress

from drgn import NULL, Object, TypeKind, cast, container_of, sizeof
from drgn.helpers import _fallback
from drgn.helpers.common.prog import (
    takes_object_or_program_or_default,
    takes_program_or_default,
)
from drgn.helpers.linux.fs import fget
from drgn.helpers.linux.list import hlist_for_each_entry, list_for_each_entry
from drgn.helpers.linux.list_nulls import hlist_nulls_for_each_entry
from drgn.helpers.linux.xarray import xa_load

__all__ = (
    "SOCK_INODE",
    "SOCKET_I",
    "for_each_net",
    "for_each_netdev",
    "get_net_ns_by_inode",
    "get_net_ns_by_fd",
    "netdev_for_each_tx_queue",
    "netdev_get_by_index",
    "netdev_get_by_name",
    "netdev_name",
    "netdev_priv",
    "sk_fullsock",
    "sk_nulls_for_each",
    "skb_shinfo",
    "is_pp_page",
    "netdev_ipv4_addrs",
    "netdev_ipv6_addrs",
    "neigh_table_for_each_neighbor",
)

_S_IFMT, _S_IFSOCK = 0o170000, 0o140000
_CLONE_NEWNET = 0x40000000
_NETDEV_ALIGN = 32
_NETDEV_HASHENTRIES = 256  # 1 << NETDEV_HASHBITS


# ---- sockets and their sockfs inodes (both live in one struct socket_alloc) ----

def SOCKET_I(inode):
    """The `struct socket *` of a sockfs `struct inode *`; ValueError for other inodes."""
    if inode.i_mode.value_() & _S_IFMT != _S_IFSOCK:
        raise ValueError("not a socket inode")
    alloc = container_of(inode, "struct socket_alloc", "vfs_inode")
    return alloc.socket.address_of_()


def SOCK_INODE(sock):
    """The sockfs `struct inode *` of a `struct socket *`."""
    alloc = container_of(sock, "struct socket_alloc", "socket")
    return alloc.vfs_inode.address_of_()


# ---- network namespaces ----

@takes_program_or_default
def for_each_net(prog):
    """Each `struct net *` on net_namespace_list."""
    return list_for_each_entry("struct net", prog["net_namespace_list"].address_of_(), "list")


def get_net_ns_by_inode(inode):
    """The `struct net *` of an nsfs inode (/proc/PID/ns/net, a bind mount of one);
    ValueError if the inode is not a network namespace's."""
    prog = inode.prog_
    if inode.i_fop.value_() != prog["ns_file_operations"].address_of_().value_():
        raise ValueError("not a namespace inode")
    ns = cast("struct ns_common *", inode.i_private)
    # The kernel's test (get_net_ns_by_fd()): the namespace's operations are netns's.
    # ns_common::ops still exists where 6.18 added ns_common::ns_type; fall back on the
    # type should ops ever go.
    try:
        ops = ns.ops.value_()
    except AttributeError:
        is_net = ns.ns_type.value_() == _CLONE_NEWNET
    else:
        is_net = ops == prog["netns_operations"].address_of_().value_()
    if not is_net:
        raise ValueError("not a network namespace inode")
    return container_of(ns, "struct net", "ns")


def get_net_ns_by_fd(task, fd):
    """The `struct net *` of the nsfs file `fd` of `task`; ValueError otherwise."""
    return get_net_ns_by_inode(fget(task, fd).f_inode)


# ---- network devices ----

@takes_object_or_program_or_default
def for_each_netdev(prog, net):
    """Each `struct net_device *` of `net` (default: init_net), in dev_base order."""
    if net is None:
        net = prog["init_net"]
    return list_for_each_entry("struct net_device", net.dev_base_head.address_of_(), "dev_list")


def netdev_name(dev):
    """The device's name (bytes)."""
    return dev.name.string_()


@takes_object_or_program_or_default
def netdev_get_by_index(prog, net, ifindex):
    """The `struct net_device *` with interface index `ifindex` in `net` (default:
    init_net), NULL if none."""
    if net is None:
        net = prog["init_net"]
    ifindex = ifindex.__index__()
    # 6.7 ("net: store netdevs in an xarray") indexes devices by ifindex in
    # net->dev_by_index; before, only the dev_index_head hash has them.
    if prog.type("struct net").has_member("dev_by_index"):
        if ifindex < 0:
            return NULL(prog, "struct net_device *")
        return cast("struct net_device *", xa_load(net.dev_by_index.address_of_(), ifindex))
    bucket = net.dev_index_head[ifindex % _NETDEV_HASHENTRIES].address_of_()
    for dev in hlist_for_each_entry("struct net_device", bucket, "index_hlist"):
        if dev.ifindex.value_() == ifindex:
            return dev
    return NULL(prog, "struct net_device *")


@takes_object_or_program_or_default
def netdev_get_by_name(prog, net, name):
    """The `struct net_device *` named `name` (str or bytes) in `net` (default:
    init_net), NULL if none."""
    if net is None:
        net = prog["init_net"]
    if isinstance(name, str):
        name = name.encode()
    for dev in for_each_netdev(net):
        if dev.name.string_() == name:
            return dev
    return NULL(prog, "struct net_device *")


def netdev_priv(dev, type="void"):
    """The driver's private area after the `struct net_device`, as `type *`."""
    prog = dev.prog_
    try:
        offset = prog.cache["kdive_netdev_priv_offset"]
    except KeyError:
        nd = prog.type("struct net_device")
        # Since 6.12 the struct ends with the area itself (u8 priv[], sized by
        # priv_len); before, it starts at the struct's size rounded up to NETDEV_ALIGN.
        if nd.has_member("priv"):
            offset = next(m.offset for m in nd.members if m.name == "priv")
        else:
            offset = -(-sizeof(nd) // _NETDEV_ALIGN) * _NETDEV_ALIGN
        prog.cache["kdive_netdev_priv_offset"] = offset
    t = prog.type(type) if isinstance(type, str) else type
    return Object(prog, prog.pointer_type(t), value=dev.value_() + offset)


def netdev_for_each_tx_queue(dev):
    """Each `struct netdev_queue *` of the device's num_tx_queues TX queues."""
    tx = dev._tx.read_()
    for i in range(dev.num_tx_queues.value_()):
        yield tx + i


def netdev_ipv4_addrs(dev):
    """The device's IPv4 addresses (ipaddress.IPv4Address), in ifa_list order."""
    prog = dev.prog_
    addrs = []
    in_dev = dev.ip_ptr.read_()
    if not in_dev:
        return addrs
    ifa = in_dev.ifa_list.read_()
    while ifa:
        addrs.append(ipaddress.IPv4Address(prog.read(ifa.ifa_address.address_, 4)))
        ifa = ifa.ifa_next.read_()
    return addrs


def netdev_ipv6_addrs(dev):
    """The device's IPv6 addresses (ipaddress.IPv6Address), in addr_list order."""
    prog = dev.prog_
    addrs = []
    in6_dev = dev.ip6_ptr.read_()
    if not in6_dev:
        return addrs
    for ifa in list_for_each_entry("struct inet6_ifaddr", in6_dev.addr_list.address_of_(),
                                   "if_list"):
        addrs.append(ipaddress.IPv6Address(prog.read(ifa.addr.address_, 16)))
    return addrs


# ---- sockets, sk_buffs, pages ----

def sk_fullsock(sk):
    """Whether `sk` (`struct sock *`) is a full socket: not a time-wait or request
    (TCP_NEW_SYN_RECV) minisock, as the kernel's sk_fullsock()."""
    prog = sk.prog_
    state = sk.__sk_common.skc_state.value_()
    return state not in (prog["TCP_TIME_WAIT"].value_(), prog["TCP_NEW_SYN_RECV"].value_())


def sk_nulls_for_each(head):
    """Each `struct sock *` on the nulls list `head` (`struct hlist_nulls_head *`)."""
    return hlist_nulls_for_each_entry("struct sock", head, "__sk_common.skc_nulls_node")


def skb_shinfo(skb):
    """The `struct skb_shared_info *` at the end of the sk_buff's data."""
    end = skb.end.read_()
    t = end.type_
    while t.kind == TypeKind.TYPEDEF:
        t = t.type
    # sk_buff_data_t is an offset from head on 64-bit (NET_SKBUFF_DATA_USES_OFFSET), a
    # pointer on 32-bit.
    if t.kind == TypeKind.POINTER:
        return cast("struct skb_shared_info *", end)
    return Object(skb.prog_, "struct skb_shared_info *", value=skb.head.value_() + end.value_())


def _poison_pointer_delta(prog):
    # POISON_POINTER_DELTA (CONFIG_ILLEGAL_POINTER_VALUE) from a static timer that is not
    # pending: its entry.next is TIMER_ENTRY_STATIC (0x300 + delta) if never armed, or
    # LIST_POISON2 (0x122 + delta) once detached; delta has no bits below 0x1000.
    try:
        return prog.cache["kdive_poison_pointer_delta"]
    except KeyError:
        pass
    nxt = prog["poll_spurious_irq_timer"].entry.next.value_()
    if nxt & 0xFFF not in (0x300, 0x122):
        raise ValueError("cannot find POISON_POINTER_DELTA")
    delta = nxt & ~0xFFF
    prog.cache["kdive_poison_pointer_delta"] = delta
    return delta


def is_pp_page(page):
    """Whether the `struct page *` belongs to a page_pool. NotImplementedError where the
    kernel cannot tell (page_pool before 5.14's pp_magic)."""
    prog = page.prog_
    # 7.1 (commit db359fccf212) gives page_pool pages their own page type.
    try:
        netpp = prog["PGTY_netpp"].value_()
    except KeyError:
        pass
    else:
        return page.page_type.value_() >> 24 == netpp
    try:
        magic = page.pp_magic.value_()
    except AttributeError:
        # pp_magic came with 5.14 (commit c07aea3ef4d4); page_pool itself with 4.18.
        try:
            prog.type("struct page_pool")
        except LookupError:
            return False
        raise NotImplementedError("page_pool pages are not marked before Linux 5.14")
    delta = _poison_pointer_delta(prog)
    signature = delta + 0x40  # PP_SIGNATURE
    mask = ~0x3
    # Since 6.15 ("page_pool: Track DMA-mapped pages and unmap them when destroying the
    # pool", which added page_pool::dma_mapped) pp_magic also holds a DMA index in the
    # bits above the signature's (from bit 7, below the delta's lowest bit).
    try:
        has_index = prog.type("struct page_pool").has_member("dma_mapped")
    except LookupError:
        has_index = False
    if has_index:
        shift = 7  # 1 + __fls(PP_SIGNATURE - POISON_POINTER_DELTA)
        if delta:
            bits = min(32, (delta & -delta).bit_length() - 1 - shift)
        else:
            bits = min(32, 8 * sizeof(prog.type("unsigned long")) - shift - 1)
        mask &= ~(((1 << bits) - 1) << shift)
    return magic & mask == signature


# ---- neighbours ----

def neigh_table_for_each_neighbor(table):
    """Each `struct neighbour *` of a `struct neigh_hash_table *` (e.g. arp_tbl.nht)."""
    buckets = 1 << table.hash_shift.value_()
    # 6.13 (commit 41b3caa7c076) chains neighbours on hlists in hash_heads; before, on
    # their own `next` pointers from hash_buckets.
    if table.prog_.type("struct neigh_hash_table").has_member("hash_heads"):
        heads = table.hash_heads.read_()
        for i in range(buckets):
            yield from hlist_for_each_entry("struct neighbour", heads + i, "hash")
        return
    slots = table.hash_buckets.read_()
    for i in range(buckets):
        n = slots[i].read_()
        while n:
            yield n
            n = n.next.read_()


__getattr__ = _fallback.module_getattr(__name__)
