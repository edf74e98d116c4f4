#!/usr/bin/python3
# Parity probe: drgn.helpers.common.format's table printer (print_table, CellFormat,
# RowOptions), common.memory's identify_address_all, common.stack's
# print_annotated_stack and print_registers, and linux.stack's kernel_stack_trace, on
# the dump's own tasks, stacks, slab objects, pages and vmap areas.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from probe_lib import H, captured, check, open_program, show  # noqa: E402

prog = open_program()
F, M, S, LS = "common.format", "common.memory", "common.stack", "linux.stack"

tasks = sorted(H("linux.pid", "for_each_task")(prog), key=lambda t: t.pid.value_())
by_comm = {}
for t in tasks:
    by_comm.setdefault(t.comm.string_().decode(), t)
crashed = prog.crashed_thread().object
waiter = by_comm.get("kdive_waiter")
online = list(H("linux.cpumask", "for_each_online_cpu")(prog))
running = [H("linux.sched", "cpu_curr")(prog, cpu) for cpu in online]
# The tasks whose traces are printed: the crashed one, one in D state, those on the
# CPUs, a kthread or two, init, the online CPUs' idle tasks.
picked = [("crashed", crashed)]
if waiter is not None:
    picked.append(("waiter", waiter))
picked += [(f"cpu{cpu}", t) for cpu, t in zip(online, running) if t.pid.value_()]
picked += [(n, by_comm[n]) for n in ("kthreadd", "kworker/0:0", "rcu_sched", "ksoftirqd/0")
           if n in by_comm][:2]
picked.append(("pid1", tasks[0]))
picked += [(f"idle{cpu}", H("linux.sched", "idle_task")(prog, cpu)) for cpu in online]
seen = set()
picked = [(n, t) for n, t in picked if not (t.value_() in seen or seen.add(t.value_()))]


def table(rows, **kw):
    return captured(lambda: H(F, "print_table")(rows, **kw))


# --- common.format: print_table, CellFormat, RowOptions ---
CF, RO = (lambda *a, **k: H(F, "CellFormat")(*a, **k)), (lambda *a, **k: H(F, "RowOptions")(*a, **k))
few = tasks[:8]
check("print_table.tasks", lambda: table(
    [["PID", "COMM", "STATE", "TASK"]]
    + [[t.pid.value_(), t.comm.string_().decode(), H("linux.sched", "task_state_to_char")(t),
        hex(t.value_())] for t in few]))
check("print_table.cellformat", lambda: table(
    [["PID", "TASK", "PRIO"]]
    + [[CF(t.pid.value_(), "<"), CF(t.value_(), "x"), CF(t.prio.value_(), "^")] for t in few]))
check("print_table.cellformat.options", lambda: table(
    [[CF(t.pid.value_(), "#x"), CF(t.prio.value_(), "+"), CF(t.pid.value_() * 1000, ","),
      CF(t.comm.string_().decode(), "*>"), CF(t.utime.value_() / 7, ".3f")] for t in few]))
check("print_table.groups", lambda: table(
    [RO(["PID", "COMM"], group="task")]
    + [x for t in few for x in (RO([t.pid.value_(), t.comm.string_().decode()], group="task"),
                                ["CPU", "PRIO", "NAME"],
                                [H("linux.sched", "task_cpu")(t), t.prio.value_(), "x" * t.pid.value_()])]))
check("print_table.sep", lambda: table([[t.pid.value_(), t.comm.string_().decode()] for t in few], sep=" | "))
check("print_table.ragged", lambda: table([[t.pid.value_()] * (i % 4) + [""] for i, t in enumerate(few)]))
check("print_table.empty", lambda: table([]))
check("print_table.empty_row", lambda: table([[], ["a", 1]]))
check("print_table.file", lambda: captured(lambda: H(F, "print_table")(
    [[1, "a"]], file=sys.stdout)))
check("CellFormat.str", lambda: [str(CF(t.value_(), "x")) for t in few[:3]] + [str(CF(12, "<b")), str(CF(12, "#o"))])
check("CellFormat.format", lambda: format(CF(255, "#x"), "8"))
check("CellFormat.width_error", lambda: CF(1, "8x"))
check("CellFormat.invalid", lambda: CF(1, "xx"))
check("RowOptions.sequence", lambda: (lambda r: (len(r), r[0], r[-1], list(r), list(reversed(r)), 2 in r,
                                                  r.index(3), r.count(2), list(r[1:])))(RO([1, 2, 3, 2], group=1)))

# --- common.memory: identify_address_all ---


def identities(addr, cache=None):
    out = []
    for ident in H(M, "identify_address_all")(prog, addr, cache=cache):
        fields = {k: show(v) for k, v in vars(ident).items() if k != "slab_object_info"}
        info = getattr(ident, "slab_object_info", None)
        if info is not None:
            fields["slab"] = show((info.slab_cache, info.slab, info.address, info.allocated))
        out.append((type(ident).__name__, str(ident), sorted(fields.items())))
    return out


