#!/usr/bin/python3
# Parity probe: drgn.helpers.linux.locking, wait, completion, swait, plist, signal,
# resource and sched's run-queue/task-group helpers, on the dump's own locks, wait
# queues (the fixture module's sleepers, kernel threads' queues), tasks and run queues.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from probe_lib import H, check, open_program, show  # noqa: E402

prog = open_program()
tasks = sorted(H("linux.pid", "for_each_task")(prog), key=lambda t: t.pid.value_())
by_comm = {}
for t in tasks:
    by_comm.setdefault(t.comm.string_().decode(), t)
online = list(H("linux.cpumask", "for_each_online_cpu")(prog))


def existing(names):
    out = []
    for name in names:
        try:
            out.append((name, prog[name]))
        except KeyError:
            pass
    return out


def pids(it):
    return [t.pid.value_() for t in it]


# ---- locking ------------------------------------------------------------------------
L = "linux.locking"
mutexes = existing(("module_mutex", "cgroup_mutex", "text_mutex", "tty_mutex",
                    "cpu_add_remove_lock", "kprobe_mutex", "syslog_lock"))
rwsems = existing(("namespace_sem", "uts_sem", "crypto_alg_sem", "pernet_ops_rwsem",
                   "umhelper_sem", "dmar_global_lock"))
rwsems += [("init_mm.mmap_lock", prog["init_mm"].mmap_lock)]
check("mutex_owner.globals", lambda: [(n, show(H(L, "mutex_owner")(m.address_of_())))
                                      for n, m in mutexes])
check("mutex_owner.cred_guard_mutex", lambda: [
    (t.pid.value_(), show(H(L, "mutex_owner")(t.signal.cred_guard_mutex.address_of_())))
    for t in tasks])
check("rwsem_locked.globals", lambda: [(n, H(L, "rwsem_locked")(s.address_of_()).name)
                                       for n, s in rwsems])
check("rwsem_locked.bool", lambda: [bool(H(L, "rwsem_locked")(s.address_of_()))
                                    for n, s in rwsems])
check("rwsem_owner.globals", lambda: [(n, show(H(L, "rwsem_owner")(s.address_of_())))
                                      for n, s in rwsems])
check("rwsem.mmap_lock", lambda: [
    (t.pid.value_(), H(L, "rwsem_locked")(t.mm.mmap_lock.address_of_()).name,
     show(H(L, "rwsem_owner")(t.mm.mmap_lock.address_of_())))
    for t in tasks if t.mm])

# ---- wait queues ----------------------------------------------------------------------
W = "linux.wait"
queues = existing(("kdive_wq", "kauditd_wait", "oom_reaper_wait", "ksm_thread_wait",
                   "kthreadd_wait", "log_wait"))
for name, wq in queues:
    check(f"waitqueue_active.{name}", lambda: H(W, "waitqueue_active")(wq.address_of_()))
    check(f"waitqueue_for_each_entry.{name}", lambda: [
        (e.type_.type_name(), show(e), show(e.func))
        for e in H(W, "waitqueue_for_each_entry")(wq.address_of_())])
    check(f"waitqueue_for_each_task.{name}",
          lambda: pids(H(W, "waitqueue_for_each_task")(wq.address_of_())))
check("waitqueue.wait_chldexit", lambda: [
    (t.pid.value_(), H(W, "waitqueue_active")(t.signal.wait_chldexit.address_of_()),
     pids(H(W, "waitqueue_for_each_task")(t.signal.wait_chldexit.address_of_())))
    for t in tasks])
check("waitqueue.kswapd_wait", lambda: [
    (t.pid.value_(), pids(H(W, "waitqueue_for_each_task")(
        H("linux.mmzone", "NODE_DATA")(prog, 0).kswapd_wait.address_of_())))
    for t in tasks[:1]])

