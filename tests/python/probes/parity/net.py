#!/usr/bin/python3
# Parity probe: drgn.helpers.linux.net, tcp, tc, bpf and cgroup's sock_cgroup_ptr on the
# dump's own namespaces, devices, kernel sockets, sk_buffs, pages, neighbours, BPF
# objects and cgroups.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from drgn import Object, offsetof  # noqa: E402
from probe_lib import H, check, open_program  # noqa: E402

prog = open_program()
N = "linux.net"


def strs(addrs):
    return [str(a) for a in addrs]


def hexes(objs):
    return [hex(o.value_()) for o in objs]


# ---- namespaces and devices ----
nets = list(H(N, "for_each_net")(prog))
check("for_each_net", lambda: hexes(nets))
check("for_each_netdev.default", lambda: [H(N, "netdev_name")(d) for d in H(N, "for_each_netdev")(prog)])
check("netdev_get_by_name.default", lambda: H(N, "netdev_get_by_name")(prog, "lo"))
check("netdev_get_by_index.default", lambda: H(N, "netdev_get_by_index")(prog, 1))
for i, net in enumerate(nets):
    devs = list(H(N, "for_each_netdev")(net))
    check(f"net{i}.devs", lambda: hexes(devs))
    check(f"net{i}.by_index.0", lambda: H(N, "netdev_get_by_index")(net, 0))
    check(f"net{i}.by_index.4242", lambda: H(N, "netdev_get_by_index")(net, 4242))
    check(f"net{i}.by_name.missing", lambda: H(N, "netdev_get_by_name")(net, "nosuchdev0"))
    for dev in devs:
        name = dev.name.string_().decode()
        p = f"net{i}.{name}"
        check(f"{p}.netdev_name", lambda: H(N, "netdev_name")(dev))
        check(f"{p}.by_index", lambda: H(N, "netdev_get_by_index")(net, dev.ifindex))
        check(f"{p}.by_name.str", lambda: H(N, "netdev_get_by_name")(net, name))
        check(f"{p}.by_name.bytes", lambda: H(N, "netdev_get_by_name")(net, name.encode()))
        check(f"{p}.netdev_priv", lambda: H(N, "netdev_priv")(dev))
        check(f"{p}.netdev_priv.type", lambda: str(H(N, "netdev_priv")(dev, "unsigned long").type_))
        check(f"{p}.tx_queues", lambda: hexes(H(N, "netdev_for_each_tx_queue")(dev)))
        check(f"{p}.ipv4", lambda: strs(H(N, "netdev_ipv4_addrs")(dev)))
        check(f"{p}.ipv6", lambda: strs(H(N, "netdev_ipv6_addrs")(dev)))
        for major in (0, 1, 0x10, 0xFFFF):
            check(f"{p}.qdisc_lookup.{major:#x}", lambda: H("linux.tc", "qdisc_lookup")(dev, major))

# ---- the kernel's own sockets: netlink ones of each namespace, TCP control ones ----
socks = []
for i, net in enumerate(nets):
    for member in ("rtnl", "genl_sock", "diag_nlsk", "uevent_sock"):
        try:
            sk = getattr(net, member).read_()
        except AttributeError:
            continue
        if member == "uevent_sock" and sk:
            sk = sk.sk.read_()
        if sk:
            socks.append((f"net{i}.{member}", sk))
try:
    tcp_sk = prog["ipv4_tcp_sk"]  # 6.0+
    per_cpu = H("linux.percpu", "per_cpu")
    sk = per_cpu(tcp_sk, 0)
    if sk.type_.kind.name == "STRUCT":  # 6.16+: struct sock_bh_locked
        sk = sk.sock
    socks.append(("ipv4_tcp_sk.0", sk.read_()))
except KeyError:
    socks.append(("ipv4_tcp_sk.0", H("linux.percpu", "per_cpu_ptr")(nets[0].ipv4.tcp_sk, 0)[0].read_()))
for p, sk in socks:
    check(f"{p}.sk_fullsock", lambda: H(N, "sk_fullsock")(sk))
    check(f"{p}.sk_tcpstate", lambda: H("linux.tcp", "sk_tcpstate")(sk))
    check(f"{p}.sk_tcpstate.type", lambda: str(H("linux.tcp", "sk_tcpstate")(sk).type_))
    check(f"{p}.sock_cgroup_ptr", lambda: H("linux.cgroup", "sock_cgroup_ptr")(sk.sk_cgrp_data.address_of_()))
    sock = sk.sk_socket.read_()
    if sock:
        check(f"{p}.SOCK_INODE", lambda: H(N, "SOCK_INODE")(sock))
        check(f"{p}.SOCKET_I", lambda: H(N, "SOCKET_I")(H(N, "SOCK_INODE")(sock)))
        check(f"{p}.get_net_ns_by_inode", lambda: H(N, "get_net_ns_by_inode")(H(N, "SOCK_INODE")(sock)))
root_inode = prog["init_task"].fs.root.dentry.d_inode.read_()
check("SOCKET_I.root_inode", lambda: H(N, "SOCKET_I")(root_inode))
check("get_net_ns_by_inode.root_inode", lambda: H(N, "get_net_ns_by_inode")(root_inode))
for i, net in enumerate(nets):
    # The namespace's nsfs dentry, if something opened its /proc/PID/ns/net.
    stashed = net.ns.stashed
    d = stashed.value_() if stashed.type_.kind.name == "POINTER" else stashed.counter.value_()
    if d:
        nsfs_inode = Object(prog, "struct dentry *", value=d).d_inode.read_()
        check(f"net{i}.get_net_ns_by_inode.nsfs", lambda: H(N, "get_net_ns_by_inode")(nsfs_inode))

