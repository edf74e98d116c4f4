#!/usr/bin/env python3
# The no-debuginfo mode (issue 15) on every fixture kernel: the same commands run on the
# same dump twice, once with the debug files (-s vmlinux -s *.ko) and once from the dump
# alone (--no-debug-info: kallsyms, BTF and ORC read from kernel memory), must agree:
# same tasks, same stacks (function+offset of every frame that is not inlined), same
# kernel log, same slab counts, same mounts and files, same struct layouts, the same
# objects through expressions; and the ground truth written at fixture time
# (truth.json) must hold for both. A kernel whose VMCOREINFO lists no kallsyms (< 6.0)
# must refuse with a message that says why and what would help.
# Run by CTest; KDIVE_BINARY is the kdive under test.
import hashlib
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kdive_testlib as lib  # noqa: E402

KDIVE = os.environ.get("KDIVE_BINARY") or os.path.join(lib.SRC, "build", "release", "kdive")
fail = lib.Failures()


def kdive(dump, mode, *argv, binary=False):
    """(status, stdout, stderr) of one kdive command on `dump`, with its debug files
    (mode "dwarf") or none (mode "dump")."""
    args = [KDIVE, "-c", dump["path"]]
    if mode == "dwarf":
        for f in [dump["vmlinux"]] + list(dump.get("modules") or []):
            args += ["-s", f]
    else:
        args.append("--no-debug-info")
    env = dict(os.environ)
    env.pop("DEBUGINFOD_URLS", None)  # never the network
    p = subprocess.run(args + list(argv), capture_output=True, timeout=600, env=env, text=not binary)
    return p.returncode, p.stdout, p.stderr


def both(dump, *argv):
    d = kdive(dump, "dwarf", *argv)
    n = kdive(dump, "dump", *argv)
    return d, n


def check_same(dump, what, *argv, transform=None):
    (rd, od, ed), (rn, on, en) = both(dump, *argv)
    name = f"{dump['name']}: {what}"
    fail.check(rd == 0, f"{name}: with DWARF exits 0", ed[-2000:])
    fail.check(rn == 0, f"{name}: without debug info exits 0", en[-2000:])
    if transform:
        od, on = transform(od), transform(on)
    fail.check(od == on and od.strip() != "", f"{name}: same output", lib.diff(od, on, "dwarf", "dump")[:6000])
    return on


def frames_of(json_lines):
    """Per thread, the (pc, function+offset) of every frame that is not inlined:
    inline frames exist only with DWARF; the physical frames must be the same."""
    out = []
    for line in json_lines.splitlines():
        if not line.startswith("{"):
            continue
        t = json.loads(line)
        # The symbol's size differs by design: ELF's st_size with DWARF, the distance to
        # the next symbol from kallsyms (as the kernel's own oops prints it).
        frames = [(f["pc"], (f.get("symbol") or "").rsplit("/", 1)[0]) for f in t["frames"]
                  if not f["inlined"]]
        out.append((t.get("pid"), t.get("comm"), frames, t.get("end_reason")))
    return out


def same_frames(a, b):
    """The same thread, PCs and end; each frame named alike, except where kallsyms names
    a global label inside the function the ELF symbol table sizes (entry_SYSCALL_64 +0xa6
    is entry_SYSCALL_64_after_hwframe+0x6e to kallsyms, which has no sizes: the kernel's
    own oops prints the latter)."""
    if a[:2] != b[:2] or a[3] != b[3] or len(a[2]) != len(b[2]):
        return False
    for (pc, sd), (pc2, sn) in zip(a[2], b[2]):
        if pc != pc2:
            return False
        if sd == sn:
            continue
        md, mn = re.match(r"(.*)\+(0x[0-9a-f]+)$", sd), re.match(r"(.*)\+(0x[0-9a-f]+)$", sn)
        if not md or not mn or int(mn.group(2), 16) >= int(md.group(2), 16):
            return False
    return True


