#!/usr/bin/python3
# Parity probe: drgn.helpers.linux irq, pci, sysfs, ioport, timer, timekeeping, the
# kernfs/fs/cpumask additions, on the dump's own interrupts, PCI devices, sysfs nodes,
# resources, timers, mounts and page cache.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from probe_lib import H, check, open_program, show  # noqa: E402

prog = open_program()


def typed(v):
    """A returned Object's C type and value."""
    return f"({v.type_.type_name()}){show(v)}"


def cpus():
    return list(H("linux.cpumask", "for_each_possible_cpu")(prog))


# cpumask_of
for cpu in cpus():
    check(f"cpumask_of.{cpu}", lambda: typed(H("linux.cpumask", "cpumask_of")(prog, cpu)))
    check(f"cpumask_of.{cpu}.cpus",
          lambda: list(H("linux.cpumask", "for_each_cpu")(H("linux.cpumask", "cpumask_of")(prog, cpu))))

# irq
I = "linux.irq"
descs = []
try:
    descs = list(H(I, "for_each_irq_desc")(prog))
except Exception:
    pass
check("for_each_irq_desc", lambda: [(irq, typed(d)) for irq, d in H(I, "for_each_irq_desc")(prog)])
check("for_each_irq_desc.default_prog", lambda: len(list(H(I, "for_each_irq_desc")())))
for irq, desc in descs:
    check(f"irq_to_desc.{irq}", lambda: typed(H(I, "irq_to_desc")(prog, irq)))
    check(f"irq_desc_action_names.{irq}", lambda: H(I, "irq_desc_action_names")(desc))
    check(f"irq_desc_chip_name.{irq}", lambda: H(I, "irq_desc_chip_name")(desc))
    check(f"irq_desc_affinity_mask.{irq}",
          lambda: H("linux.cpumask", "cpumask_to_cpulist")(H(I, "irq_desc_affinity_mask")(desc)))
    check(f"irq_desc_kstat_cpu.{irq}", lambda: [H(I, "irq_desc_kstat_cpu")(desc, c) for c in cpus()])
check("irq_to_desc.missing", lambda: typed(H(I, "irq_to_desc")(prog, 99999)))
check("irq_to_desc.default_prog", lambda: typed(H(I, "irq_to_desc")(0)))
check("gate_desc_func", lambda: [typed(H(I, "gate_desc_func")(g)) for g in list(prog["idt_table"])[:32]])
check("gate_desc_func.ptr", lambda: typed(H(I, "gate_desc_func")(prog["idt_table"][3].address_of_())))

# pci
P = "linux.pci"
check("for_each_pci_dev", lambda: [H(P, "pci_name")(d) for d in H(P, "for_each_pci_dev")(prog)])
check("for_each_pci_dev.types", lambda: sorted({typed(d).split(")")[0] for d in H(P, "for_each_pci_dev")()}))
for dev in list(H(P, "for_each_pci_dev")(prog)) if "pci_bus_type" in prog else []:
    name = H(P, "pci_name")(dev)
    check(f"pci_is_bridge.{name}", lambda: H(P, "pci_is_bridge")(dev))
    check(f"pci_pcie_type.{name}", lambda: H(P, "pci_pcie_type")(dev))
    check(f"kobject_path.{name}", lambda: H("linux.sysfs", "kobject_path")(dev.dev.kobj.address_of_()))


def walk_bus(bus, depth):
    out = [(depth, H(P, "pci_bus_name")(bus), [H(P, "pci_name")(d) for d in H(P, "pci_bus_for_each_dev")(bus)])]
    for child in H(P, "pci_bus_for_each_child")(bus):
        out += walk_bus(child, depth + 1)
    return out


check("for_each_pci_root_bus", lambda: [typed(b) for b in H(P, "for_each_pci_root_bus")(prog)])
check("pci_bus_tree", lambda: [walk_bus(b, 0) for b in H(P, "for_each_pci_root_bus")(prog)])

