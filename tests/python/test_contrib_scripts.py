#!/usr/bin/python3
# ctest-label: reference  (runs a reference tool; the sanitizer pass of scripts/test.sh skips it)
# drgn's contrib scripts (../shared/corpora/drgn-0.2.0/contrib, test input) as real client
# programs: each runs through the kdive CLI (`kdive -c CORE -s ... SCRIPT ARGS`) on every
# dump of dumps(), and its stdout and exit status must equal drgn 0.0.22's. Scripts that
# need drgn >= 0.0.23 (DRGN_022_CANNOT) are compared with drgn 0.2.0's own package over
# kdive's _drgn ("drgn-pkg") and checked for a plausible output (tests/diff/KNOWN_DIFFERENCES.md).
#
#   KDIVE_TEST_KERNELS=6.1 KDIVE_CONTRIB_SCRIPTS=lsmod,ps KDIVE_CONTRIB_FORMATS=elf-paging \
#     KDIVE_TEST_JOBS=2 python3 tests/python/test_contrib_scripts.py
#
# The references run every script of a dump in one process (`--batch`, below): the dump
# is opened once, each script then runs as drgn's CLI runs it (runpy.run_path with `prog`
# in its globals, sys.argv = [SCRIPT, ARGS...], __name__ == "__main__"). The first dump
# also runs the drgn-capable scripts through /usr/bin/drgn itself to keep the batch honest.
import contextlib
import io
import json
import os
import re
import runpy
import sys
import traceback

CONTRIB = "contrib"

# Scripts drgn 0.0.22 cannot run, and why (checked on the first dump: if 0.0.22 runs one
# after all, it becomes the reference for it).
DRGN_022_CANNOT = {
    "bt_by_pid_and_frame": "`from drgn import stack_trace` and find_task(pid) without a program "
                           "need the default program (drgn 0.0.23)",
    "ps": "drgn.helpers.linux.list.list_count_nodes, mm.totalram_pages, sched.task_cpu are missing",
    "search_kernel_memory": "drgn.helpers.linux.mm.for_each_vmap_area is missing",
    "show_page_info": "drgn.helpers.linux.follow_page/vma_find and find_task(pid) without a program are missing",
    "stack_trace_call_fault": "drgn.helpers.common.prog.takes_program_or_default and "
                              "Program.crashed_thread() are missing",
    "vmmap": "drgn.helpers.linux.mm.for_each_vma is missing",
}

# What kdive's output must look like by itself (a regular expression its stdout must
# match, searched), checked for every case whatever the reference says.
PLAUSIBLE = {
    "bt_by_pid_and_frame": r"^PID \d+ process name: .+\n#0 ",
    "find_struct_file": r"^PID 1 COMM \S+ FD \d+$",
    "fs_inodes": r"^\S+/\S+$",
    "lsmod": r"^Module +Size +Used by\nkdive_fixture +\d+ ",
    "mount": r"^Mount +Type +Devname +Dirname\n[0-9a-f]+ +rootfs ",
    "ps": r"^PID +PPID +CPU +Task Address .*comm",
    "search_kernel_memory": r"^0x[0-9a-f]+",
    "show_page_info": r"^PID: 1 Comm: \S+ mm: 0x[0-9a-f]+\n",
    "stack_trace_call_fault": r"^#0 ",
    "vmmap": r"^Start +End +Flgs",
}


def cases(info):
    """(case id, script name, argv after the script) for one dump; `info` holds values
    read from the dump by drgn 0.0.22 (probe()) and its truth.json."""
    pid = info["thread_pid"]
    out = [
        ("bt_by_pid_and_frame", "bt_by_pid_and_frame", [str(pid), "1"]),
        ("find_struct_file", "find_struct_file", [info["file"]]),
        ("fs_inodes", "fs_inodes", []),
        ("lsmod", "lsmod", []),
        ("mount", "mount", []),
        ("ps", "ps", []),
        ("ps-detailed", "ps", ["-d", "-t", "1", str(pid)]),
        ("ps-active", "ps", ["-a"]),
        ("search_kernel_memory", "search_kernel_memory", ["--string", info["needle"]]),
        ("show_page_info", "show_page_info", ["1", info["user_vaddr"]]),
        ("stack_trace_call_fault", "stack_trace_call_fault", []),
        ("vmmap", "vmmap", ["1"]),
    ]
    wanted = [s for s in os.environ.get("KDIVE_CONTRIB_SCRIPTS", "").split(",") if s]
    return [c for c in out if not wanted or c[1] in wanted or c[0] in wanted]


# ---- batch mode: runs inside the reference engine's interpreter (stdlib + drgn only) ----