init_task = prog["init_task"]
check("identify_address_all.init_task", lambda: identities(init_task.address_ + 8))
check("identify_address_all.init_task.start", lambda: identities(init_task.address_))
check("identify_address_all.init_stack", lambda: identities(init_task.stack.value_() + 0x100))
check("identify_address_all.function", lambda: identities(prog["schedule"].address_ + 1))
check("identify_address_all.object", lambda: identities(prog["jiffies"].address_))
check("identify_address_all.unknown", lambda: identities(0x10))
check("identify_address_all.user", lambda: identities(0x7fff00001000))
for name, t in picked[:3]:
    check(f"identify_address_all.{name}.task", lambda: identities(t.value_()))
    check(f"identify_address_all.{name}.task+0x10", lambda: identities(t.value_() + 0x10))
    check(f"identify_address_all.{name}.stack", lambda: identities(t.stack.value_() + 0x3000))
    check(f"identify_address_all.{name}.mm", lambda: identities(t.active_mm.value_() + 0x40))
    check(f"identify_address_all.{name}.cached", lambda: identities(t.stack.value_() + 0x2000, {}))
for name in ("kdive_live_obj", "kdive_freed_obj"):
    try:
        obj = prog[name]
    except KeyError:
        continue
    check(f"identify_address_all.{name}", lambda: identities(obj.value_() + 8))
    page = H("linux.mm", "virt_to_page")(prog, obj.value_())
    check(f"identify_address_all.{name}.page", lambda: identities(page.value_() + 8))
    check(f"identify_address_all.{name}.page.start", lambda: identities(page.value_(), {}))
mod = prog["kdive_crash_entry"].address_ if "kdive_crash_entry" in prog else None
if mod is not None:
    check("identify_address_all.module_function", lambda: identities(mod + 4))
try:
    areas = sorted(H("linux.mm", "for_each_vmap_area")(prog), key=lambda va: va.va_start.value_())
except Exception:
    areas = []
areas = [va for va in areas if va.vm]
for i, va in enumerate(areas[:: max(1, len(areas) // 6)]):
    check(f"identify_address_all.vmap.{i}", lambda: identities(va.va_start.value_() + 0x18))
check("identify_address.cache_kw", lambda: type(H(M, "identify_address")(prog, 0x10, cache={})).__name__)

# --- common.stack and linux.stack on the picked tasks' traces ---
for name, t in picked:
    trace = prog.stack_trace(t)
    check(f"print_annotated_stack.{name}", lambda: captured(lambda: H(S, "print_annotated_stack")(trace)))
    check(f"print_registers.{name}", lambda: captured(lambda: H(S, "print_registers")(prog, trace[0].registers())))
    check(f"print_registers.{name}.last", lambda: captured(lambda: H(S, "print_registers")(
        trace[len(trace) - 1].registers(), indent="")))
    kst = lambda: H(LS, "kernel_stack_trace")(prog, t)  # noqa: E731
    check(f"kernel_stack_trace.{name}", lambda: str(kst()))
    check(f"kernel_stack_trace.{name}.segments", lambda: [
        (seg.kind.name, len(seg), [f.name for f in seg]) for seg in kst().segments])
    check(f"kernel_stack_trace.{name}.frames", lambda: (lambda k: (
        len(k), [f.name for f in k], k[0].name, k[-1].name, k[len(k) - 1].pc))(kst()))
check("print_registers.partial", lambda: captured(lambda: H(S, "print_registers")(
    prog, {"rip": prog["schedule"].address_, "rsp": crashed.stack.value_(), "cs": 0x10, "rflags": 0x246},
    indent="  ")))
check("print_registers.empty", lambda: captured(lambda: H(S, "print_registers")({})))
check("kernel_stack_trace.pid", lambda: str(H(LS, "kernel_stack_trace")(prog, 1)))
check("kernel_stack_trace.pid_object", lambda: str(H(LS, "kernel_stack_trace")(crashed.pid)))
check("kernel_stack_trace.default_prog", lambda: len(H(LS, "kernel_stack_trace")(crashed)))
check("kernel_stack_trace.bad_type", lambda: H(LS, "kernel_stack_trace")(prog, crashed.comm))
check("kernel_stack_trace.index_error", lambda: H(LS, "kernel_stack_trace")(prog, crashed)[1000])
check("StackKind", lambda: [(k.name, k.value) for k in H(LS, "StackKind")])
check("StackSegment", lambda: (lambda s: (s.kind.name, len(s), list(s), s[1]))(
    H(LS, "StackSegment")(H(LS, "StackKind").IRQ, [3, 4])))