# sysfs / kernfs
S = "linux.sysfs"
PATHS = ("", "/sys", "/sys/", "devices/system/cpu", "/sys/devices/system/cpu/cpu0",
         "/sys/devices/system/cpu/online", "/sys/module/kernel", "/sys/module/kernel/parameters",
         "/sys/bus/pci", "/sys/bus/pci/drivers", "/sys/class/net", "/sys/class/net/lo",
         "/sys/kernel", "/sys/kernel/mm", "/sys/nonexistent", "/proc/sys", "/sysfoo", "//sys//kernel",
         "/sys/block", "/sys/firmware", "/sys/bus/pci/drivers/pcieport", "/sys/class/tty/console")
for path in PATHS:
    check(f"sysfs_lookup_node.{path}", lambda: typed(H(S, "sysfs_lookup_node")(prog, path)))
    check(f"sysfs_lookup_kobject.{path}", lambda: typed(H(S, "sysfs_lookup_kobject")(prog, path)))
    check(f"sysfs_lookup.{path}", lambda: typed(H(S, "sysfs_lookup")(prog, path)))
    check(f"sysfs_listdir.{path}", lambda: H(S, "sysfs_listdir")(prog, path))
    check(f"kobject_path.{path}", lambda: H(S, "kobject_path")(H(S, "sysfs_lookup_kobject")(prog, path)))
check("sysfs_lookup.default_prog", lambda: typed(H(S, "sysfs_lookup")("/sys/kernel")))
K = "linux.kernfs"
check("kernfs_children.root",
      lambda: [H(K, "kernfs_name")(c) for c in H(K, "kernfs_children")(prog["sysfs_root_kn"])])
check("kernfs_children.types",
      lambda: sorted({typed(c).split(")")[0] for c in H(K, "kernfs_children")(prog["sysfs_root_kn"])}))
check("kernfs_children.file",
      lambda: list(H(K, "kernfs_children")(H(S, "sysfs_lookup_node")(prog, "kernel/mm/transparent_hugepage/enabled"))))
check("kernfs_walk.nofollow",
      lambda: H(K, "kernfs_path")(H(K, "kernfs_walk")(prog["sysfs_root_kn"], "class/tty/console", False)))
check("kernfs_walk.follow",
      lambda: H(K, "kernfs_path")(H(K, "kernfs_walk")(prog["sysfs_root_kn"], "class/tty/console")))
check("kernfs_walk.through_link",
      lambda: H(K, "kernfs_path")(H(K, "kernfs_walk")(prog["sysfs_root_kn"], "class/tty/console/subsystem/console", False)))

# ioport
R = "linux.ioport"
for root in ("iomem_resource", "ioport_resource"):
    check(f"for_each_resource.{root}", lambda: [
        (r.name.string_() if r.name else None, hex(r.start.value_()), hex(r.end.value_()))
        for r in H(R, "for_each_resource")(prog[root].address_of_())])
    check(f"for_each_resource.{root}.types",
          lambda: sorted({typed(r).split(")")[0] for r in H(R, "for_each_resource")(prog[root].address_of_())}))

# timekeeping
T = "linux.timekeeping"
for name in ("ktime_get_boottime_seconds", "ktime_get_clocktai_seconds", "ktime_get_coarse_boottime_ns",
             "ktime_get_coarse_clocktai_ns", "ktime_get_coarse_ns", "ktime_get_coarse_real_ns",
             "ktime_get_real_seconds", "ktime_get_seconds", "uptime", "uptime_pretty"):
    check(f"{name}", lambda: H(T, name)(prog))
    check(f"{name}.type", lambda: (lambda v: typed(v) if hasattr(v, "type_") else type(v).__name__)(H(T, name)()))


def per_cpu_hrtimer(cpu):
    return H("linux.percpu", "per_cpu")(prog["hrtimer_bases"], cpu)


for cpu in cpus():
    check(f"ktime_to_ns.{cpu}", lambda: typed(H(T, "ktime_to_ns")(per_cpu_hrtimer(cpu).expires_next)))