def check_stacks(dump, truth):
    for argv in (["bt", "--json"], ["bt", "--all", "--json"]):
        (rd, od, ed), (rn, on, en) = both(dump, *argv)
        name = f"{dump['name']}: {' '.join(argv)}"
        fail.check(rd == 0 and rn == 0, f"{name}: exits 0", (ed + en)[-2000:])
        fd, fn = frames_of(od), frames_of(on)
        fail.check(len(fd) == len(fn) and len(fd) > 0, f"{name}: same threads", f"{len(fd)} vs {len(fn)}")
        for a, b in zip(fd, fn):
            fail.check(same_frames(a, b), f"{name}: pid {a[0]} {a[1]}: same frames",
                       f"dwarf: {a[2]} ({a[3]})\ndump:  {b[2]} ({b[3]})")
    # Ground truth: each blocked fixture thread's functions, in order, in its stack
    # from the dump alone (module frames named by the module's own kallsyms). Functions
    # the compiler inlined have no frame without DWARF: the others must all be there.
    _, text, _ = kdive(dump, "dump", "bt", "--all")
    for t in truth.get("thread", []):
        want = t["functions"].split(",")
        m = re.search(rf"^PID: {t['pid']} COMM: .*?\n((?:#.*\n)*)", text, re.M)
        got = re.findall(r"^#\d+\s+([A-Za-z0-9_.]+)\+0x[0-9a-f]+/0x[0-9a-f]+ \[kdive_fixture\]",
                         m.group(1) if m else "", re.M)
        fail.check(len(got) >= 2 and got == [w for w in want if w in got] and got[-1] == want[-1],
                   f"{dump['name']}: bt of {t['comm']} (truth)",
                   f"want {want}, got {got}\n{m.group(0) if m else text[-3000:]}")


def check_expressions(dump, truth):
    exprs = ["init_task.comm", "init_task.pid", "init_task.tasks", "jiffies", "per_cpu(runqueues, 0).cpu",
             "sizeof(struct task_struct)", "offsetof(struct task_struct, tasks)",
             "nr_cpu_ids", "schedule", "(int)TASK_COMM_LEN", "sizeof(__per_cpu_offset)"]
    crasher = truth.get("crasher", {}).get("task")
    if crasher:
        exprs += [f"((struct task_struct *){crasher})->comm", f"((struct task_struct *){crasher})->pid"]
    for e in exprs:
        check_same(dump, f"-e {e}", "-e", e)
    # A whole task_struct, every member read through BTF's layout. Pointers into the
    # kernel image are annotated with a symbol; where several symbols share the address
    # (init_stack, init_thread_union, __start_init_task) ELF's and kallsyms' choice of
    # name differ, so the annotation is left out of the comparison, not the address.
    # BTF has one encoding for `u8 x[0]` and `u8 x[]` (nelems 0): a flexible array.
    check_same(dump, "-e *&init_task", "-e", "*&init_task",
               transform=lambda s: re.sub(r"\)[A-Za-z0-9_.]+\+0x[0-9a-f]+ = 0x", ")0x", s).replace(" [0]){}", " []){}"))
    # Module globals: BTF has no type for them, the address must still be exact.
    for name, addr in (truth.get("expr") or {}).items():
        if not name.startswith("&kdive_g_"):
            continue
        _, out, err = kdive(dump, "dump", "-e", f"(unsigned long){name}")
        fail.check(re.search(rf"\)({int(addr, 16)})$", out.strip()) is not None,
                   f"{dump['name']}: {name} from module kallsyms", f"want {addr}, got {out!r} {err[-500:]!r}")