PROBE = """
import json, sys, drgn
from drgn.helpers.linux.pid import find_task
prog = drgn.Program()
prog.set_core_dump(sys.argv[1])
prog.load_debug_info(sys.argv[2:])
t = find_task(prog, 1)
fdt = t.files.fdt
file = next(fdt.fd[i] for i in range(fdt.max_fds.value_()) if fdt.fd[i])
print(json.dumps({"file": hex(file.value_()), "user_vaddr": hex(t.mm.start_stack.value_())}))
"""


def _exit_status(e):
    if e.code is None:
        return 0
    if isinstance(e.code, int):
        return e.code
    print(e.code, file=sys.stderr)
    return 1


def batch(argv):
    """`--batch SPEC_JSON`: opens the dump once and runs each case as drgn's CLI does;
    prints {case id: [status, stdout, stderr]} as JSON."""
    import drgn

    spec = json.loads(argv[0])
    prog = drgn.Program()
    prog.set_core_dump(spec["core"])
    try:
        prog.load_debug_info(spec["debug"])
    except drgn.MissingDebugInfoError:
        pass
    if hasattr(drgn, "set_default_prog"):
        drgn.set_default_prog(prog)
    results = {}
    real_stdout = sys.stdout
    for case_id, script, args in spec["cases"]:
        out, err = io.StringIO(), io.StringIO()
        sys.argv = [script] + args
        sys.path.insert(0, os.path.dirname(script))
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    runpy.run_path(script, init_globals={"prog": prog}, run_name="__main__")
                    status = 0
                except SystemExit as e:
                    status = _exit_status(e)
                except BaseException:
                    traceback.print_exc()
                    status = 1
        finally:
            sys.path.pop(0)
        results[case_id] = [status, out.getvalue(), err.getvalue()]
    real_stdout.write(json.dumps(results))
    return 0


if __name__ == "__main__" and sys.argv[1:2] == ["--batch"]:
    sys.exit(batch(sys.argv[2:]))

# ---- the test ----

import subprocess  # noqa: E402
import tempfile  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402

import kdive_testlib as lib  # noqa: E402

KDIVE = os.environ.get("KDIVE_BINARY") or os.path.join(lib.SRC, "build", "release", "kdive")
CONTRIB_DIR = os.path.join(lib.DRGN_020, CONTRIB)
THIS = os.path.abspath(__file__)
TIMEOUT = 900


def last_line(text):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return lines[-1].strip() if lines else "(no stderr)"


def script_path(name):
    return os.path.join(CONTRIB_DIR, name + ".py")


def probe(d):
    """Arguments read from the dump with drgn 0.0.22: a struct file * of pid 1 and a
    mapped user address of pid 1; plus truth.json's sleeping thread and slab tag."""
    rc, out, err = lib.run("drgn", ["-c", PROBE, d["path"]] + d["debug"], timeout=TIMEOUT)
    if rc != 0:
        raise RuntimeError(f"probe failed on {d['name']}: {last_line(err)}")
    info = json.loads(out)
    truth = {}
    if d.get("truth") and os.path.exists(d["truth"]):
        with open(d["truth"]) as f:
            truth = json.load(f)
    threads = truth.get("thread") or []
    info["thread_pid"] = threads[0]["pid"] if threads else 1
    objs = [o for o in truth.get("obj") or [] if not o.get("freed")]
    # A live slab object's tag string: found in kernel memory, and identified as a slab object.
    info["needle"] = objs[0]["tag"] if objs else "KDIVE_MARKER begin"
    return info


def run_batch(engine, d, case_list):
    spec = {"core": d["path"], "debug": d["debug"],
            "cases": [(cid, script_path(s), a) for cid, s, a in case_list]}
    rc, out, err = lib.run(engine, [THIS, "--batch", json.dumps(spec)], timeout=TIMEOUT)
    if rc != 0:
        return None, last_line(err)
    return {k: tuple(v) for k, v in json.loads(out).items()}, None


def drgn_cli(d, script, args):
    argv = ["/usr/bin/drgn", "-q", "-c", d["path"]]
    for s in d["debug"]:
        argv += ["-s", s]
    p = subprocess.run(argv + [script_path(script)] + args, env=lib.engine_env("drgn"),
                       capture_output=True, text=True, timeout=TIMEOUT)
    return p.returncode, p.stdout, p.stderr


def kdive_cli(d, script, args):
    argv = [KDIVE, "-c", d["path"]]
    for s in d["debug"]:
        argv += ["-s", s]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["KDIVE_PYTHON_BUILD_DIR"] = lib.BUILD_PY
    p = subprocess.run(argv + [script_path(script)] + args, env=env, capture_output=True,
                       text=True, timeout=TIMEOUT)
    return p.returncode, p.stdout, p.stderr


