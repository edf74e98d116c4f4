#!/usr/bin/python3
# The helper battery's probe: `helper_battery.py CORE DEBUGFILES...` opens a dump with
# whichever `drgn` is importable (Debian's 0.0.22, or kdive's package) and prints one
# line per drgn.helpers call, "label: value". A helper the engine lacks prints
# "label: SKIP"; an exception prints "label: ERROR <class>". Values are deterministic
# (sorted where the order is incidental), so test_helper_battery.py can diff engines.
import itertools

import drgn
from drgn import Object, cast

from probe_lib import H, captured, check, open_program, show  # noqa: F401

prog = open_program()

OBJ = "struct kdive_obj"
obj_list = prog["kdive_obj_list"].address_of_()
obj_tree = prog["kdive_obj_tree"].address_of_()
obj_xa = prog["kdive_obj_xa"].address_of_()
live = prog["kdive_live_obj"]
freed = prog["kdive_freed_obj"]


def ids(objs):
    return [o.id.value_() for o in objs]


def task(pid):
    return H("linux.pid", "find_task")(prog, pid)


# --- common.format, common.type ------------------------------------------------------
check("escape_ascii_string", lambda: H("common.format", "escape_ascii_string")(b"a\tb\x01\"'\\\x7f\xff"))
check("escape_ascii_string.escapes", lambda: H("common.format", "escape_ascii_string")(
    b"a\"b'c\\", escape_backslash=True, escape_double_quote=True, escape_single_quote=True))
check("escape_ascii_character", lambda: [H("common.format", "escape_ascii_character")(c) for c in (0, 10, 65, 200)])
FLAGS = [("A", 0), ("B", 2), ("C", 4)]
check("decode_flags", lambda: [H("common.format", "decode_flags")(v, FLAGS) for v in (0, 1, 0x15, 0x17)])
check("decode_flags.values", lambda: H("common.format", "decode_flags")(0x13, [("X", 1), ("Y", 2), ("Z", 0x10)], bit_numbers=False))
check("decode_enum_type_flags", lambda: H("common.format", "decode_enum_type_flags")(
    3, prog.type("enum kdive_color"), bit_numbers=False))
check("number_in_binary_units", lambda: [H("common.format", "number_in_binary_units")(n) for n in (10, 1024, 1280, 3 << 30)])
check("enum_type_to_class", lambda: sorted((m.name, m.value) for m in H("common.type", "enum_type_to_class")(
    prog.type("enum kdive_color"), "Color")))

# --- common.memory -------------------------------------------------------------------
identify = lambda a: H("common.memory", "identify_address")(prog, a)  # noqa: E731
check("identify_address.live", lambda: identify(live.value_() + 0x10))
check("identify_address.freed", lambda: identify(freed.value_() + 8))
check("identify_address.object_symbol", lambda: identify(prog["init_task"].address_ + 8))
check("identify_address.function_symbol", lambda: identify(prog["schedule"].address_ + 1))
check("identify_address.unknown", lambda: identify(0x10))

# --- linux.list, llist, list_nulls ---------------------------------------------------
L = lambda name: H("linux.list", name)  # noqa: E731
check("list_empty", lambda: L("list_empty")(obj_list))
check("list_is_singular", lambda: L("list_is_singular")(obj_list))
check("list_for_each.count", lambda: len(list(L("list_for_each")(obj_list))))
check("list_for_each_reverse.count", lambda: len(list(L("list_for_each_reverse")(obj_list))))
check("list_for_each_entry", lambda: ids(L("list_for_each_entry")(OBJ, obj_list, "node")))
check("list_for_each_entry_reverse", lambda: ids(L("list_for_each_entry_reverse")(OBJ, obj_list, "node")))
check("list_first_entry", lambda: L("list_first_entry")(obj_list, OBJ, "node").id)
check("list_last_entry", lambda: L("list_last_entry")(obj_list, OBJ, "node").id)
check("list_next_entry", lambda: L("list_next_entry")(L("list_first_entry")(obj_list, OBJ, "node"), "node").id)
check("list_prev_entry", lambda: L("list_prev_entry")(L("list_last_entry")(obj_list, OBJ, "node"), "node").id)
check("list_first_entry_or_null.empty", lambda: L("list_first_entry_or_null")(
    prog["init_task"].ptraced.address_of_(), "struct task_struct", "ptrace_entry"))
