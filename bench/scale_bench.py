#!/usr/bin/python3
# Issue 13's table on the scale fixture (scripts/fixtures/kernel/scale.sh: 2 GiB,
# thousands of tasks): kdive against drgn 0.0.22 (Debian's python3-drgn) on the same dump
# in the same run — rounds interleaved (kdive, drgn, kdive, ...), medians, ratios — plus
# how each cost grows from the small fixture (the 6.1 sysrq dump) to the scale dump.
#   bench/scale_bench.py [--kdive BIN] [--rounds N] [--scale DIR] [--write]
# --write puts the table into bench/README.md (section "Scale"); otherwise it is printed.
# Peak RSS comes from wait4() of each child. Load averages are recorded at start and end.
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
DRGN = ["/usr/bin/drgn"]


def run_measured(argv, env=None, stdin=None):
    """(seconds, peak RSS MiB, stdout) with the child's own peak RSS (GNU time)."""
    with tempfile.NamedTemporaryFile("r") as tf:
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", tf.name] + argv, env=env, input=stdin,
                           stdin=None if stdin else subprocess.DEVNULL, capture_output=True, text=True)
        dt = time.perf_counter() - t0
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:3])} ... failed ({p.returncode}): {p.stderr[-800:]}")
        rss = int(tf.read().strip().splitlines()[-1]) / 1024
    return dt, rss, p.stdout