SEMANTICS = r"""
import os, sys
import drgn
print("name", __name__)
print("argv", sys.argv[1:])
print("path0", sys.path[0] == os.path.dirname(os.path.abspath(__file__)))
print("prog", isinstance(prog, drgn.Program), drgn.get_default_prog() is prog)
print("comm", prog["init_task"].comm.string_().decode())
if sys.argv[1:2] == ["raise"]:
    raise ValueError("from the script")
if sys.argv[1:2] == ["exit"]:
    sys.exit(int(sys.argv[2]))
"""


def cli_semantics(F, d, tmp):
    """The kdive CLI runs a Python script as drgn's CLI does (prog, default program,
    sys.argv, sys.path[0], __name__, exit status), and says plainly what is wrong."""
    script = os.path.join(tmp, "semantics.py")
    with open(script, "w") as f:
        f.write(SEMANTICS)
    base = [KDIVE, "-c", d["path"]] + [x for s in d["debug"] for x in ("-s", s)]
    env = dict(os.environ, KDIVE_PYTHON_BUILD_DIR=lib.BUILD_PY)

    def run(argv):
        p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=TIMEOUT)
        return p.returncode, p.stdout, p.stderr

    rc, out, err = run(base + [script, "-c", "x", "--pid", "2"])
    want = ("name __main__\nargv ['-c', 'x', '--pid', '2']\npath0 True\nprog True True\n"
            "comm swapper/0\n")
    F.check(rc == 0 and out == want, "cli: script globals, argv (options after the script are its own)",
            f"  exit {rc}\n{lib.diff(want, out, 'want', 'kdive')}{err[-1500:]}")
    rc, out, err = run(base + [script, "raise"])
    F.check(rc == 1 and "ValueError: from the script" in err and "semantics.py" in err
            and "runpy" not in err, "cli: an uncaught exception prints the script's traceback, exit 1",
            f"  exit {rc}\n{err[-1500:]}")
    rc, out, err = run(base + [script, "exit", "3"])
    F.check(rc == 3, "cli: SystemExit's status is kdive's", f"  exit {rc}\n{err[-800:]}")
    rc, out, err = run(base + [os.path.join(tmp, "missing.py")])
    F.check(rc == 2 and "cannot read script" in err, "cli: a missing script is a usage error",
            f"  exit {rc}\n{err[-800:]}")
    bad = os.path.join(tmp, "bad.core")
    with open(bad, "wb") as f:
        f.write(b"\x7fELF" + b"\0" * 60)
    rc, out, err = run([KDIVE, "-c", bad, "-s", d["vmlinux"], script])
    F.check(rc == 1 and "cannot open" in err and "Traceback" not in err,
            "cli: a bad dump is a one-line error, exit 1", f"  exit {rc}\n{err[-800:]}")
    rc, out, err = run(base + ["-e", "1", script])
    F.check(rc == 2, "cli: -e with a Python script is a usage error", f"  exit {rc}\n{err[-800:]}")
    p = subprocess.run(base + ["--python"], env=env, input="1 + 1\nprog['init_task'].pid\n%help\n",
                       capture_output=True, text=True, timeout=TIMEOUT)
    F.check(p.returncode == 0 and "2\n" in p.stdout and "(pid_t)0" in p.stdout and "py CODE" in p.stdout,
            "cli: --python console (displayhook, %CMD runs a kdive command)",
            f"  exit {p.returncode}\n{p.stdout[-1500:]}\n{p.stderr[-1500:]}")
    p = subprocess.run(base, env=env, input="py print(prog['init_task'].comm)\npy x = 6 * 7\npy x\n",
                       capture_output=True, text=True, timeout=TIMEOUT)
    F.check(p.returncode == 0 and 'swapper/0' in p.stdout and "42\n" in p.stdout,
            "cli: `py` in kdive's command language (one Python session: x stays bound)", f"  exit {p.returncode}\n{p.stdout[-1500:]}\n{p.stderr[-1500:]}")


class Report:
    """Per case: how many dumps matched, and the distinct reasons of the others."""

    def __init__(self):
        self.rows = {}

    def add(self, case_id, outcome, reason=""):
        row = self.rows.setdefault(case_id, {"match": 0, "fail": 0, "reasons": {}})
        row[outcome] += 1
        if reason:
            row["reasons"][reason] = row["reasons"].get(reason, 0) + 1

    def print(self):
        print("\n== contrib scripts under kdive: per case ==")
        for case_id in sorted(self.rows):
            r = self.rows[case_id]
            print(f"{case_id:24} {r['match']} ok, {r['fail']} failed")
            for reason, n in sorted(r["reasons"].items(), key=lambda x: -x[1])[:4]:
                print(f"    {n}x {reason[:200]}")