check("list_first_entry_or_null", lambda: L("list_first_entry_or_null")(obj_list, OBJ, "node").id)
check("list_count_nodes", lambda: L("list_count_nodes")(obj_list))
check("validate_list", lambda: L("validate_list")(obj_list))
check("validate_list_for_each_entry", lambda: ids(L("validate_list_for_each_entry")(OBJ, obj_list, "node")))
check("hlist_empty", lambda: L("hlist_empty")(task(1).thread_pid.tasks[0].address_of_()))
check("hlist_for_each_entry", lambda: [t.pid.value_() for t in L("hlist_for_each_entry")(
    "struct task_struct", task(1).thread_pid.tasks[0].address_of_(), "pid_links[0]")])
check("hlist_for_each.count", lambda: len(list(L("hlist_for_each")(task(1).thread_pid.tasks[0].address_of_()))))
check("llist_empty", lambda: H("linux.llist", "llist_empty")(prog["delayed_fput_list"].address_of_()))
check("llist_for_each.count", lambda: len(list(H("linux.llist", "llist_for_each")(prog["delayed_fput_list"].first))))
check("is_a_nulls", lambda: [H("linux.list_nulls", "is_a_nulls")(Object(prog, "struct hlist_nulls_node *", value=v)) for v in (1, 0x1000)])

# --- linux.rbtree --------------------------------------------------------------------
R = lambda name: H("linux.rbtree", name)  # noqa: E731
entry = lambda node: drgn.container_of(node, OBJ, "rb")  # noqa: E731
check("rbtree_inorder_for_each_entry", lambda: ids(R("rbtree_inorder_for_each_entry")(OBJ, obj_tree, "rb")))
check("rbtree_inorder_for_each.count", lambda: len(list(R("rbtree_inorder_for_each")(obj_tree))))
check("rb_first", lambda: entry(R("rb_first")(obj_tree)).id)
check("rb_last", lambda: entry(R("rb_last")(obj_tree)).id)
check("rb_next", lambda: entry(R("rb_next")(R("rb_first")(obj_tree))).id)
check("rb_prev", lambda: entry(R("rb_prev")(R("rb_last")(obj_tree))).id)
check("rb_next.last", lambda: R("rb_next")(R("rb_last")(obj_tree)))
check("rb_parent.root", lambda: R("rb_parent")(obj_tree.rb_node))
check("RB_EMPTY_NODE", lambda: R("RB_EMPTY_NODE")(R("rb_first")(obj_tree)))
check("RB_EMPTY_ROOT", lambda: R("RB_EMPTY_ROOT")(obj_tree))
cmp_id = lambda key, o: key - o.id.value_()  # noqa: E731
check("rb_find", lambda: [show(R("rb_find")(OBJ, obj_tree, "rb", k, cmp_id)) != "0x0" for k in (10, 11, 39, 100)])
check("validate_rbtree", lambda: R("validate_rbtree")(OBJ, obj_tree, "rb", lambda a, b: a.id.value_() - b.id.value_(), False))

# --- linux.xarray, radixtree, idr ----------------------------------------------------
X = lambda name: H("linux.xarray", name)  # noqa: E731
check("xa_for_each", lambda: [(i, cast(OBJ + " *", e).id.value_()) for i, e in X("xa_for_each")(obj_xa)])
check("xa_load", lambda: cast(OBJ + " *", X("xa_load")(obj_xa, 5007)).id)
check("xa_load.missing", lambda: [X("xa_load")(obj_xa, i) for i in (0, 3007, 6, 10 ** 9)])
check("xa_is_zero", lambda: [X("xa_is_zero")(e) for _, e in X("xa_for_each")(obj_xa)][:3])
check("xa_is_value", lambda: [X("xa_is_value")(Object(prog, "void *", value=v)) for v in (0x11, 0x1000)])
check("xa_to_value", lambda: X("xa_to_value")(Object(prog, "void *", value=0x11)))
check("radix_tree_lookup", lambda: cast(OBJ + " *", H("linux.radixtree", "radix_tree_lookup")(obj_xa, 1007)).id)
check("radix_tree_for_each", lambda: [i for i, _ in H("linux.radixtree", "radix_tree_for_each")(obj_xa)])
pid_idr = lambda: prog["init_pid_ns"].idr.address_of_()  # noqa: E731
check("idr_find", lambda: cast("struct pid *", H("linux.idr", "idr_find")(pid_idr(), 1)).numbers[0].nr)
check("idr_for_each", lambda: [i for i, _ in H("linux.idr", "idr_for_each")(pid_idr())])
check("idr_for_each_entry", lambda: [(i, p.numbers[0].nr.value_()) for i, p in H("linux.idr", "idr_for_each_entry")(pid_idr(), "struct pid")][:5])