# Open files of the first tasks: get_net_ns_by_fd on each (nsfs ones give a namespace).
tasks = sorted(H("linux.pid", "for_each_task")(prog), key=lambda t: t.pid.value_())
shown = 0
for t in tasks:
    if not t.files:
        continue
    fds = [fd for fd, _ in H("linux.fs", "for_each_file")(t)][:3]
    for fd in fds:
        check(f"get_net_ns_by_fd.{t.pid.value_()}.{fd}", lambda: H(N, "get_net_ns_by_fd")(t, fd))
    shown += bool(fds)
    if shown >= 3:
        break

# ---- nulls hash lists of sockets: TCP's established hash ----
hinfo = prog["tcp_hashinfo"]
nbuckets = min(hinfo.ehash_mask.value_() + 1, 512)
check("tcp_ehash.sockets", lambda: [
    hex(sk.value_()) for b in range(nbuckets)
    for sk in H(N, "sk_nulls_for_each")(hinfo.ehash[b].chain.address_of_())])

# ---- sk_buffs: the first objects of a slab of the sk_buff cache (a CPU's slab, else
# the first partial one); allocated ones are live sk_buffs ----
def skb_slab_page(cache):
    try:
        cpu_slab = cache.cpu_slab
    except AttributeError:  # 7.0+: no CPU slabs (sheaves)
        cpu_slab = None
    if cpu_slab is not None:
        for cpu in H("linux.cpumask", "for_each_possible_cpu")(prog):
            c = H("linux.percpu", "per_cpu_ptr")(cpu_slab, cpu)
            slab = (c.slab if c.type_.type.has_member("slab") else c.page).read_()
            if slab:
                return slab.value_()
    try:
        node = cache.node[0]
    except AttributeError:  # 7.0+: kmem_cache::per_node[]
        node = cache.per_node[0].node
    head = node.partial.address_of_()
    first = head.next.read_()
    if first.value_() == head.value_():
        return None
    # The slab's `slab_list` (struct slab since 5.17, struct page before).
    try:
        slab_type = prog.type("struct slab")
    except LookupError:
        slab_type = prog.type("struct page")
    return first.value_() - offsetof(slab_type, "slab_list")


def skbs():
    cache = next(c for c in H("linux.list", "list_for_each_entry")(
        "struct kmem_cache", prog["slab_caches"].address_of_(), "list")
        if c.name.string_() == b"skbuff_head_cache")
    page = skb_slab_page(cache)
    if page is None:
        return []
    base = H("linux.mm", "page_to_virt")(Object(prog, "struct page *", value=page)).value_()
    size = cache.size.value_()
    return [Object(prog, "struct sk_buff *", value=base + k * size) for k in range(8)]


skb_list = skbs()
check("skbs", lambda: hexes(skb_list))
for j, skb in enumerate(skb_list):
    check(f"skb{j}.skb_shinfo", lambda: H(N, "skb_shinfo")(skb))

# ---- page_pool pages among a range of pages ----
pfn_to_page = H("linux.mm", "pfn_to_page")
pages = [pfn_to_page(prog, pfn) for pfn in range(0x1000, 0x1100)]
check("is_pp_page.first", lambda: H(N, "is_pp_page")(pages[0]))
check("is_pp_page.count", lambda: sum(H(N, "is_pp_page")(pg) for pg in pages))

# ---- neighbour tables ----
for tbl in ("arp_tbl", "nd_tbl"):
    try:
        nht = prog[tbl].nht.read_()
    except KeyError:
        continue
    check(f"{tbl}.neighbours", lambda: sorted(hexes(H(N, "neigh_table_for_each_neighbor")(nht))))

# ---- BPF ----
B = "linux.bpf"
for kind in ("btf", "link", "map", "prog"):
    check(f"bpf_{kind}_for_each", lambda: hexes(H(B, f"bpf_{kind}_for_each")(prog)))
for id in (0, 1, 2, 100):
    check(f"bpf_prog_by_id.{id}", lambda: H(B, "bpf_prog_by_id")(prog, id))
    check(f"bpf_map_by_id.{id}", lambda: H(B, "bpf_map_by_id")(prog, id))
for bp in H(B, "bpf_prog_for_each")(prog):
    check(f"bpf_prog.{bp.aux.id.value_()}.used_maps", lambda: hexes(H(B, "bpf_prog_used_maps")(bp)))
    check(f"bpf_prog_by_id.{bp.aux.id.value_()}", lambda: H(B, "bpf_prog_by_id")(prog, bp.aux.id))
for bm in H(B, "bpf_map_for_each")(prog):
    check(f"bpf_map_by_id.{bm.id.value_()}", lambda: H(B, "bpf_map_by_id")(prog, bm.id))

root_css = prog["cgrp_dfl_root"].cgrp.self.address_of_()
cgroups = [H("linux.cgroup", "cgroup_path")(root_css.cgroup)]
for css in H("linux.cgroup", "css_for_each_descendant_pre")(root_css):
    cgrp = css.cgroup.read_()
    path = H("linux.cgroup", "cgroup_path")(cgrp).decode()
    ntypes = len(cgrp.bpf.effective)
    check(f"cgroup_bpf.{path}", lambda: {
        t: hexes(H(B, "cgroup_bpf_prog_for_each")(cgrp, t)) for t in range(ntypes)})
    check(f"cgroup_bpf_effective.{path}", lambda: {
        t: hexes(H(B, "cgroup_bpf_prog_for_each_effective")(cgrp, t)) for t in range(ntypes)})