def check_kernel(dump, truth):
    # sys: the KERNEL line names the vmlinux file, which one of the two runs has not.
    check_same(dump, "sys", "sys", transform=lambda s: re.sub(r"^ *KERNEL: .*\n", "", s, flags=re.M))
    for cmd in (["ps"], ["dmesg"], ["slabinfo"], ["mount"], ["files", "1"],
                ["ptype", "struct rq"],
                ["list", "init_task.tasks, struct task_struct, tasks, pid"],
                ["identify", "&init_task"], ["identify", "&schedule"]):
        check_same(dump, " ".join(cmd), *cmd)
    # layout: from BTF, kdive prints what pahole prints from the same BTF (BTF has no
    # DW_AT_alignment, so the __aligned__ attributes of the DWARF view are not there).
    for struct in ("task_struct", "list_head", "rq"):
        rc, out, err = kdive(dump, "dump", "layout", struct)
        ref = subprocess.run(["pahole", "-F", "btf", "-C", struct, dump["vmlinux"]], capture_output=True, text=True)
        fail.check(rc == 0 and ref.returncode == 0 and out == ref.stdout and out,
                   f"{dump['name']}: layout {struct} from the dump's BTF = pahole -F btf",
                   lib.diff(ref.stdout, out, "pahole -F btf", "kdive")[:4000] + err[-1000:])
    # tree: an rb_root walked through BTF's layouts (where the kernel has this root;
    # 6.9 moved vmalloc's areas into per-node trees).
    tree = "vmap_area_root, struct vmap_area, rb_node, va_start"
    if kdive(dump, "dwarf", "tree", tree)[0] == 0:
        check_same(dump, "tree vmap_area_root", "tree", tree)
    # mod: the same modules (the debug-file column differs by design).
    check_same(dump, "mod", "mod", transform=lambda s: "\n".join(" ".join(l.split()[:4]) for l in s.splitlines()))
    slab = truth.get("slab") or {}
    if slab.get("cache_name"):
        check_same(dump, f"slab {slab['cache_name']}", "slab", slab["cache_name"])
    objs = truth.get("obj") or []
    for o in objs[:3]:
        check_same(dump, f"identify {o['addr']}", "identify", o["addr"])
    f = (truth.get("file") or {}).get("known")
    if f:
        rc, data, err = kdive(dump, "dump", "cat", f["path"], binary=True)
        fail.check(rc == 0 and hashlib.sha256(data).hexdigest() == f["sha256"],
                   f"{dump['name']}: cat {f['path']} (truth sha256)", err[-1000:])
    check_stacks(dump, truth)
    check_expressions(dump, truth)
    # A module's struct from its split BTF (qemu_fw_cfg is Debian's, built with BTF; the
    # fixture's own module is built without, so its types are not in the dump).
    check_same(dump, "ptype of a module struct", "ptype", "struct fw_cfg_sysfs_entry")
    ko = next((m for m in dump.get("modules") or [] if m.endswith("kdive_fixture.ko")), None)
    if ko and b".BTF\x00" in open(ko, "rb").read():
        check_same(dump, "ptype of the fixture module's struct", "ptype", "struct kdive_obj")
    else:
        rc, _, err = kdive(dump, "dump", "ptype", "struct kdive_obj")
        fail.check(rc != 0 and "could not find 'struct kdive_obj'" in err, f"{dump['name']}: a type BTF lacks", err)


def main():
    if not os.access(KDIVE, os.X_OK):
        print(f"FAIL no kdive binary at {KDIVE} (set KDIVE_BINARY)")
        sys.exit(1)
    for dump in lib.dumps(scenario="sysrq", drgn=False) + lib.dumps(scenario="oops", drgn=False):
        with open(dump["truth"]) as f:
            truth = json.load(f)
        rc, out, err = kdive(dump, "dump", "info")
        if rc != 0:
            # Only a kernel without kallsyms in VMCOREINFO may refuse, and it must say so.
            fail.check("no kallsyms in VMCOREINFO" in err and "-s" in err,
                       f"{dump['name']}: refuses with the reason", err[-2000:])
            print(f"{dump['name']}: refused: {err.strip()[-300:]}")
            continue
        fail.check("types:         BTF from the dump" in out, f"{dump['name']}: info names BTF as the type source", out)
        if dump["scenario"] == "oops":
            check_stacks(dump, truth)
        else:
            check_kernel(dump, truth)
        print(f"{dump['name']}: checked", flush=True)
    fail.finish()


if __name__ == "__main__":
    main()