# ---- completions and simple wait queues ---------------------------------------------
C = "linux.completion"
S = "linux.swait"
completions = existing(("kdive_go", "kdive_waiter_ready"))
completions += [(f"kdive_sleepers[{i}].ready", s.ready)
                for i, s in enumerate(prog["kdive_sleepers"])]
for name, c in completions:
    check(f"completion_done.{name}", lambda: H(C, "completion_done")(c.address_of_()))
    check(f"completion_for_each_task.{name}",
          lambda: pids(H(C, "completion_for_each_task")(c.address_of_())))
    check(f"swait_active.{name}", lambda: H(S, "swait_active")(c.wait.address_of_()))
gp_wq = prog["rcu_state"].gp_wq
check("swait_active.rcu_gp_wq", lambda: H(S, "swait_active")(gp_wq.address_of_()))
check("swait_for_each_task.rcu_gp_wq", lambda: [
    (t.pid.value_(), t.comm.string_().decode(), show(t))
    for t in H(S, "swait_for_each_task")(gp_wq.address_of_())])
check("swait_for_each_task.kdive_go",
      lambda: pids(H(S, "swait_for_each_task")(prog["kdive_go"].wait.address_of_())))

# ---- plists ---------------------------------------------------------------------------
PL = "linux.plist"
qos = prog["cpu_latency_constraints"].list
plists = [("cpu_latency_constraints", qos, "struct pm_qos_request", "node")]
for name, head, etype, member in plists:
    hp = head.address_of_()
    check(f"plist_head_empty.{name}", lambda: H(PL, "plist_head_empty")(hp))
    check(f"plist_for_each.{name}", lambda: [
        (show(n), n.prio.value_(), H(PL, "plist_node_empty")(n))
        for n in H(PL, "plist_for_each")(hp)])
    check(f"plist_for_each_entry.{name}", lambda: [
        show(e) for e in H(PL, "plist_for_each_entry")(etype, hp, member)])
    check(f"plist_first_entry.{name}", lambda: H(PL, "plist_first_entry")(hp, etype, member))
    check(f"plist_last_entry.{name}",
          lambda: H(PL, "plist_last_entry")(hp, prog.type(etype), member))
check("plist_head_empty.swap_active_head",
      lambda: H(PL, "plist_head_empty")(prog["swap_active_head"].address_of_()))
check("plist_head_empty.rt_pushable", lambda: [
    H(PL, "plist_head_empty")(H("linux.sched", "cpu_rq")(prog, cpu).rt.pushable_tasks.address_of_())
    for cpu in online])
check("plist_for_each.rt_pushable", lambda: [
    [show(n) for n in H(PL, "plist_for_each")(
        H("linux.sched", "cpu_rq")(prog, cpu).rt.pushable_tasks.address_of_())]
    for cpu in online])
check("plist_node_empty.pushable_tasks", lambda: [
    (t.pid.value_(), H(PL, "plist_node_empty")(t.pushable_tasks.address_of_())) for t in tasks])

# ---- signals --------------------------------------------------------------------------
SG = "linux.signal"
check("signal_names", lambda: list(H(SG, "signal_names")(prog).items()))
check("signal_names.default", lambda: dict(H(SG, "signal_names")()))
check("signal_numbers", lambda: list(H(SG, "signal_numbers")(prog).items()))
check("sigaction_flags", lambda: list(H(SG, "sigaction_flags")(prog).items()))
check("decode_sigset.blocked", lambda: [
    (t.pid.value_(), H(SG, "decode_sigset")(t.blocked)) for t in tasks])
check("decode_sigset.blocked_ptr", lambda: [
    (t.pid.value_(), H(SG, "decode_sigset")(t.blocked.address_of_())) for t in tasks])
check("decode_sigset.ignored", lambda: [
    (t.pid.value_(), H(SG, "decode_sigset")(prog, sum(
        1 << (i - 1) for i in range(1, len(t.sighand.action) + 1)
        if t.sighand.action[i - 1].sa.sa_handler.value_() == 1)))
    for t in tasks])