# --- linux.pid, sched ----------------------------------------------------------------
P = lambda name: H("linux.pid", name)  # noqa: E731
check("for_each_task", lambda: sorted((t.pid.value_(), t.comm.string_()) for t in P("for_each_task")(prog)))
check("for_each_pid", lambda: sorted(p.numbers[0].nr.value_() for p in P("for_each_pid")(prog)))
check("find_task", lambda: [task(p).comm.string_() for p in (1, 2)])
check("find_task.missing", lambda: task(999999))
check("find_pid", lambda: P("find_pid")(prog, 1).numbers[0].nr)
check("pid_task", lambda: P("pid_task")(P("find_pid")(prog, 1), prog["PIDTYPE_PID"]).pid)
S = lambda name: H("linux.sched", name)  # noqa: E731
check("task_state_to_char", lambda: sorted((t.pid.value_(), S("task_state_to_char")(t)) for t in P("for_each_task")(prog)))
check("task_cpu", lambda: sorted((t.pid.value_(), S("task_cpu")(t)) for t in P("for_each_task")(prog))[:20])
check("idle_task", lambda: [S("idle_task")(prog, c).comm.string_() for c in (0, 1)])
check("cpu_curr", lambda: [S("cpu_curr")(prog, c).pid for c in (0, 1)])
check("task_thread_info", lambda: S("task_thread_info")(task(1)).value_() - task(1).value_())
check("task_on_cpu", lambda: sorted(t.pid.value_() for t in P("for_each_task")(prog) if S("task_on_cpu")(t)))
check("loadavg", lambda: S("loadavg")(prog))
check("get_task_state", lambda: S("get_task_state")(task(1)))

# --- linux.percpu, cpumask, bitops ---------------------------------------------------
check("per_cpu", lambda: [H("linux.percpu", "per_cpu")(prog["runqueues"], c).cpu for c in (0, 1)])
check("per_cpu_ptr", lambda: H("linux.percpu", "per_cpu_ptr")(prog["runqueues"].address_of_(), 1).value_()
      - prog["__per_cpu_offset"][1].value_() == prog["runqueues"].address_)
check("percpu_counter_sum", lambda: H("linux.percpu", "percpu_counter_sum")(prog["vm_committed_as"].address_of_()))
C = lambda name: H("linux.cpumask", name)  # noqa: E731
check("for_each_possible_cpu", lambda: list(C("for_each_possible_cpu")(prog)))
check("for_each_online_cpu", lambda: list(C("for_each_online_cpu")(prog)))
check("for_each_present_cpu", lambda: list(C("for_each_present_cpu")(prog)))
check("for_each_cpu", lambda: list(C("for_each_cpu")(prog["__cpu_possible_mask"])))
check("cpumask_to_cpulist", lambda: C("cpumask_to_cpulist")(prog["__cpu_possible_mask"]))
check("num_online_cpus", lambda: C("num_online_cpus")(prog))
bits = lambda: prog["__cpu_possible_mask"].bits  # noqa: E731
check("for_each_set_bit", lambda: list(H("linux.bitops", "for_each_set_bit")(bits(), 64)))
check("for_each_clear_bit", lambda: list(H("linux.bitops", "for_each_clear_bit")(bits(), 8)))
check("test_bit", lambda: [H("linux.bitops", "test_bit")(n, bits()) for n in (0, 1, 63)])

