#!/usr/bin/python3
# Writes tests/diff/expressions.tsv: the differential battery of kdive commands, each
# paired with the drgn Python expression whose str() must equal kdive's output. Hand-picked
# rows plus rows enumerated from drgn's view of the oops elf-paging fixture (members of
# chosen structs); run it again only when the fixture kernel changes, and commit the output.
# Usage: gen_expressions.py MANIFEST > tests/diff/expressions.tsv
#
# Row format: KDIVE_COMMAND <TAB> DRGN_EXPRESSION. The Python names available to the
# expression are defined in drgn_eval.py (G = prog.__getitem__, T = prog.type, ...).
import json
import sys

import drgn
from drgn import TypeKind

rows = []


def row(kdive, py):
    rows.append((kdive, py))


def expr(c, py):
    row("print " + c, py)


def gpath(path):
    """'a.b[2].c' as a drgn chain on prog['a']."""
    out = ""
    name = ""
    i = 0
    head = None
    while i < len(path):
        ch = path[i]
        if ch in ".[":
            if head is None:
                head = name
                out = "G(%r)" % head
            elif name:
                out += ".member_(%r)" % name
            name = ""
            if ch == "[":
                j = path.index("]", i)
                out += "[%s]" % path[i + 1:j]
                i = j + 1
                continue
        else:
            name += ch
        i += 1
    if head is None:
        return "G(%r)" % name
    if name:
        out += ".member_(%r)" % name
    return out