check("decode_sigset.int", lambda: [H(SG, "decode_sigset")(prog, v)
                                    for v in (0, 0x14003, 1 << 63, (1 << 64) - 1, 0x1ffff0000)])
check("decode_sigset.intobj", lambda: H(SG, "decode_sigset")(
    prog["init_task"].blocked.sig[0]))
check("decode_sigset.pending", lambda: [
    (t.pid.value_(), H(SG, "decode_sigset")(t.pending.signal),
     H(SG, "decode_sigset")(t.signal.shared_pending.signal)) for t in tasks])
check("sigset_to_hex.blocked", lambda: [
    (t.pid.value_(), H(SG, "sigset_to_hex")(t.blocked)) for t in tasks])
check("sigset_to_hex.ptr", lambda: H(SG, "sigset_to_hex")(tasks[0].blocked.address_of_()))
check("sigpending_for_each", lambda: [
    (t.pid.value_(), [show(q) for q in H(SG, "sigpending_for_each")(t.pending.address_of_())],
     [show(q) for q in H(SG, "sigpending_for_each")(t.signal.shared_pending.address_of_())])
    for t in tasks])
check("decode_sigaction_flags", lambda: [
    (t.pid.value_(), [H(SG, "decode_sigaction_flags")(a.sa) for a in t.sighand.action])
    for t in tasks if t.mm])
check("decode_sigaction_flags_value", lambda: [
    H(SG, "decode_sigaction_flags_value")(prog, v)
    for v in (0, 0x14000000, 0x4c000004, 0x80000000, 0x20000000, 0xffffffff)])
check("decode_sigaction_flags_value.default",
      lambda: H(SG, "decode_sigaction_flags_value")(0x14000000))

# ---- resource limits ------------------------------------------------------------------
picked = [t for t in tasks if t.pid.value_() in (0, 1, 2)]
picked += [by_comm[n] for n in ("kdive_waiter", "sh") if n in by_comm]
for t in picked:
    check(f"task_rlimits.{t.pid.value_()}", lambda: H("linux.resource", "task_rlimits")(t))

# ---- scheduler ------------------------------------------------------------------------
SC = "linux.sched"
for cpu in online:
    rq = H(SC, "cpu_rq")(prog, cpu)
    check(f"rq_for_each_fair_task.{cpu}", lambda: pids(H(SC, "rq_for_each_fair_task")(rq)))
    check(f"rq_for_each_rt_task.{cpu}", lambda: [
        (t.pid.value_(), show(t)) for t in H(SC, "rq_for_each_rt_task")(rq)])
    check(f"cfs_rq_for_each_entity.{cpu}", lambda: [
        (show(se), depth, is_curr, is_task)
        for se, depth, is_curr, is_task in H(SC, "cfs_rq_for_each_entity")(rq.cfs.address_of_())])
    check(f"sched_entity.{cpu}", lambda: [
        (H(SC, "sched_entity_is_task")(se), show(H(SC, "sched_entity_to_task")(se)))
        for se, _, _, _ in H(SC, "cfs_rq_for_each_entity")(rq.cfs.address_of_())])
check("sched_entity_is_task.tasks", lambda: [
    (t.pid.value_(), H(SC, "sched_entity_is_task")(t.se.address_of_())) for t in tasks])
check("sched_entity_to_task.tasks", lambda: all(
    H(SC, "sched_entity_to_task")(t.se.address_of_()) == t for t in tasks))
check("task_group_name.root",
      lambda: H(SC, "task_group_name")(prog["root_task_group"].address_of_()))
check("task_group_name.all", lambda: sorted(
    H(SC, "task_group_name")(tg) for tg in H("linux.list", "list_for_each_entry")(
        "struct task_group", prog["task_groups"].address_of_(), "list")))
check("task_since_last_arrival_ns", lambda: [
    (t.pid.value_(), H(SC, "task_since_last_arrival_ns")(t)) for t in tasks])