# --- linux.mm ------------------------------------------------------------------------
M = lambda name: H("linux.mm", name)  # noqa: E731
page = lambda: M("virt_to_page")(prog, live.value_())  # noqa: E731
check("virt_to_page", lambda: page().value_() - M("pfn_to_page")(prog, M("virt_to_pfn")(prog, live.value_())).value_())
check("page_to_pfn", lambda: M("page_to_pfn")(page()).value_() == M("virt_to_pfn")(prog, live.value_()).value_())
check("page_to_virt", lambda: M("page_to_virt")(page()).value_() == live.value_() & ~0xFFF)
check("pfn_to_virt", lambda: M("pfn_to_virt")(prog, M("virt_to_pfn")(prog, live.value_())).value_() == live.value_() & ~0xFFF)
check("virt_to_phys", lambda: M("virt_to_phys")(prog, live.value_()).value_() == M("page_to_phys")(page()).value_() + (live.value_() & 0xFFF))
check("phys_to_virt", lambda: M("phys_to_virt")(prog, M("virt_to_phys")(prog, live.value_())).value_() == live.value_())
check("phys_to_page", lambda: M("phys_to_page")(prog, M("page_to_phys")(page())).value_() == page().value_())
check("PageSlab", lambda: [M("PageSlab")(M("compound_head")(page())), M("PageSlab")(M("pfn_to_page")(prog, 1))])
check("PageLRU", lambda: M("PageLRU")(page()))
check("PageReserved", lambda: [M("PageReserved")(M("pfn_to_page")(prog, n)) for n in (0, 1)])
check("virt_to_page.image", lambda: M("PageReserved")(M("virt_to_page")(prog, prog["init_task"].address_)))
check("compound_head", lambda: M("compound_head")(page()).value_() <= page().value_())
check("compound_order", lambda: M("compound_order")(M("compound_head")(page())))
check("decode_page_flags", lambda: "PG_slab" in M("decode_page_flags")(M("compound_head")(page())))
check("for_each_page", lambda: [M("page_to_pfn")(p).value_() for p in itertools.islice(M("for_each_page")(prog), 2)])
check("totalram_pages", lambda: M("totalram_pages")(prog))
check("follow_phys", lambda: M("follow_phys")(prog["init_mm"].address_of_(), live.value_()).value_() == M("virt_to_phys")(prog, live.value_()).value_())
check("vmalloc_to_pfn", lambda: M("vmalloc_to_pfn")(prog, task(1).stack).value_() > 0)
check("for_each_vma", lambda: len(list(M("for_each_vma")(task(1).mm))) > 0)
check("cmdline.kthread", lambda: M("cmdline")(task(2)))
check("for_each_vmap_area", lambda: len(list(M("for_each_vmap_area")(prog))) > 10)

# --- linux.slab ----------------------------------------------------------------------
SL = lambda name: H("linux.slab", name)  # noqa: E731
cache = lambda: SL("find_slab_cache")(prog, "kdive_obj")  # noqa: E731
check("find_slab_cache", lambda: cache().name.string_())
check("find_slab_cache.missing", lambda: SL("find_slab_cache")(prog, "no such cache"))
check("slab_cache_is_merged", lambda: SL("slab_cache_is_merged")(cache()))
check("for_each_slab_cache", lambda: b"kdive_obj" in [s.name.string_() for s in SL("for_each_slab_cache")(prog)])
check("slab_cache_for_each_allocated_object", lambda: sorted(ids(SL("slab_cache_for_each_allocated_object")(cache(), OBJ))))
check("slab_object_info", lambda: (lambda i: (i.slab_cache.name.string_(), i.address == live.value_(), i.allocated))(
    SL("slab_object_info")(prog, live.value_() + 8)))
check("slab_object_info.freed", lambda: SL("slab_object_info")(prog, freed.value_()).allocated)
check("slab_object_info.none", lambda: SL("slab_object_info")(prog, prog["init_task"].address_))
check("find_containing_slab_cache", lambda: SL("find_containing_slab_cache")(prog, live.value_()).name.string_())