def compare(F, report, d, case_id, script, kdive_res, ref_name, ref_res):
    rc, out, err = kdive_res
    where = f"{d['name']}: {case_id}"
    plausible = re.search(PLAUSIBLE[script], out, re.M) is not None
    reasons = []
    if rc != 0 and (ref_res is None or ref_res[0] == 0):
        reasons.append(f"kdive exit {rc}: {last_line(err)}")
    if ref_res is not None:
        rrc, rout, _ = ref_res
        if (rrc, rout) != (rc, out):
            reasons.append(f"differs from {ref_name}" + (f" (exit {rrc} vs kdive {rc})" if rrc != rc else ""))
    if not plausible and (ref_res is None or re.search(PLAUSIBLE[script], ref_res[1], re.M)):
        reasons.append("kdive output not plausible" + (f": {last_line(err)}" if rc else ""))
    detail = ""
    if ref_res is not None and ref_res[1] != out:
        detail = lib.diff(ref_res[1], out, ref_name, "kdive")[:3000]
    if rc != 0:
        detail += "  kdive stderr: " + err[-1500:]
    F.check(not reasons, where + ": " + "; ".join(reasons), detail)
    report.add(case_id, "fail" if reasons else "match", "; ".join(reasons))


def main():
    F = lib.Failures()
    report = Report()
    if not os.access(KDIVE, os.X_OK):
        print(f"FAIL no kdive binary at {KDIVE} (set KDIVE_BINARY)")
        sys.exit(1)
    formats = [f for f in os.environ.get("KDIVE_CONTRIB_FORMATS", "").split(",") if f]
    dumps = [d for d in lib.dumps() if not formats or d["format"] in formats]
    jobs = int(os.environ.get("KDIVE_TEST_JOBS", "2"))
    drgn_can = {s for s in PLAUSIBLE if s not in DRGN_022_CANNOT}
    notes = []
    if dumps:
        with tempfile.TemporaryDirectory() as tmp:
            cli_semantics(F, dumps[0], tmp)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for n, d in enumerate(dumps):
            try:
                info = probe(d)
            except Exception as e:
                F.check(False, f"{d['name']}: probe", str(e))
                continue
            case_list = cases(info)
            print(f"-- {d['name']}: {len(case_list)} cases", flush=True)
            kdive_futures = {cid: pool.submit(kdive_cli, d, s, a) for cid, s, a in case_list}
            ref022 = [c for c in case_list if c[1] in drgn_can]
            refpkg = [c for c in case_list if c[1] not in drgn_can]
            f022 = pool.submit(run_batch, "drgn", d, ref022 if n else case_list)
            fpkg = pool.submit(run_batch, "drgn-pkg", d, refpkg)
            res022, err022 = f022.result()
            respkg, errpkg = fpkg.result()
            if err022:
                F.check(False, f"{d['name']}: drgn 0.0.22 batch", err022)
            if errpkg:
                notes.append(f"{d['name']}: drgn-pkg (drgn 0.2.0's package over kdive's _drgn) "
                             f"cannot open the dump: {errpkg}")
            if n == 0:
                # Confirm DRGN_022_CANNOT on the first dump, and that the batch equals drgn's CLI.
                for cid, s, a in case_list:
                    r = (res022 or {}).get(cid)
                    if s in DRGN_022_CANNOT and r is not None:
                        if r[0] == 0 and re.search(PLAUSIBLE[s], r[1], re.M):
                            print(f"note: drgn 0.0.22 runs {cid} after all; DRGN_022_CANNOT is stale")
                        else:
                            notes.append(f"drgn 0.0.22 cannot run {cid}: {DRGN_022_CANNOT[s]} "
                                         f"({last_line(r[2])})")
                    if s in drgn_can and r is not None:
                        cli = drgn_cli(d, s, a)
                        F.check(cli[:2] == r[:2], f"{d['name']}: {cid}: /usr/bin/drgn equals the batch run",
                                lib.diff(cli[1], r[1], "drgn CLI", "batch")[:2000])
            for cid, s, a in case_list:
                kres = kdive_futures[cid].result()
                if s in drgn_can:
                    ref = (res022 or {}).get(cid)
                    compare(F, report, d, cid, s, kres, "drgn 0.0.22", ref)
                else:
                    ref = (respkg or {}).get(cid)
                    usable = ref is not None and not (ref[0] != 0 and not ref[1])
                    if not usable and ref is not None:
                        notes.append(f"{d['name']}: drgn-pkg cannot run {cid}: {last_line(ref[2])}")
                    compare(F, report, d, cid, s, kres, "drgn-pkg", ref if usable else None)
    seen = set()
    for note in notes:
        key = re.sub(r"^kernel-\S+: ", "", note)
        if key not in seen:
            seen.add(key)
            print("note:", note)
    report.print()
    F.finish()


if __name__ == "__main__":
    main()
