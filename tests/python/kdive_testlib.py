# Shared by the Python tests (tests/python/test_*.py): the fixture dumps drgn opens, and
# a runner that executes one Python program under each engine so their stdout can be
# compared:
#   "drgn"     Debian's python3-drgn 0.0.22 (/usr/bin/python3, no PYTHONPATH)
#   "kdive"    kdive's `drgn` package (python/) over kdive's `_drgn` (build/python)
#   "drgn-pkg" drgn 0.2.0's pure-Python package (../shared/corpora) over kdive's `_drgn`
#   "drgn-022-pkg" Debian's drgn 0.0.22 pure-Python package over kdive's `_drgn`
# CTest sets KDIVE_PYTHON_BUILD_DIR and KDIVE_SOURCE_DIR (tests/CMakeLists.txt).
import difflib
import os
import re
import socket
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("KDIVE_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SRC, "tests"))
import fixture_manifest  # noqa: E402

PYTHON = "/usr/bin/python3"
BUILD_PY = os.environ.get("KDIVE_PYTHON_BUILD_DIR") or os.path.join(SRC, "build", "release", "python")
SHARED = os.environ.get("KDIVE_SHARED_DIR") or os.path.join(SRC, "..", "shared")
DRGN_020 = os.path.join(SHARED, "corpora", "drgn-0.2.0")
DEBIAN_DIST_PACKAGES = "/usr/lib/python3/dist-packages"  # python3-drgn 0.0.22


def engine_env(engine):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if engine == "kdive":
        env["PYTHONPATH"] = BUILD_PY + os.pathsep + os.path.join(SRC, "python")
    elif engine == "drgn-pkg":
        env["PYTHONPATH"] = BUILD_PY + os.pathsep + DRGN_020
    elif engine == "drgn-022-pkg":
        env["PYTHONPATH"] = BUILD_PY + os.pathsep + DEBIAN_DIST_PACKAGES
    elif engine == "drgn":
        env.pop("LD_PRELOAD", None)  # the sanitizer runtime is for kdive's module only
    else:
        raise ValueError(engine)
    return env


def run(engine, argv, timeout=900, extra_env=None):
    """(exit status, stdout, stderr) of `python3 ARGV...` under `engine`, with
    `extra_env` added to its environment."""
    env = engine_env(engine)
    env.update(extra_env or {})
    p = subprocess.run([PYTHON] + argv, env=env, capture_output=True,
                       text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def dumps(scenario=None, drgn=True, every_format=None):
    """Kernel dumps under test (those drgn 0.0.22 opens when `drgn`), with "debug" = the
    vmlinux and module debug files to load. Python-level behaviour does not depend on the
    dump's file format (the engine's readers are tested format by format elsewhere), so
    by default one dump per kernel and scenario: the first the manifest lists.
    KDIVE_PYTHON_EVERY_FORMAT=1 (or every_format=True) takes every format."""
    if every_format is None:
        every_format = os.environ.get("KDIVE_PYTHON_EVERY_FORMAT") == "1"
    out = fixture_manifest.kernel_dumps(drgn=drgn, scenario=scenario)
    if not every_format:
        seen = set()
        out = [d for d in out if (d["kernel_name"], d["scenario"]) not in seen
               and not seen.add((d["kernel_name"], d["scenario"]))]
    for d in out:
        d["debug"] = [d["vmlinux"]] + list(d.get("modules") or [])
    return out


def known_labels(section):
    """{label: kernels or None (all)} from the bullets "- `label` (kernels: 5.10, 6.1-rt):
    why" of tests/diff/KNOWN_DIFFERENCES.md's section whose heading starts "## SECTION"."""
    out = {}
    try:
        text = open(os.path.join(SRC, "tests", "diff", "KNOWN_DIFFERENCES.md")).read()
    except OSError:
        return out
    m = re.search(rf"^## {re.escape(section)}.*?(?=^## |\Z)", text, re.M | re.S)
    if not m:
        return out
    for line in m.group(0).splitlines():
        b = re.match(r"- `([^`]+)`(?: \(kernels: ([^)]*)\))?", line)
        if b:
            out[b.group(1)] = None if not b.group(2) else {k.strip() for k in b.group(2).split(",")}
    return out


def diff(a, b, name_a, name_b):
    return "".join(difflib.unified_diff(a.splitlines(True), b.splitlines(True), name_a, name_b))


class Failures:
    """Collects failures; `finish()` prints them and exits 1 if any, else prints `ok`."""

    def __init__(self):
        self.failed = []
        self.checked = 0

    def check(self, ok, what, detail=""):
        self.checked += 1
        if not ok:
            self.failed.append(what)
            print(f"FAIL {what}\n{detail}", flush=True)

    def finish(self):
        if self.checked == 0:
            print("FAIL nothing was checked (no fixture dump?)")
            sys.exit(1)
        if self.failed:
            print(f"{len(self.failed)} of {self.checked} checks failed")
            sys.exit(1)
        print(f"ok: {self.checked} checks")


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago, for a server a test starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