# --- linux.fs ------------------------------------------------------------------------
F = lambda name: H("linux.fs", name)  # noqa: E731
check("for_each_mount", lambda: sorted((F("mount_src")(m), F("mount_dst")(m), F("mount_fstype")(m)) for m in F("for_each_mount")(prog)))
check("for_each_mount.fstype", lambda: len(list(F("for_each_mount")(prog, fstype="proc"))))
check("print_mounts", lambda: sorted(captured(lambda: F("print_mounts")(prog)).splitlines()))
check("d_path.root", lambda: F("d_path")(task(1).fs.root.address_of_()))
check("d_path.pwd", lambda: F("d_path")(task(1).fs.pwd.address_of_()))
check("for_each_file", lambda: [(fd, F("d_path")(f.f_path.address_of_())) for fd, f in F("for_each_file")(task(1))])
check("fget", lambda: F("fget")(task(1), 0).f_inode.i_ino)
check("dentry_path", lambda: F("dentry_path")(task(1).fs.pwd.dentry))
check("inode_path", lambda: F("inode_path")(task(1).fs.pwd.dentry.d_inode))
check("inode_paths", lambda: list(F("inode_paths")(task(1).fs.root.dentry.d_inode)))

# --- linux.printk, module, boot, device, user, kthread, panic, kconfig --------------
records = lambda: H("linux.printk", "get_printk_records")(prog)  # noqa: E731
check("get_printk_records.count", lambda: len(records()))
check("get_printk_records.last", lambda: [(r.level, r.facility, r.text, r.continuation) for r in records()[-5:]])
check("get_printk_records.seq", lambda: [b - a for a, b in zip([r.seq for r in records()], [r.seq for r in records()][1:])].count(1))
check("get_printk_records.caller", lambda: [(r.caller_tid, r.caller_cpu) for r in records()[-3:]])
check("get_dmesg", lambda: H("linux.printk", "get_dmesg")(prog).splitlines()[-3:])
check("for_each_module", lambda: sorted(m.name.string_() for m in H("linux.module", "for_each_module")(prog)))
check("find_module", lambda: H("linux.module", "find_module")(prog, "kdive_fixture").name.string_())
check("pgtable_l5_enabled", lambda: H("linux.boot", "pgtable_l5_enabled")(prog))
check("kaslr_offset", lambda: H("linux.boot", "kaslr_offset")(prog) % 0x200000)
check("MAJOR_MINOR_MKDEV", lambda: (H("linux.device", "MAJOR")(0x800003), H("linux.device", "MINOR")(0x800003), H("linux.device", "MKDEV")(8, 3)))
check("find_user", lambda: H("linux.user", "find_user")(prog, 0).uid.val)
check("for_each_user", lambda: sorted(u.uid.val.value_() for u in H("linux.user", "for_each_user")(prog)))
check("task_is_kthread", lambda: [H("linux.kthread", "task_is_kthread")(task(p)) for p in (1, 2)])
check("kthread_data", lambda: H("linux.kthread", "kthread_data")(task(3)).value_() != 0)
check("tainted", lambda: H("linux.panic", "tainted")(prog))
check("panic_message", lambda: H("linux.panic", "panic_message")(prog))
check("get_kconfig", lambda: H("linux.kconfig", "get_kconfig")(prog)["CONFIG_SMP"])


def star_names():
    ns = {}
    exec("from drgn.helpers.linux import *", ns)
    return sorted(n for n in ("list_for_each_entry", "for_each_task", "xa_load", "rb_first", "per_cpu",
                              "slab_cache_for_each_allocated_object", "d_path", "get_dmesg", "task_state_to_char",
                              "idr_for_each", "for_each_online_cpu", "virt_to_page") if n in ns)


check("helpers.linux.star", star_names)
check("print_annotated_memory", lambda: captured(lambda: H("common.memory", "print_annotated_memory")(
    prog, prog["kdive_obj_ptrs"].address_, 32)).splitlines())
check("member_at_offset", lambda: [H("common.type", "member_at_offset")(prog.type(OBJ), o) for o in (0, 4, 20, 30, 60, 72, 200)])
check("typeof_member", lambda: H("common.type", "typeof_member")(prog.type(OBJ), "tag").type_name())
check("for_each_task_in_group", lambda: [t.pid.value_() for t in P("for_each_task_in_group")(task(1))])
has_mt = lambda: prog.type("struct mm_struct").has_member("mm_mt")  # noqa: E731  (6.1+)
check("mt_for_each", lambda: len(list(H("linux.mapletree", "mt_for_each")(task(1).mm.mm_mt.address_of_()))) > 0
      if has_mt() else "no maple tree")
