#!/usr/bin/python3
# The Python API's speed: the same drgn programs under kdive (kdive's `drgn` package over
# its `_drgn`) and drgn 0.0.22 (Debian's python3-drgn), interleaved in one run, on a
# fixture dump; medians of N, ratios kdive/drgn, machine load. Appends a section to
# bench/README.md with --write. Not a test: nothing here asserts a time.
#
#   bench/python/run.sh [-n RUNS] [--write]   (KDIVE_PYTHON_BUILD_DIR: kdive's _drgn dir)
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SRC, "tests"))
import fixture_manifest  # noqa: E402

PYTHON = "/usr/bin/python3"

# Run in a child per (engine, workload, round): opens the dump (timed as "open",
# including `import drgn` and `import drgn.helpers.linux`), then times the workload alone. Helpers come from
# drgn.helpers.linux.* in both engines. Each prints {"open": s, "work": s, "n": count}.
PRELUDE = r"""
import json, sys, time
t0 = time.perf_counter()
import drgn
prog = drgn.Program()
prog.set_core_dump(sys.argv[1])
try:
    prog.load_debug_info(sys.argv[2:])
except drgn.MissingDebugInfoError:
    pass
if hasattr(drgn, "set_default_prog"):
    drgn.set_default_prog(prog)
import drgn.helpers.linux  # every helper module, as a script's imports do: part of "open"
t1 = time.perf_counter()
n = 0
"""
EPILOGUE = r"""
t2 = time.perf_counter()
print(json.dumps({"open": t1 - t0, "work": t2 - t1, "n": n}))
"""

WORKLOADS = {
    "import+open": ("`import drgn`, Program(), set_core_dump, load_debug_info (vmlinux + .ko), `import drgn.helpers.linux`", "pass"),
    "tasks": ("`for t in for_each_task(prog): t.comm`", r"""
from drgn.helpers.linux.pid import for_each_task
for t in for_each_task(prog):
    t.comm
    n += 1
"""),
    "list-100k": ("100,000 list_for_each_entry steps over init_task.tasks reading .pid and .prio", r"""
from drgn.helpers.linux.list import list_for_each_entry
head = prog["init_task"].tasks.address_of_()
while n < 100000:
    for t in list_for_each_entry("struct task_struct", head, "tasks"):
        t.pid.value_()
        t.prio.value_()
        n += 1
        if n >= 100000:
            break
"""),
    "stacks+locals": ("`prog.stack_trace(t)` of every task, `frame.locals()` of every frame", r"""
from drgn.helpers.linux.pid import for_each_task
for t in for_each_task(prog):
    try:
        trace = prog.stack_trace(t)
    except Exception:
        continue
    for frame in trace:
        frame.locals()
        n += 1
"""),
    # The same through the core API alone (Object, container_of, stack_trace): no helper
    # package involved, so these compare the two engines' cores.
    "tasks-core": ("`t.comm` of every task, walking init_task.tasks by hand (core API only)", r"""
init = prog["init_task"]
head = init.tasks.address_of_()
pos = head.next
while pos != head:
    t = drgn.container_of(pos, "struct task_struct", "tasks")
    t.comm
    n += 1
    pos = pos.next
"""),
    "list-100k-core": ("100,000 steps over init_task.tasks by hand (`.next`, container_of) reading .pid and .prio", r"""
head = prog["init_task"].tasks.address_of_()
pos = head.next
while n < 100000:
    if pos == head:
        pos = pos.next
        continue
    t = drgn.container_of(pos, "struct task_struct", "tasks")
    t.pid.value_()
    t.prio.value_()
    n += 1
    pos = pos.next
"""),
    "stacks+locals-core": ("stack_trace + locals() of every frame, tasks walked by hand (core API only)", r"""
head = prog["init_task"].tasks.address_of_()
pos = head.next
while pos != head:
    t = drgn.container_of(pos, "struct task_struct", "tasks")
    pos = pos.next
    try:
        trace = prog.stack_trace(t)
    except Exception:
        continue
    for frame in trace:
        frame.locals()
        n += 1
"""),
    "slab-kmalloc-64": ("every allocated object of kmalloc-64 (slab_cache_for_each_allocated_object)", r"""
from drgn.helpers.linux.slab import find_slab_cache, slab_cache_for_each_allocated_object
cache = find_slab_cache(prog, "kmalloc-64")
for obj in slab_cache_for_each_allocated_object(cache, "unsigned long"):
    n += 1
"""),
}


def engine_env(engine, build_py):
    # Both engines import compiled bytecode, as installed packages do: drgn's from
    # Debian's __pycache__, kdive's from a cache beside its build (written by the untimed
    # warm-up run, so the source tree stays clean).
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "LD_PRELOAD", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    if engine == "kdive":
        env["PYTHONPATH"] = build_py + os.pathsep + os.path.join(SRC, "python")
        env["PYTHONPYCACHEPREFIX"] = os.path.join(os.path.dirname(os.path.abspath(build_py)), "pycache")
    return env


