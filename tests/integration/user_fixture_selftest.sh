#!/usr/bin/env bash
# Self-test of the user-space core-dump fixtures (scripts/fixtures/user/build.sh): every
# core in user-manifest.json exists with the recorded size, is an ELF core (ET_CORE),
# and gdb loads it and shows what truth.json says: the crash signal (and fault address),
# the crashed thread, every thread, and each thread's named functions in order. A
# broken fixture fails here, with what is wrong, instead of failing kdive's tests.
set -euo pipefail

FIXTURES=${KDIVE_FIXTURES:-$HOME/.cache/kdive/fixtures}
MANIFEST=$FIXTURES/user-manifest.json
[ -f "$MANIFEST" ] || {
  echo "FAIL: $MANIFEST missing: run scripts/fixtures/user/build.sh" >&2
  exit 1
}
command -v gdb >/dev/null || { echo "FAIL: gdb not installed (scripts/setup-deps.sh)" >&2; exit 1; }

exec python3 - "$MANIFEST" <<'PY'
import json
import os
import re
import subprocess
import sys

manifest = json.load(open(sys.argv[1]))
failures = []


def fail(core, msg):
    failures.append(f"{core}: {msg}")


def gdb_view(exe, core, crash_is_segv):
    cmds = ["set debuginfod enabled off", "set pagination off", "set width 0", "set height 0"]
    args = ["gdb", "-batch", "-nx"]
    for c in cmds:
        args += ["-iex", c]
    args += ["-ex", "echo @@CURRENT\\n", "-ex", "info threads",
             "-ex", "echo @@BT\\n", "-ex", "thread apply all bt"]
    if crash_is_segv:
        args += ["-ex", "echo @@ADDR\\n", "-ex", "thread 1", "-ex", "print/d (long)$_siginfo._sifields._sigfault.si_addr"]
    args += [exe, core]
    p = subprocess.run(args, capture_output=True, text=True, timeout=300)
    return p.stdout + p.stderr


def split_threads(bt_text):
    """{tid: [frame lines]} from `thread apply all bt` (kernel and gcore cores)."""
    threads, current = {}, None
    for line in bt_text.splitlines():
        m = re.match(r"Thread \d+ \(.*LWP (\d+)\)\)?:?\s*$", line)
        if m:
            current = int(m.group(1))
            threads[current] = []
        elif current is not None and re.match(r"#\d+\s", line):
            threads[current].append(line)
    return threads


cores = manifest.get("cores", [])
if not cores:
    failures.append("manifest lists no cores")
for c in cores:
    name = c["name"]
    core, exe = c["path"], c["executable"]
    if not os.path.isfile(core):
        fail(name, f"core {core} missing")
        continue
    if os.path.getsize(core) != c["size"]:
        fail(name, f"core is {os.path.getsize(core)} bytes, manifest says {c['size']} (truncated or replaced?)")
    with open(core, "rb") as f:
        head = f.read(18)
    if head[:4] != b"\x7fELF" or int.from_bytes(head[16:18], "little") != 4:
        fail(name, "not an ELF core file (magic or e_type != ET_CORE)")
        continue
    for key in ("executable", "truth"):
        if not os.path.isfile(c[key]):
            fail(name, f"{key} {c[key]} missing")
    if not os.path.isfile(c["truth"]) or not os.path.isfile(exe):
        continue
    for d in ("gdb_dir", "drgn_dir"):
        if not os.path.isfile(os.path.join(c[d], "status.json")):
            fail(name, f"reference output {c[d]}/status.json missing")
    truth = json.load(open(c["truth"]))
    crash = truth["crash"]
    segv = crash["signal_name"] == "SIGSEGV"
    out = gdb_view(exe, core, segv)

    if f"Program terminated with signal {crash['signal_name']}" not in out:
        fail(name, f"gdb does not report the crash signal {crash['signal_name']}")
    cur = re.search(r"^\*\s+\d+\s+.*LWP (\d+)", out, re.M)
    if not cur or int(cur.group(1)) != crash["tid"]:
        fail(name, f"gdb's current thread is {cur.group(1) if cur else '?'}, truth crashed tid is {crash['tid']}")
    if segv:
        m = re.search(r"@@ADDR\n(?:.*\n)*?\$\d+ = (-?\d+)", out)
        if not m or int(m.group(1)) != crash["fault_address"]:
            fail(name, f"si_addr {m.group(1) if m else '?'} != truth fault_address {crash['fault_address']}")

    bt = out.split("@@BT", 1)[-1]
    threads = split_threads(bt)
    if len(threads) != len(truth["threads"]):
        fail(name, f"gdb shows {len(threads)} threads, truth has {len(truth['threads'])}")
    for t in truth["threads"]:
        lines = threads.get(t["tid"])
        if lines is None:
            fail(name, f"thread {t['name']} (tid {t['tid']}) not in the core")
            continue
        # truth frames are innermost first: they must appear in that order.
        i = 0
        for fr in t["frames"]:
            needle = f" {fr['function']} ("
            while i < len(lines) and needle not in lines[i]:
                i += 1
            if i == len(lines):
                fail(name, f"thread {t['name']} (tid {t['tid']}): {fr['function']} not found (in order) in gdb's backtrace")
                break
            i += 1
    # gdb's values (saved by build.sh in gdb/threads.json) must equal what the program
    # recorded, or the truth is wrong. At -O2 values gdb reports as optimized out are
    # skipped; at -O0 every argument and local must be there.
    checked_values = 0
    gdb_threads_path = os.path.join(c["gdb_dir"], "threads.json")
    if os.path.isfile(gdb_threads_path):
        by_tid = {t["tid"]: t for t in json.load(open(gdb_threads_path))}
        for t in truth["threads"]:
            gframes = [f for f in by_tid.get(t["tid"], {}).get("frames", []) if not f["inline"]]
            for fr in t["frames"]:
                match = next((g for g in gframes if g["function"] == fr["function"]), None)
                if match is None:
                    fail(name, f"gdb/threads.json lacks {fr['function']} on thread {t['name']}")
                    continue
                gframes = gframes[gframes.index(match) + 1:]
                for kind in ("args", "locals"):
                    for var, want in fr[kind].items():
                        if isinstance(want, bool) or not isinstance(want, int):
                            continue
                        text = match.get(kind, {}).get(var, {}).get("text", "")
                        m = re.match(r"@?(-?\d+|0x[0-9a-f]+)(\s|$)", text)
                        got = int(m.group(1), 0) if m else None
                        gone = var not in match.get(kind, {}) or "optimized out" in text
                        if got is None and c["opt"] != "O0" and gone:
                            continue  # -O2 may drop a variable or its location
                        if got != want:
                            fail(name, f"{t['name']} {fr['function']} {var}: gdb shows {text!r}, truth {want}")
                        checked_values += 1
    print(f"{name}: {c['language']} -{c['opt']} {c['crash_mode']} {c['dump_method']} core, "
          f"{checked_values} values vs gdb, "
          f"{len(truth['threads'])} threads, {c['size']} bytes: checked")

if failures:
    print(f"user fixture self-test: {len(failures)} problem(s):", file=sys.stderr)
    for f in failures:
        print("FAIL: " + f, file=sys.stderr)
    sys.exit(1)
print(f"user fixture self-test: {len(cores)} cores OK")
PY
