#!/usr/bin/env python3
# `kdive triage --fleet` on a real Dask cluster: a scheduler and two workers started here
# on 127.0.0.1, every fixture dump of the kernels under test plus one broken dump. While
# the run goes on, one worker is killed (SIGKILL): nothing may be lost. Checked: every
# dump triaged into the SQLite database, the broken one recorded as failed with kdive's
# reason, one signature per crash — the module's NULL dereference (oops and real-kdump
# boots, KASLR on, every format) apart from the sysrq crash (KASLR off) on each kernel,
# no group mixing the two — and a second run that triages nothing (content hashes).
# Run by CTest; KDIVE_BINARY is the kdive under test.
import json
import os
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kdive_testlib as lib  # noqa: E402

KDIVE = os.environ.get("KDIVE_BINARY") or os.path.join(lib.SRC, "build", "release", "kdive")
fail = lib.Failures()


def elf_headers_end(f):
    """Where an ELF64 core's program headers and PT_NOTE segments end. More than 65534
    program headers (PN_XNUM: a QEMU paging dump) keep their count in section 0's sh_info."""
    f.seek(0)
    eh = f.read(64)
    phoff, shoff = struct.unpack_from("<QQ", eh, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", eh, 0x36)
    end = 64
    if phnum == 0xFFFF:
        f.seek(shoff)
        phnum = struct.unpack_from("<I", f.read(64), 0x2C)[0]
        end = max(end, shoff + 64)
    f.seek(phoff)
    table = f.read(phnum * phentsize)
    end = max(end, phoff + len(table))
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", table, i * phentsize)
        if p_type == 4:  # PT_NOTE
            end = max(end, p_offset + p_filesz)
    return end


def ok_rows(db):
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as c:
            return c.execute("SELECT COUNT(*) FROM dumps WHERE status = 'ok'").fetchone()[0]
    except sqlite3.Error:
        return 0


def main():
    from distributed import Client

    dumps = lib.dumps(drgn=False, every_format=True)
    if not dumps:
        print("no kernel dumps in the fixture manifest")
        return 1
    tmp = tempfile.mkdtemp(prefix="kdive-fleet-")
    # Two damaged copies of an ELF dump: cut inside its headers (kdive refuses it: a
    # failed row), and cut 64 KiB after its headers and notes (kdive opens it, and every
    # section that reads memory says why it cannot: a report of its own).
    broken = os.path.join(tmp, "broken.vmcore")
    truncated = os.path.join(tmp, "truncated.vmcore")
    first_elf = next(d["path"] for d in dumps if d["format"] == "elf-paging")
    with open(first_elf, "rb") as f:
        with open(broken, "wb") as out:
            out.write(f.read(100))
        end = elf_headers_end(f)
        f.seek(0)
        with open(truncated, "wb") as out:
            out.write(f.read(end + (1 << 16)))
    listing = os.path.join(tmp, "dumps.txt")
    with open(listing, "w") as f:
        f.write("# DUMP [kdive options]\n")
        for d in dumps:
            f.write(" ".join([d["path"]] + [w for x in d["debug"] for w in ("-s", x)]) + "\n")
        vmlinux = next(d["vmlinux"] for d in dumps if d["path"] == first_elf)
        f.write(f"{broken} -s {vmlinux}\n{truncated} -s {vmlinux}\n")
    db = os.path.join(tmp, "triage.db")

    # The fleet driver is kdive's Python (its package imports `_drgn`: in a sanitizer
    # build it needs CTest's LD_PRELOAD); Dask's own processes do not.
    fleet_env = {k: v for k, v in os.environ.items() if k != "DEBUGINFOD_URLS"}
    env = {k: v for k, v in fleet_env.items() if k != "LD_PRELOAD"}
    port = lib.free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = open(os.path.join(tmp, "dask.log"), "w")
    procs = [subprocess.Popen(["dask-scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              env=env, stdout=logs, stderr=subprocess.STDOUT)]
    try:
        workers = [subprocess.Popen(["dask-worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                                     "--name", f"w{i}"], env=env, stdout=logs, stderr=subprocess.STDOUT)
                   for i in range(2)]
        procs += workers
        with Client(address, timeout=60) as c:
            c.wait_for_workers(2, timeout=120)

        fleet = subprocess.Popen([KDIVE, "triage", "--fleet", listing, "--scheduler", address, "--db", db, "--json",
                                  "-q"], env=fleet_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Kill one worker once two dumps are in: its running task must be run again.
        deadline = time.monotonic() + 600
        while ok_rows(db) < 2 and fleet.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        rows_at_kill = ok_rows(db)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait()
        out, err = fleet.communicate(timeout=1800)
        fail.check(fleet.returncode == 0, f"fleet run exit {fleet.returncode}: {err[-2000:]}")
        fail.check(rows_at_kill < len(dumps), f"the worker was killed after the run ({rows_at_kill} dumps done)")
        if fleet.returncode != 0:
            fail.finish()  # nothing else to check (the finally block stops the cluster)
        summary = json.loads(out)
        fail.check(summary.get("triaged") == len(dumps) + 2 and summary.get("failed") == 1,
                   f"triaged {summary.get('triaged')} failed {summary.get('failed')} of {len(dumps) + 2}")
        failures = summary.get("failures", [])
        fail.check(len(failures) == 1 and failures[0]["path"] == broken and
                   failures[0]["reason"].startswith(f"kdive: BadDataError: {broken}: "), f"failures {failures}")

        with sqlite3.connect(db) as c:
            rows = c.execute("SELECT path, status, signature, report FROM dumps").fetchall()
        by_path = {r[0]: r for r in rows}
        t = by_path.get(truncated)
        t_report = json.loads(t[3]) if t and t[3] else {}
        fail.check(t is not None and t[1] == "ok" and not t_report["crash"]["found"] and
                   any("truncated dump" in p["why"] for p in t_report["problems"]), f"truncated dump: {t}")
        groups = {}  # signature -> crash kinds
        per_kernel = {}  # (kernel, kind) -> signatures
        for d in dumps:
            r = by_path.get(os.path.abspath(d["path"]))
            fail.check(r is not None and r[1] == "ok", f"{d['name']}: {r}")
            if r is None or r[1] != "ok":
                continue
            kind = "sysrq" if d["scenario"] == "sysrq" else "module-oops"
            groups.setdefault(r[2], set()).add(kind)
            per_kernel.setdefault((d["kernel_name"], kind), set()).add(r[2])
        for sig, kinds in groups.items():
            fail.check(len(kinds) == 1, f"signature {sig} groups {sorted(kinds)}")
        for (kernel, kind), sigs in per_kernel.items():
            fail.check(len(sigs) == 1, f"{kernel} {kind}: {len(sigs)} signatures {sorted(sigs)}")
        # The truncated dump's report is a group of its own.
        fail.check(t is not None and t[2] not in groups, "the truncated dump shares a signature")
        fail.check(len(summary.get("groups", [])) == len(groups) + 1, f"{len(summary.get('groups', []))} groups")

        # A second run finds every dump in the database.
        p = subprocess.run([KDIVE, "triage", "--fleet", listing, "--scheduler", address, "--db", db, "--json", "-q"],
                           env=fleet_env, capture_output=True, text=True, timeout=600)
        again = json.loads(p.stdout) if p.returncode == 0 else {}
        fail.check(again.get("triaged") == 0 and again.get("skipped") == len(dumps) + 2,
                   f"second run: exit {p.returncode} {again.get('triaged')} triaged {again.get('skipped')} skipped")
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        logs.close()
    print(f"{len(dumps) + 2} dumps, {len(groups)} signatures")
    fail.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())