def run_one(engine, workload, dump, debug, build_py):
    code = PRELUDE + WORKLOADS[workload][1] + EPILOGUE
    p = subprocess.run([PYTHON, "-c", code, dump] + debug, env=engine_env(engine, build_py),
                       capture_output=True, text=True, timeout=1800)
    if p.returncode != 0:
        lines = [l for l in p.stderr.strip().splitlines() if l.strip()]
        return {"error": lines[-1] if lines else f"exit {p.returncode}"}
    return json.loads(p.stdout.strip().splitlines()[-1])


def pick_dump(kernel, fmt):
    for d in fixture_manifest.kernel_dumps(drgn=True, scenario="oops"):
        if d.get("kernel_name") == kernel and d["format"] == fmt:
            return d
    sys.exit(f"no {kernel} oops dump in format {fmt} that drgn opens (scripts/fixtures/build-all.sh)")


def fmt_time(s):
    return "—" if s is None else (f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-n", "--runs", type=int, default=5)
    ap.add_argument("--kernel", default="6.1")
    ap.add_argument("--format", default="elf-paging")
    ap.add_argument("--only", help="comma list of workloads")
    ap.add_argument("--write", action="store_true", help="append the table to bench/README.md")
    args = ap.parse_args()
    build_py = os.environ.get("KDIVE_PYTHON_BUILD_DIR") or os.path.join(SRC, "build", "release", "python")
    d = pick_dump(args.kernel, args.format)
    debug = [d["vmlinux"]] + list(d.get("modules") or [])
    workloads = [w for w in WORKLOADS if not args.only or w in args.only.split(",")]
    for f in [d["path"]] + debug:  # warm the page cache: both engines read the same files
        with open(f, "rb") as fh:
            while fh.read(1 << 24):
                pass
    load_before = os.getloadavg()
    print(f"dump {d['path']} ({os.path.getsize(d['path']) >> 20} MiB); kdive _drgn in {build_py}")
    print(f"machine: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in load_before)}")
    warm = subprocess.run([PYTHON, "-c", "import drgn, drgn.helpers.linux"], env=engine_env("kdive", build_py))
    if warm.returncode != 0:
        sys.exit("kdive's drgn package does not import (KDIVE_PYTHON_BUILD_DIR?)")
    samples = {(e, w): [] for e in ("kdive", "drgn") for w in workloads}
    counts, errors = {}, {}
    started = time.time()
    # Interleaved: each round runs every workload under both engines, alternating which
    # goes first, so that load changes during the run hit both alike.
    for r in range(args.runs):
        for w in workloads:
            for e in (("kdive", "drgn") if r % 2 == 0 else ("drgn", "kdive")):
                res = run_one(e, w, d["path"], debug, build_py)
                if "error" in res:
                    errors[(e, w)] = res["error"]
                    continue
                samples[(e, w)].append(res["open"] if w == "import+open" else res["work"])
                counts[(e, w)] = res["n"]
        print(f"round {r + 1}/{args.runs} done ({time.time() - started:.0f} s)", flush=True)
    load_after = os.getloadavg()
    med = {k: (statistics.median(v) if v else None) for k, v in samples.items()}
    rows = []
    for w in workloads:
        k, g = med[("kdive", w)], med[("drgn", w)]
        ratio = f"{k / g:.2f}x" if k is not None and g else "—"
        nk, nd = counts.get(("kdive", w)), counts.get(("drgn", w))
        # Both engines' item counts when they differ (e.g. frames unwound).
        n = nk if nd is None or nk == nd else (nd if nk is None else f"kdive {nk} / drgn {nd}")
        note = "; ".join(f"{e}: {errors[(e, w)]}" for e in ("kdive", "drgn") if (e, w) in errors)
        rows.append((w, fmt_time(k), fmt_time(g), ratio, "" if n is None or w == "import+open" else str(n), note))
    today = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "",
        f"## Python API: kdive vs drgn 0.0.22 (bench/python/run.sh, {today})",
        "",
        f"Dump {args.kernel} oops {args.format} ({os.path.getsize(d['path']) >> 20} MiB), "
        f"vmlinux + modules; {args.runs} interleaved rounds, medians; each cell is one child "
        f"`/usr/bin/python3` per engine and workload (kdive: python/ + its _drgn; drgn: Debian's "
        f"python3-drgn). Machine: {os.cpu_count()} CPUs, load average "
        f"{load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end (shared with parallel builds). "
        "Ratio < 1: kdive faster. A dash: the engine failed the workload (the note says why).",
        "",
        "| workload | what | kdive | drgn 0.0.22 | kdive/drgn | items | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for (w, k, g, ratio, n, note) in rows:
        lines.append(f"| {w} | {WORKLOADS[w][0]} | {k} | {g} | {ratio} | {n} | {note[:160]} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        with open(os.path.join(SRC, "bench", "README.md"), "a") as f:
            f.write(text)
        print("appended to bench/README.md")


if __name__ == "__main__":
    main()