check("mtree_load", lambda: H("linux.mapletree", "mtree_load")(task(1).mm.mm_mt.address_of_(), 0)
      if has_mt() else "no maple tree")
check("thread_group_leader", lambda: S("thread_group_leader")(task(1)))
check("cpu_rq", lambda: S("cpu_rq")(prog, 0).cpu)
check("idr_for_each_entry.count", lambda: len(list(H("linux.idr", "idr_for_each_entry")(pid_idr(), "struct pid"))))
check("get_slab_cache_aliases", lambda: sorted(SL("get_slab_cache_aliases")(prog).items()))
check("print_slab_caches", lambda: sorted(captured(lambda: SL("print_slab_caches")(prog)).splitlines()))
N = lambda name: H("linux.nodemask", name)  # noqa: E731
check("for_each_node", lambda: list(N("for_each_node")(prog)))
check("for_each_online_node", lambda: list(N("for_each_online_node")(prog)))
check("for_each_node_state", lambda: list(N("for_each_node_state")(prog, prog["N_MEMORY"])))
check("node_state", lambda: [N("node_state")(n, prog["N_ONLINE"]) for n in (0, 1)])
check("nr_node_ids", lambda: N("nr_node_ids")(prog))
CG = lambda name: H("linux.cgroup", name)  # noqa: E731
root_css = lambda: prog["cgrp_dfl_root"].cgrp.self.address_of_()  # noqa: E731
check("css_for_each_descendant_pre", lambda: sorted(CG("cgroup_path")(drgn.container_of(c, "struct cgroup", "self"))
                                                    for c in CG("css_for_each_descendant_pre")(root_css())))
check("css_for_each_child", lambda: sorted(CG("cgroup_name")(drgn.container_of(c, "struct cgroup", "self"))
                                           for c in CG("css_for_each_child")(root_css())))
check("cgroup_get_from_path", lambda: CG("cgroup_path")(CG("cgroup_get_from_path")(prog, "system.slice"))
      if CG("cgroup_get_from_path")(prog, "system.slice") else "none")
check("cgroup_parent", lambda: CG("cgroup_parent")(prog["cgrp_dfl_root"].cgrp.address_of_()))
check("kernfs_path", lambda: H("linux.kernfs", "kernfs_path")(prog["slab_kset"].kobj.sd))
check("kernfs_walk", lambda: H("linux.kernfs", "kernfs_name")(H("linux.kernfs", "kernfs_walk")(prog["slab_kset"].kobj.sd, "kdive_obj")))

# Block and net helpers (kdive's own since session 9; drgn 0.0.22 has them too). Lines
# named "fallback.*" would be helpers kdive leaves to drgn's package: none are left
# that drgn 0.0.22 also has.
check("block.for_each_disk", lambda: sorted(H("linux.block", "disk_name")(d) for d in H("linux.block", "for_each_disk")(prog)))
check("net.for_each_net", lambda: len(list(H("linux.net", "for_each_net")(prog))))
check("net.netdev_get_by_name", lambda: H("linux.net", "netdev_get_by_name")(prog, "lo").name.string_())
MO = lambda name: H("linux.module", name)  # noqa: E731
check("address_to_module", lambda: MO("address_to_module")(prog, prog["kdive_obj_list"].address_).name.string_())
check("address_to_module.none", lambda: MO("address_to_module")(prog, prog["init_task"].address_))
check("module_address_regions", lambda: len(MO("module_address_regions")(MO("find_module")(prog, "kdive_fixture"))) > 0)
check("module_taints", lambda: MO("module_taints")(MO("find_module")(prog, "kdive_fixture")))

# Orders drgn defines (not incidental): PID order, slab_caches list order, module list order.
check("for_each_task.order", lambda: [t.pid.value_() for t in P("for_each_task")(prog)])
check("for_each_slab_cache.order", lambda: [s.name.string_() for s in SL("for_each_slab_cache")(prog)][:8])
check("is_a_nulls.odd", lambda: H("linux.list_nulls", "is_a_nulls")(Object(prog, "struct hlist_nulls_node *", value=3)))