# timer
M = "linux.timer"
check("timer_base_names", lambda: H(M, "timer_base_names")(prog))
check("timer_base_names.default_prog", lambda: H(M, "timer_base_names")())
for cpu in cpus():
    check(f"timer_base_for_each.{cpu}", lambda: [
        [typed(t) for t in H(M, "timer_base_for_each")(base.address_of_())]
        for base in H("linux.percpu", "per_cpu")(prog["timer_bases"], cpu)])
    check(f"hrtimer_clock_base_for_each.{cpu}", lambda: [
        [typed(t) for t in H(M, "hrtimer_clock_base_for_each")(cb.address_of_())]
        for cb in per_cpu_hrtimer(cpu).clock_base])

# fs
F = "linux.fs"
LOOKUPS = ("/", "/proc", "/dev", "/sys", "/sys/kernel", "/dev/null", "/proc/../dev", "/..", "//dev/./",
           "/nonexistent-kdive-path", "/dev/null/..", "/tmp", "/run", "/etc")


def looked_up(path, *args, **kwargs):
    p = H(F, "path_lookup")(*args, path, **kwargs)
    return p.type_.type_name(), show(p.mnt), show(p.dentry)


def lookup_d_path(*args, **kwargs):
    p = H(F, "path_lookup")(*args, **kwargs)
    return H(F, "d_path")(p.mnt, p.dentry)


for path in LOOKUPS:
    check(f"path_lookup.{path}", lambda: looked_up(path, prog))
    check(f"path_lookup.{path}.d_path", lambda: lookup_d_path(prog, path))
    check(f"path_lookup.{path}.type", lambda: H(F, "decode_file_type")(
        H(F, "path_lookup")(prog, path).dentry.d_inode.i_mode))
check("path_lookup.default_prog", lambda: lookup_d_path("/proc"))
check("path_lookup.root_arg", lambda: looked_up("..", prog["init_task"].fs.root.address_of_()))


def negative_names():
    # Names of cached negative dentries directly below "/" and "/dev".
    from drgn.helpers.linux.list import hlist_for_each_entry, list_for_each_entry
    out = []
    for d in ("/", "/dev", "/tmp", "/proc", "/sys"):
        parent = H(F, "path_lookup")(prog, d).dentry
        if parent.type_.type.has_member("d_children"):
            kids = hlist_for_each_entry("struct dentry", parent.d_children.address_of_(), "d_sib")
        else:
            kids = list_for_each_entry("struct dentry", parent.d_subdirs.address_of_(), "d_child")
        out += [d.rstrip("/") + "/" + k.d_name.name.string_().decode() for k in kids if not k.d_inode]
    return sorted(out)[:5]


try:
    negatives = negative_names()
except Exception:
    negatives = []
check("path_lookup.negatives", lambda: negatives)
check("path_lookup.allow_negative", lambda: looked_up("/dev/null", prog, allow_negative=True))
for path in negatives:
    check(f"path_lookup.{path}.negative", lambda: looked_up(path, prog))
    check(f"path_lookup.{path}.allow_negative", lambda: looked_up(path, prog, allow_negative=True))
for mode in (0o100644, 0o40755, 0o120777, 0o20666, 0o60660, 0o10600, 0o140777, 0o170000, 0, 0o30000):
    check(f"decode_file_type.{mode:o}", lambda: H(F, "decode_file_type")(mode))


def mounts():
    return list(H(F, "for_each_mount")(prog))


for i, mnt in enumerate(mounts() if "init_task" in prog else []):
    check(f"super_block_for_each_mount.{i}", lambda: [
        typed(m) for m in H(F, "super_block_for_each_mount")(mnt.mnt.mnt_sb)])

init = H("linux.pid", "find_task")(prog, 1)
exe = init.mm.exe_file.f_inode
check("inode_for_each_page.init_exe", lambda: [(i, typed(p)) for i, p in H(F, "inode_for_each_page")(exe)][:40])
check("inode_for_each_page.init_exe.count", lambda: sum(1 for _ in H(F, "inode_for_each_page")(exe)))
check("address_space_for_each_page.init_exe",
      lambda: sum(1 for _ in H(F, "address_space_for_each_page")(exe.i_mapping)))
for fd, file in H(F, "for_each_file")(init):
    check(f"inode_for_each_page.init_fd{fd}", lambda: len(list(H(F, "inode_for_each_page")(file.f_inode))))