DRGN_SCRIPTS = {
    "open": 'print(prog["init_task"].comm)\n',
    "bt": """
from drgn.helpers.linux.pid import for_each_task
frames = 0
for task in for_each_task(prog):
    try:
        trace = prog.stack_trace(task)
    except Exception:
        continue
    print(trace)
    frames += len(trace)
print("frames", frames)
""",
    "ps": """
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.sched import task_state_to_char
for t in for_each_task(prog):
    print(t.pid.value_(), task_state_to_char(t), t.comm.string_().decode())
""",
    "dmesg": """
from drgn.helpers.linux.printk import get_dmesg
sys.stdout.write(get_dmesg(prog).decode(errors="replace"))
""",
    "identify": """
from drgn.helpers.common.memory import identify_address
for line in open(ADDRS):
    print(identify_address(prog, int(line, 16)))
""",
    "slab": """
from drgn.helpers.linux.slab import for_each_slab_cache, slab_cache_for_each_allocated_object
total = 0
for c in for_each_slab_cache(prog):
    try:
        n = sum(1 for _ in slab_cache_for_each_allocated_object(c, "void"))
    except Exception:
        continue
    total += n
print("objects", total)
""",
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kdive", default=os.path.join(SRC, "build", "release", "kdive"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scale", help="scale fixture folder (default: scale.sh's output)")
    ap.add_argument("--dump", default="vmcore.kdump-zstd")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    scale = args.scale or subprocess.run(["bash", os.path.join(SRC, "scripts/fixtures/kernel/scale.sh")],
                                         check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    kernel = os.path.join(scale, "kernel")
    core = os.path.join(scale, args.dump)
    vmlinux = os.path.join(kernel, "vmlinux")
    ko = os.path.join(kernel, "kdive_fixture.ko")
    load0 = os.getloadavg()
    work = tempfile.mkdtemp(prefix="kdive-scale-bench-")
    kd = [args.kdive, "-q", "-c", core, "-s", vmlinux, "-s", ko]
    env_cold = dict(os.environ, KDIVE_INDEX_CACHE="off")
    env_warm = dict(os.environ, KDIVE_INDEX_CACHE=os.path.join(work, "index"))
    subprocess.run(kd + ["-e", "init_task.comm"], env=env_warm, capture_output=True, check=True)  # fills it

    # 1,000 addresses to identify: task_structs, their stacks, and symbols, from kdive.
    ps = subprocess.run(kd + ["-x", "ps"], env=env_warm, capture_output=True, text=True, check=True).stdout
    tasks = [w for ln in ps.splitlines()[1:] for w in ln.split() if re.fullmatch(r"[0-9a-f]{16}", w)]
    # Inside each task_struct, at a different member each time.
    addrs = [int(t, 16) + (i * 8) % 0x100 for i, t in enumerate(tasks)]
    addrs = (addrs * (1000 // max(1, len(addrs)) + 1))[:1000]
    addr_file = os.path.join(work, "addrs")
    with open(addr_file, "w") as f:
        f.write("".join(f"{a:#x}\n" for a in addrs))
    with open(os.path.join(work, "identify.kd"), "w") as f:
        f.write("".join(f"identify {a:#x}\n" for a in addrs))
    for name, text in DRGN_SCRIPTS.items():
        with open(os.path.join(work, f"{name}.py"), "w") as f:
            f.write("import sys\nADDRS = %r\n" % addr_file + text)
    dr = DRGN + ["-q", "-c", core, "-s", vmlinux, "-s", ko]

    work_items = [
        ("open + expression, no index cache", kd + ["-e", "init_task.comm"], env_cold, dr + [f"{work}/open.py"]),
        ("open + expression, index cache warm", kd + ["-e", "init_task.comm"], env_warm, dr + [f"{work}/open.py"]),
        ("bt --all (inline frames + lines), incl. open", kd + ["-x", "bt --all"], env_warm, dr + [f"{work}/bt.py"]),
        ("ps", kd + ["-x", "ps"], env_warm, dr + [f"{work}/ps.py"]),
        ("dmesg", kd + ["-x", "dmesg"], env_warm, dr + [f"{work}/dmesg.py"]),
        ("1,000 identify", kd + [os.path.join(work, "identify.kd")], env_warm, dr + [f"{work}/identify.py"]),
        ("every allocated object of every cache", kd + ["-x", "slabinfo -x"], env_warm, dr + [f"{work}/slab.py"]),
    ]
    results = {}
    for r in range(args.rounds):
        for label, kargv, kenv, dargv in work_items:
            for engine, argv, env in (("kdive", kargv, kenv), ("drgn", dargv, None)):
                try:
                    dt, rss, out = run_measured(argv, env)
                except RuntimeError as e:
                    results.setdefault((label, engine), []).append(None)
                    print(f"{label} {engine}: {e}", file=sys.stderr)
                    continue
                results.setdefault((label, engine), []).append((dt, rss, out))
            print(f"round {r + 1}: {label} done", file=sys.stderr, flush=True)
    load1 = os.getloadavg()

    def med(label, engine, i=0):
        v = [x[i] for x in results.get((label, engine), []) if x]
        return statistics.median(v) if v else None

    frames = None
    bt = [x for x in results.get(("bt --all (inline frames + lines), incl. open", "kdive"), []) if x]
    if bt:
        frames = len(re.findall(r"^#\d+ ", bt[0][2], re.M))
    ntasks = len(tasks)
    rows = []
    for label, *_ in work_items:
        k, d = med(label, "kdive"), med(label, "drgn")
        ratio = f"{k / d:.3f}x" if k and d else "-"
        rows.append(f"| {label} | {k:.3f} s | " if k else f"| {label} | - | ")
        rows[-1] += (f"{d:.3f} s | {ratio} |" if d else "- | - |")
    kr_cold, dr_cold = med(work_items[0][0], "kdive", 1), med(work_items[0][0], "drgn", 1)
    kr_warm = med(work_items[1][0], "kdive", 1)
    rows.append(f"| peak RSS, open + expression, cold | {kr_cold:.0f} MiB | {dr_cold:.0f} MiB | {kr_cold / dr_cold:.2f}x |"
                if kr_cold and dr_cold else "| peak RSS, cold | - | - | - |")
    rows.append(f"| peak RSS, open + expression, warm | {kr_warm:.0f} MiB | {dr_cold:.0f} MiB | {kr_warm / dr_cold:.2f}x |"
                if kr_warm and dr_cold else "| peak RSS, warm | - | - | - |")
    per_frame = ""
    kb, kw = med(work_items[2][0], "kdive"), med(work_items[1][0], "kdive")
    if frames and kb and kw:
        per_frame = f"{(kb - kw) / frames * 1e6:.1f} µs per frame after open ({frames} frames, {ntasks} tasks)"
    text = "\n".join([
        f"Scale fixture {os.path.basename(os.path.dirname(scale))} ({args.dump}, "
        f"{os.path.getsize(core) / 2**20:.0f} MiB on disk, {ntasks} tasks), {args.rounds} interleaved rounds, medians; "
        f"load average {load0[0]:.2f} at the start, {load1[0]:.2f} at the end; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        "| work | kdive | drgn 0.0.22 | kdive/drgn |",
        "| --- | --- | --- | --- |",
        *rows,
        "",
        f"bt --all: {per_frame}" if per_frame else "",
    ])
    print(text)
    if args.write:
        readme = os.path.join(HERE, "README.md")
        body = open(readme).read()
        section = "## Scale (bench/scale_bench.py)\n\n" + text + "\n"
        if "## Scale (bench/scale_bench.py)" in body:
            body = re.sub(r"## Scale \(bench/scale_bench\.py\)\n.*?(?=\n## |\Z)", section.rstrip("\n") + "\n", body, flags=re.S)
        else:
            body = body.rstrip("\n") + "\n\n" + section
        open(readme, "w").write(body)


if __name__ == "__main__":
    main()