def main():
    manifest = json.load(open(sys.argv[1]))
    d = next(d for d in manifest["dumps"] if d["kind"] == "kernel" and d["scenario"] == "oops"
             and d["format"] == "elf-paging")
    prog = drgn.Program()
    prog.set_core_dump(d["path"])
    prog.load_debug_info([d["vmlinux"]] + d["modules"])

    # ---- the test module's globals: every kind, whole and by member ----
    mod_globals = ["kdive_g_s8", "kdive_g_u8", "kdive_g_s16", "kdive_g_u16", "kdive_g_s32",
                   "kdive_g_u32", "kdive_g_s64", "kdive_g_u64", "kdive_g_char", "kdive_g_uchar",
                   "kdive_g_short", "kdive_g_long", "kdive_g_ulong", "kdive_g_llong", "kdive_g_bool",
                   "kdive_g_bool_false", "kdive_g_enum", "kdive_g_enum_neg", "kdive_g_union",
                   "kdive_g_bits", "kdive_g_points", "kdive_g_name", "kdive_g_str", "kdive_g_matrix",
                   "kdive_g_int_ptr", "kdive_g_point_ptr", "kdive_g_config", "kdive_g_null_ptr",
                   "kdive_g_fnptr", "kdive_callback", "kdive_waitq", "kdive_outer_var",
                   "kdive_outer_ptr", "kdive_obj_list", "kdive_obj_tree", "kdive_obj_ptrs",
                   "kdive_live_obj", "kdive_freed_obj"]
    for g in mod_globals:
        expr(g, gpath(g))
        expr("&" + g, gpath(g) + ".address_of_()")
    for p in ["kdive_g_union.word", "kdive_g_union.halves", "kdive_g_union.halves[1]",
              "kdive_g_union.bytes", "kdive_g_union.bytes[0]", "kdive_g_bits.a", "kdive_g_bits.b",
              "kdive_g_bits.c", "kdive_g_bits.d", "kdive_g_bits.e", "kdive_g_bits.f", "kdive_g_bits.g",
              "kdive_g_points[0]", "kdive_g_points[1].x", "kdive_g_points[2].name",
              "kdive_g_points[3].y", "kdive_g_points[3].x", "kdive_g_matrix[1]", "kdive_g_matrix[2][3]",
              "kdive_g_matrix[1][0]", "kdive_g_config.origin", "kdive_g_config.origin.y",
              "kdive_g_config.pts", "kdive_g_config.flags", "kdive_g_config.label",
              "kdive_g_config.color", "kdive_g_config.id", "kdive_waitq.last", "kdive_waitq.nr_waiters",
              "kdive_waitq.head", "kdive_waitq.lock", "kdive_outer_var.id", "kdive_outer_var.b",
              "kdive_outer_var.name", "kdive_obj_ptrs[0]", "kdive_obj_tree.rb_node"]:
        expr(p, gpath(p))
    # Through pointers, dereference, subscripts.
    for c, py in [
        ("*kdive_g_int_ptr", "G('kdive_g_int_ptr')[0]"),
        ("kdive_g_int_ptr[1]", "G('kdive_g_int_ptr')[1]"),
        ("kdive_g_int_ptr[-1]", "G('kdive_g_int_ptr')[-1]"),
        ("*kdive_g_point_ptr", "G('kdive_g_point_ptr')[0]"),
        ("kdive_g_point_ptr->x", "G('kdive_g_point_ptr').x"),
        ("kdive_g_point_ptr->name", "G('kdive_g_point_ptr').name"),
        ("kdive_g_point_ptr[-1]", "G('kdive_g_point_ptr')[-1]"),
        ("kdive_g_config.pts[1]", "G('kdive_g_config').pts[1]"),
        ("kdive_g_config.pts[1].y", "G('kdive_g_config').pts[1].y"),
        ("*kdive_g_config.pts", "G('kdive_g_config').pts[0]"),
        ("*kdive_g_str", "G('kdive_g_str')[0]"),
        ("kdive_g_str[6]", "G('kdive_g_str')[6]"),
        ("kdive_g_name[0]", "G('kdive_g_name')[0]"),
        ("*kdive_live_obj", "G('kdive_live_obj')[0]"),
        ("kdive_live_obj->id", "G('kdive_live_obj').id"),
        ("kdive_live_obj->tag", "G('kdive_live_obj').tag"),
        ("kdive_live_obj->node", "G('kdive_live_obj').node"),
        ("kdive_live_obj->rb", "G('kdive_live_obj').rb"),
        ("kdive_live_obj->payload", "G('kdive_live_obj').payload"),
        ("kdive_live_obj->magic", "G('kdive_live_obj').magic"),
        ("&kdive_live_obj->rb", "G('kdive_live_obj').rb.address_of_()"),
        ("&kdive_live_obj->tag[3]", "G('kdive_live_obj').tag[3].address_of_()"),
        ("*kdive_waitq.last", "G('kdive_waitq').last[0]"),
        ("kdive_waitq.last->cookie", "G('kdive_waitq').last.cookie"),
        ("kdive_waitq.last->flags", "G('kdive_waitq').last.flags"),
        ("kdive_waitq.last->task->pid", "G('kdive_waitq').last.task.pid"),
        ("kdive_waitq.last->task->comm", "G('kdive_waitq').last.task.comm"),
        ("kdive_outer_ptr->name", "G('kdive_outer_ptr').name"),
        ("*kdive_outer_ptr", "G('kdive_outer_ptr')[0]"),
        ("&kdive_g_points[2]", "G('kdive_g_points')[2].address_of_()"),
        ("&kdive_g_matrix[1][2]", "G('kdive_g_matrix')[1][2].address_of_()"),
        ("&kdive_g_config.origin.y", "G('kdive_g_config').origin.y.address_of_()"),
        ("&kdive_g_bits.e", "G('kdive_g_bits').e.address_of_()"),
        ("*&kdive_g_config", "G('kdive_g_config').address_of_()[0]"),
        ("&*kdive_g_point_ptr", "G('kdive_g_point_ptr')[0].address_of_()"),
        # Casts.
        ("(long)kdive_g_u32", "cast('long', G('kdive_g_u32'))"),
        ("(int)kdive_g_u32", "cast('int', G('kdive_g_u32'))"),
        ("(unsigned char)kdive_g_s16", "cast('unsigned char', G('kdive_g_s16'))"),
        ("(short)kdive_g_s32", "cast('short', G('kdive_g_s32'))"),
        ("(unsigned long)kdive_g_s8", "cast('unsigned long', G('kdive_g_s8'))"),
        ("(_Bool)kdive_g_u32", "cast('_Bool', G('kdive_g_u32'))"),
        ("(bool)kdive_g_null_ptr", "cast('bool', G('kdive_g_null_ptr'))"),
        ("(int)kdive_g_enum", "cast('int', G('kdive_g_enum'))"),
        ("(enum kdive_color)2", "cast('enum kdive_color', I(2))"),
        ("(enum kdive_color)3", "cast('enum kdive_color', I(3))"),
        ("(enum kdive_color)-5", "cast('enum kdive_color', I(-5))"),
        ("(u8)kdive_g_u16", "cast('u8', G('kdive_g_u16'))"),
        ("(s64)kdive_g_u64", "cast('s64', G('kdive_g_u64'))"),
        ("(void *)kdive_g_point_ptr", "cast('void *', G('kdive_g_point_ptr'))"),
        ("(unsigned long)kdive_g_point_ptr", "cast('unsigned long', G('kdive_g_point_ptr'))"),
        ("(char *)kdive_g_name", "cast('char *', G('kdive_g_name'))"),
        ("(struct kdive_point *)&kdive_g_points[1]", "cast('struct kdive_point *', G('kdive_g_points')[1].address_of_())"),
        ("*(struct kdive_point *)&kdive_g_points[1]", "cast('struct kdive_point *', G('kdive_g_points')[1].address_of_())[0]"),
        ("(int *)kdive_g_matrix", "cast('int *', G('kdive_g_matrix'))"),
        ("*(u32 *)&kdive_g_union", "cast('u32 *', G('kdive_g_union').address_of_())[0]"),
        ("*(u16 *)&kdive_g_u32", "cast('u16 *', G('kdive_g_u32').address_of_())[0]"),
        ("(struct task_struct *)kdive_waitq.last->task", "cast('struct task_struct *', G('kdive_waitq').last.task)"),
        ("(int (*)(int))kdive_g_fnptr", "cast('int (*)(int)', G('kdive_g_fnptr'))"),
        ("(void *)kdive_callback", "cast('void *', G('kdive_callback').address_of_())"),
        ("(long)&init_task", "cast('long', G('init_task').address_of_())"),
        # Pointer arithmetic and differences.
        ("kdive_g_point_ptr + 1", "G('kdive_g_point_ptr') + 1"),
        ("kdive_g_point_ptr - 2", "G('kdive_g_point_ptr') - 2"),
        ("*(kdive_g_point_ptr + 1)", "(G('kdive_g_point_ptr') + 1)[0]"),
        ("kdive_g_int_ptr + 3", "G('kdive_g_int_ptr') + 3"),
        ("*(kdive_g_int_ptr + 3)", "(G('kdive_g_int_ptr') + 3)[0]"),
        ("1 + kdive_g_int_ptr", "1 + G('kdive_g_int_ptr')"),
        ("kdive_g_point_ptr - &kdive_g_points[0]", "G('kdive_g_point_ptr') - G('kdive_g_points')[0].address_of_()"),
        ("&kdive_g_points[0] - kdive_g_point_ptr", "G('kdive_g_points')[0].address_of_() - G('kdive_g_point_ptr')"),
        ("kdive_g_int_ptr - &kdive_g_matrix[0][0]", "G('kdive_g_int_ptr') - G('kdive_g_matrix')[0][0].address_of_()"),
        ("kdive_g_points + 2", "G('kdive_g_points') + 2"),
        ("kdive_g_matrix[1] + 1", "G('kdive_g_matrix')[1] + 1"),
        ("kdive_g_str + 6", "G('kdive_g_str') + 6"),
        ("(char *)kdive_g_point_ptr + 4", "cast('char *', G('kdive_g_point_ptr')) + 4"),
        ("(void *)kdive_g_point_ptr + 4", "cast('void *', G('kdive_g_point_ptr')) + 4"),
        ("&init_task + 1", "G('init_task').address_of_() + 1"),
        ("&init_task.tasks", "G('init_task').tasks.address_of_()"),
        ("init_task.tasks.next", "G('init_task').tasks.next"),
        # Integer arithmetic: promotions and the usual arithmetic conversions.
        ("kdive_g_s8 + kdive_g_u8", "G('kdive_g_s8') + G('kdive_g_u8')"),
        ("kdive_g_u8 * kdive_g_u8", "G('kdive_g_u8') * G('kdive_g_u8')"),
        ("kdive_g_u32 + 1", "G('kdive_g_u32') + 1"),
        ("kdive_g_u32 * 2", "G('kdive_g_u32') * 2"),
        ("kdive_g_s32 + kdive_g_u32", "G('kdive_g_s32') + G('kdive_g_u32')"),
        ("kdive_g_s32 / 7", "G('kdive_g_s32') / 7"),
        ("kdive_g_s32 % 7", "G('kdive_g_s32') % 7"),
        ("kdive_g_s64 / -3", "G('kdive_g_s64') / -3"),
        ("kdive_g_u64 >> 32", "G('kdive_g_u64') >> 32"),
        ("kdive_g_u16 << 4", "G('kdive_g_u16') << 4"),
        ("kdive_g_s16 >> 2", "G('kdive_g_s16') >> 2"),
        ("kdive_g_u32 & 0xff", "G('kdive_g_u32') & 0xff"),
        ("kdive_g_u32 | 1", "G('kdive_g_u32') | 1"),
        ("kdive_g_u32 ^ kdive_g_s32", "G('kdive_g_u32') ^ G('kdive_g_s32')"),
        ("~kdive_g_u8", "~G('kdive_g_u8')"),
        ("-kdive_g_u32", "-G('kdive_g_u32')"),
        ("-kdive_g_s8", "-G('kdive_g_s8')"),
        ("+kdive_g_char", "+G('kdive_g_char')"),
        ("kdive_g_long * 3", "G('kdive_g_long') * 3"),
        ("kdive_g_ulong + kdive_g_long", "G('kdive_g_ulong') + G('kdive_g_long')"),
        ("kdive_g_llong + 1", "G('kdive_g_llong') + 1"),
        ("kdive_g_bits.a + kdive_g_bits.c", "G('kdive_g_bits').a + G('kdive_g_bits').c"),
        ("kdive_g_bits.f * 2", "G('kdive_g_bits').f * 2"),
        ("kdive_g_bits.g - 1", "G('kdive_g_bits').g - 1"),
        ("kdive_g_enum + 1", "G('kdive_g_enum') + 1"),
        ("kdive_g_bool + kdive_g_bool", "G('kdive_g_bool') + G('kdive_g_bool')"),
        ("kdive_g_matrix[2][3] * kdive_g_matrix[1][0]", "G('kdive_g_matrix')[2][3] * G('kdive_g_matrix')[1][0]"),
        ("kdive_live_obj->id * 1000 + 7", "G('kdive_live_obj').id * 1000 + 7"),
        ("jiffies_64 - jiffies_64", "G('jiffies_64') - G('jiffies_64')"),
        ("sizeof(struct task_struct) * 2", "I(sizeof(T('struct task_struct')), 'size_t') * 2"),
        ("10 / 3", "I(10) / 3"),
        ("-7 % 3", "I(-7) % 3"),
        ("1 << 40", "I(1) << 40"),
        ("1UL << 63", "I(1, 'unsigned long') << 63"),
        ("0xffffffff + 1", "I(0xffffffff, 'unsigned int') + 1"),
        ("2147483647 + 1", "I(2147483647) + 1"),
        ("'A'", "I(65)"),
        ("'A' + 1", "I(65) + 1"),
        ("100000000000", "I(100000000000, 'long')"),
        ("10u", "I(10, 'unsigned int')"),
        ("10ll", "I(10, 'long long')"),
        ("10ull", "I(10, 'unsigned long long')"),
        ("0x10", "I(16)"),
        ("010", "I(8)"),
        # Comparisons and logic (C gives int 0 or 1).
        ("kdive_g_s32 < kdive_g_u32", "B(G('kdive_g_s32') < G('kdive_g_u32'))"),
        ("kdive_g_s32 < 0", "B(G('kdive_g_s32') < 0)"),
        ("kdive_g_s8 < kdive_g_u8", "B(G('kdive_g_s8') < G('kdive_g_u8'))"),
        ("kdive_g_u64 > kdive_g_s64", "B(G('kdive_g_u64') > G('kdive_g_s64'))"),
        ("kdive_g_enum == 40", "B(G('kdive_g_enum') == 40)"),
        ("kdive_g_enum != KDIVE_BLUE", "B(G('kdive_g_enum') != G('KDIVE_BLUE'))"),
        ("kdive_g_point_ptr == &kdive_g_points[2]", "B(G('kdive_g_point_ptr') == G('kdive_g_points')[2].address_of_())"),
        ("kdive_g_point_ptr > &kdive_g_points[0]", "B(G('kdive_g_point_ptr') > G('kdive_g_points')[0].address_of_())"),
        ("kdive_g_null_ptr == 0", "B(G('kdive_g_null_ptr').value_() == 0)"),
        ("!kdive_g_null_ptr", "B(not G('kdive_g_null_ptr'))"),
        ("!kdive_g_bool", "B(not G('kdive_g_bool'))"),
        ("kdive_g_bool && kdive_g_bool_false", "B(G('kdive_g_bool') and G('kdive_g_bool_false'))"),
        ("kdive_g_bool || kdive_g_bool_false", "B(G('kdive_g_bool') or G('kdive_g_bool_false'))"),
        ("kdive_g_s8 <= -8", "B(G('kdive_g_s8') <= -8)"),
        ("kdive_g_u16 >= 0xb16c", "B(G('kdive_g_u16') >= 0xb16c)"),
        ("kdive_g_bits.c == -3", "B(G('kdive_g_bits').c == -3)"),
        ("kdive_g_u32 ? 1 : 2", "I(1 if G('kdive_g_u32') else 2)"),
        # Enumerators and functions.
        ("KDIVE_RED", "G('KDIVE_RED')"),
        ("KDIVE_NEG", "G('KDIVE_NEG')"),
        ("KDIVE_BLUE + 2", "G('KDIVE_BLUE') + 2"),
        ("kdive_g_fnptr", "G('kdive_g_fnptr')"),
        ("*kdive_g_fnptr", "G('kdive_g_fnptr')[0]"),
        ("&kdive_callback", "G('kdive_callback').address_of_()"),
        ("schedule", "G('schedule')"),
        ("&schedule", "G('schedule').address_of_()"),
        ("init_task.sched_class", "G('init_task').sched_class"),
        ("*init_task.sched_class", "G('init_task').sched_class[0]"),
        ("init_task.sched_class->enqueue_task", "G('init_task').sched_class.enqueue_task"),
        # sizeof / offsetof / container_of in expressions.
        ("sizeof(struct task_struct)", "I(sizeof(T('struct task_struct')), 'size_t')"),
        ("sizeof(kdive_g_points)", "I(sizeof(G('kdive_g_points')), 'size_t')"),
        ("sizeof kdive_g_config", "I(sizeof(G('kdive_g_config')), 'size_t')"),
        ("sizeof(int [16])", "I(64, 'size_t')"),
        ("sizeof(struct kdive_bits)", "I(sizeof(T('struct kdive_bits')), 'size_t')"),
        ("sizeof(union kdive_union)", "I(sizeof(T('union kdive_union')), 'size_t')"),
        ("sizeof(enum kdive_color)", "I(sizeof(T('enum kdive_color')), 'size_t')"),
        ("sizeof(*kdive_g_point_ptr)", "I(sizeof(T('struct kdive_point')), 'size_t')"),
        ("offsetof(struct kdive_config, label)", "I(offsetof(T('struct kdive_config'), 'label'), 'size_t')"),
        ("offsetof(struct task_struct, tasks)", "I(offsetof(T('struct task_struct'), 'tasks'), 'size_t')"),
        ("container_of(kdive_live_obj->node.next, struct kdive_obj, node)",
         "container_of(G('kdive_live_obj').node.next, 'struct kdive_obj', 'node')"),
        ("container_of(init_task.tasks.next, struct task_struct, tasks)->pid",
         "container_of(G('init_task').tasks.next, 'struct task_struct', 'tasks').pid"),
        ("container_of(&kdive_g_config.origin, struct kdive_config, origin)",
         "container_of(G('kdive_g_config').origin.address_of_(), 'struct kdive_config', 'origin')"),
        # Strings.
        ("\"abc\"", "O(prog, 'char [4]', value=b'abc\\0')"),
    ]:
        expr(c, py)

    # ---- kernel globals ----
    for g in ["init_task", "init_uts_ns", "jiffies_64", "init_mm.pgd", "init_mm.mm_users", "init_pid_ns.level",
              "init_uts_ns.name", "init_uts_ns.name.sysname", "init_uts_ns.name.release",
              "init_uts_ns.name.machine", "init_uts_ns.name.nodename", "init_uts_ns.name.version",
              "init_task.comm", "init_task.pid", "init_task.tgid", "init_task.flags",
              "init_task.prio", "init_task.policy", "init_task.se", "init_task.se.load",
              "init_task.cpus_mask", "init_task.thread", "init_task.stack", "init_task.usage",
              "init_task.tasks", "init_task.children", "init_task.real_parent", "init_task.mm",
              "init_task.active_mm", "init_task.pi_lock", "init_task.pi_lock.raw_lock",
              "init_task.cred", "init_task.signal", "init_task.fs", "init_task.files",
              "init_task.nsproxy", "init_task.thread_pid", "init_task.stack_canary",
              "nr_cpu_ids", "__per_cpu_offset", "__per_cpu_offset[0]", "system_state",
              "panic_cpu", "oops_in_progress", "page_offset_base", "vmemmap_base",
              "max_pfn", "totalram_pages", "init_nsproxy", "init_cred.uid",
              "init_net.loopback_dev", "linux_banner", "saved_command_line"]:
        expr(g, gpath(g))
    for c, py in [
        ("per_cpu(runqueues, 0).nr_running", "per_cpu(G('runqueues'), 0).nr_running"),
        ("per_cpu(runqueues, 0).cpu", "per_cpu(G('runqueues'), 0).cpu"),
        ("per_cpu(runqueues, 0).curr", "per_cpu(G('runqueues'), 0).curr"),
        ("per_cpu(runqueues, 0).idle", "per_cpu(G('runqueues'), 0).idle"),
        ("per_cpu(runqueues, 0).curr->comm", "per_cpu(G('runqueues'), 0).curr.comm"),
        ("per_cpu(runqueues, 0).clock", "per_cpu(G('runqueues'), 0).clock"),
        ("per_cpu(runqueues, 0).nr_switches", "per_cpu(G('runqueues'), 0).nr_switches"),
        ("per_cpu(runqueues, 0).cfs.nr_running", "per_cpu(G('runqueues'), 0).cfs.nr_running"),
        ("per_cpu(runqueues, 0).cfs.min_vruntime", "per_cpu(G('runqueues'), 0).cfs.min_vruntime"),
        ("per_cpu(runqueues, 0).rt", "per_cpu(G('runqueues'), 0).rt"),
        ("per_cpu(runqueues, 0).__lock", "per_cpu(G('runqueues'), 0).member_('__lock')"),
        ("per_cpu(runqueues, 1).cpu", "per_cpu(G('runqueues'), 1).cpu"),
        ("per_cpu(runqueues, 1).curr->pid", "per_cpu(G('runqueues'), 1).curr.pid"),
        ("&per_cpu(runqueues, 1)", "per_cpu(G('runqueues'), 1).address_of_()"),
        ("per_cpu_ptr(&runqueues, 0)", "per_cpu_ptr(G('runqueues').address_of_(), 0)"),
        ("per_cpu_ptr(&runqueues, 1)->cpu", "per_cpu_ptr(G('runqueues').address_of_(), 1).cpu"),
        ("per_cpu(cpu_number, 1)", "per_cpu(G('cpu_number'), 1)"),
        ("per_cpu(current_task, 0)->pid", "per_cpu(G('current_task'), 0).pid"),
        ("*init_task.cred", "G('init_task').cred[0]"),
        ("init_task.cred->uid", "G('init_task').cred.uid"),
        ("init_task.nsproxy->uts_ns->name.release", "G('init_task').nsproxy.uts_ns.name.release"),
        ("init_task.thread_pid->numbers[0]", "G('init_task').thread_pid.numbers[0]"),
        ("init_task.comm[0]", "G('init_task').comm[0]"),
        ("&init_task.comm", "G('init_task').comm.address_of_()"),
        ("init_task.real_parent->comm", "G('init_task').real_parent.comm"),
        ("*init_task.signal", "G('init_task').signal[0]"),
        ("init_task.fs->root", "G('init_task').fs.root"),
        ("*init_mm.pgd", "G('init_mm').pgd[0]"),
        ("init_mm.pgd[511]", "G('init_mm').pgd[511]"),
    ]:
        expr(c, py)

    # Every non-struct top-level member of task_struct, on init_task.
    ts = prog.type("struct task_struct")
    n = 0
    for m in ts.members:
        if m.name is None:
            continue
        k = m.type.unqualified()
        while k.kind == TypeKind.TYPEDEF:
            k = k.type
        if k.kind in (TypeKind.INT, TypeKind.BOOL, TypeKind.POINTER, TypeKind.ENUM):
            expr("init_task." + m.name, "G('init_task').member_(%r)" % m.name)
            n += 1
        if n >= 60:
            break
    # Members of the crashed CPU's runqueue that are plain values.
    rq = prog.type("struct rq")
    n = 0
    for m in rq.members:
        k = m.type.unqualified()
        while k.kind == TypeKind.TYPEDEF:
            k = k.type
        if m.name and k.kind in (TypeKind.INT, TypeKind.BOOL, TypeKind.POINTER):
            expr("per_cpu(runqueues, 0)." + m.name, "per_cpu(G('runqueues'), 0).member_(%r)" % m.name)
            n += 1
        if n >= 20:
            break

    # ---- ptype of kernel and module types ----
    types = ["struct task_struct", "struct mm_struct", "struct page", "struct list_head",
             "struct hlist_head", "struct hlist_node", "struct rb_node", "struct rb_root",
             "struct file", "struct inode", "struct dentry", "struct super_block",
             "struct vm_area_struct", "struct sk_buff", "struct sock", "struct net_device",
             "struct module", "struct kobject", "struct kref", "struct spinlock",
             "struct raw_spinlock", "struct qspinlock", "struct mutex", "struct rw_semaphore",
             "struct wait_queue_head", "struct wait_queue_entry", "struct completion",
             "struct timer_list", "struct hrtimer", "struct work_struct", "struct delayed_work",
             "struct rq", "struct cfs_rq", "struct sched_entity", "struct sched_rt_entity",
             "struct cred", "struct pid", "struct upid", "struct pid_namespace", "struct nsproxy",
             "struct uts_namespace", "struct new_utsname", "struct files_struct", "struct fdtable",
             "struct fs_struct", "struct path", "struct qstr", "struct address_space",
             "struct xarray", "struct kmem_cache", "struct slab", "struct folio", "struct zone",
             "struct pglist_data", "struct signal_struct", "struct sighand_struct",
             "struct thread_struct", "struct pt_regs", "struct cpumask", "struct kernel_symbol",
             "struct bio", "struct block_device", "struct device", "struct irq_desc",
             "struct irqaction", "struct seq_file", "struct file_operations", "struct proc_ops",
             "struct percpu_counter", "struct kdive_obj", "struct kdive_config",
             "struct kdive_bits", "struct kdive_point", "union kdive_union", "enum kdive_color",
             "struct kdive_waitq", "struct kdive_wait_entry", "struct kdive_inner",
             "struct kdive_outer", "atomic_t", "atomic64_t", "atomic_long_t", "spinlock_t",
             "u64", "size_t", "pid_t", "gfp_t", "pgd_t", "cpumask_var_t", "union thread_union",
             "enum pid_type", "enum system_states", "int (*)(int)", "struct task_struct *[4]",
             "unsigned long [16]", "const volatile int *"]
    for t in types:
        row("ptype " + t, "T(%r)" % t)
        row("sizeof " + t, "sizeof(T(%r))" % t)

    # ---- offsetof and member_at_offset ----
    for t, m in [("struct task_struct", "pi_lock"), ("struct task_struct", "pi_lock.raw_lock"),
                 ("struct task_struct", "pi_lock.raw_lock.val"), ("struct task_struct", "tasks"),
                 ("struct task_struct", "tasks.prev"), ("struct task_struct", "comm"),
                 ("struct task_struct", "comm[4]"), ("struct task_struct", "se.vruntime"),
                 ("struct task_struct", "thread.sp"), ("struct task_struct", "pid"),
                 ("struct mm_struct", "pgd"), ("struct page", "flags"), ("struct page", "lru"),
                 ("struct rq", "cfs.nr_running"), ("struct rq", "curr"),
                 ("struct kdive_config", "origin.y"), ("struct kdive_config", "label[3]"),
                 ("struct kdive_config", "color"), ("struct kdive_obj", "rb"),
                 ("struct kdive_obj", "tag"), ("struct kdive_inner", "c"),
                 ("struct kdive_bits", "e"), ("union kdive_union", "halves[1]"),
                 ("struct list_head", "prev"), ("struct sk_buff", "len"),
                 ("struct file", "f_op"), ("struct inode", "i_sb"), ("struct dentry", "d_name.name")]:
        row("offsetof %s, %s" % (t, m), "offsetof(T(%r), %r)" % (t, m))
    for t, offs in [("struct task_struct", [0, 4, 8, 24, 100, 1000, 1500, 2000, 2500, 3000]),
                    ("struct kdive_config", [0, 4, 8, 12, 16, 24, 40, 48, 52]),
                    ("struct kdive_bits", [0, 1, 2, 3, 4, 8, 12]),
                    ("union kdive_union", [0, 1, 2, 3]),
                    ("struct kdive_obj", [0, 4, 8, 16, 24, 48, 56, 60]),
                    ("struct rq", [0, 4, 8, 64, 128]),
                    ("struct page", [0, 8, 16, 24, 32, 40, 48, 56]),
                    ("struct mm_struct", [0, 64, 128])]:
        for o in offs:
            row("member-at %s, %d" % (t, o), "member_at_offset(T(%r), %d)" % (t, o))
    # The form without a comma, as a user types it first.
    row("member-at struct page 56", "member_at_offset(T('struct page'), 56)")

    # Keep only rows drgn can evaluate on this dump: the battery must be valid C.
    sys.path.insert(0, sys.path[0])
    from drgn_eval import namespace
    ns = namespace(prog)
    seen = set()
    for k, py in rows:
        if k in seen:
            continue
        seen.add(k)
        try:
            str(eval(py, ns))
        except Exception as e:  # noqa: BLE001 — report and drop
            print("dropped %s: %s: %s" % (k, type(e).__name__, e), file=sys.stderr)
            continue
        print("%s\t%s" % (k, py))


if __name__ == "__main__":
    main()
