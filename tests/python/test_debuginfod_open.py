#!/usr/bin/env python3
# Opening a dump with no debug files given (issue 15): kdive asks the debuginfod server
# in DEBUGINFOD_URLS for vmlinux and the loaded modules by build ID. A real `debuginfod`
# (Debian's package) is started here on 127.0.0.1, serving the fixture's debug files:
# - the first open downloads them and has DWARF (source lines in `bt`);
# - the second open, with the server stopped, finds them in the cache;
# - with an empty cache and the server down, kdive says why and falls back to the
#   dump's own kallsyms/BTF/ORC (no-debuginfo mode): `bt` still names every frame;
# - --no-debuginfod never asks.
# Run by CTest; KDIVE_BINARY is the kdive under test.
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kdive_testlib as lib  # noqa: E402

KDIVE = os.environ.get("KDIVE_BINARY") or os.path.join(lib.SRC, "build", "release", "kdive")
fail = lib.Failures()


def build_id(path):
    out = subprocess.run(["readelf", "-n", path], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if "Build ID:" in line:
            return line.split("Build ID:")[1].strip()
    return None


class Server:
    """debuginfod over a directory of symlinks to the fixture's debug files."""

    def __init__(self, files, work):
        self.dir = os.path.join(work, "files")
        os.makedirs(self.dir)
        for i, f in enumerate(files):
            os.symlink(f, os.path.join(self.dir, f"{i}-{os.path.basename(f)}"))
        self.port = lib.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(work, "debuginfod.log"), "w")
        self.proc = subprocess.Popen(
            ["debuginfod", "-F", "-L", "--disable-source-scan", "-p", str(self.port),
             "-d", os.path.join(work, "db.sqlite"), self.dir],
            stdout=self.log, stderr=subprocess.STDOUT)

    def wait_indexed(self, ids, deadline_s=600):
        """Until every build ID answers 200, or the deadline: indexing a 600 MB vmlinux
        takes seconds on an idle machine, longer on a busy one. debuginfod answers GET
        only; the connection is closed once the status is in, before the body."""
        end = time.monotonic() + deadline_s
        pending = set(ids)
        while pending and time.monotonic() < end:
            for i in list(pending):
                try:
                    req = urllib.request.Request(f"{self.url}/buildid/{i}/debuginfo")
                    with urllib.request.urlopen(req, timeout=10) as r:
                        if r.status == 200:
                            pending.discard(i)
                except Exception:
                    pass
            if pending:
                time.sleep(0.5)
        return not pending

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def kdive(dump, env, *argv):
    # No -s: the vmlinux comes from debuginfod (the fixture's is not where kdive looks).
    p = subprocess.run([KDIVE, "-c", dump["path"]] + list(argv), capture_output=True, text=True,
                       timeout=900, env=env)
    return p.returncode, p.stdout, p.stderr


def main():
    if not os.access(KDIVE, os.X_OK):
        print(f"FAIL no kdive binary at {KDIVE} (set KDIVE_BINARY)")
        sys.exit(1)
    if not shutil.which("debuginfod"):
        print("FAIL debuginfod is not installed (scripts/setup-deps.sh installs it)")
        sys.exit(1)
    for dump in lib.dumps(scenario="sysrq", drgn=False):
        files = [dump["vmlinux"]] + [m for m in dump.get("modules") or [] if m.endswith("kdive_fixture.ko")]
        ids = [build_id(f) for f in files]
        name = dump["name"]
        with tempfile.TemporaryDirectory(prefix="kdive-dfd-") as work:
            server = Server(files, work)
            try:
                fail.check(server.wait_indexed(ids), f"{name}: debuginfod indexed the fixture files",
                           open(os.path.join(work, "debuginfod.log")).read()[-2000:])
                env = {k: v for k, v in os.environ.items() if not k.startswith("DEBUGINFOD_")}
                env.update(DEBUGINFOD_URLS=server.url, DEBUGINFOD_CACHE_PATH=os.path.join(work, "cache"))
                cache = os.path.join(work, "cache")
                # 1. First open: downloads vmlinux and the module; DWARF gives lines.
                rc, out, err = kdive(dump, env, "bt", "--all")
                fail.check(rc == 0 and ".c:" in out, f"{name}: first open downloads and has DWARF", err[-2000:])
                for i in ids:
                    fail.check(os.path.isfile(os.path.join(cache, i, "debuginfo")), f"{name}: {i} in the cache")
                rc, info, _ = kdive(dump, env, "info")
                fail.check(os.path.join(cache, ids[0], "debuginfo") in info, f"{name}: info names the cached vmlinux",
                           info[-2000:])
                fail.check("kdive_fixture" in info and os.path.join(cache, ids[1], "debuginfo") in info,
                           f"{name}: info names the cached module", info[-2000:])
                server.stop()
                # 2. Server gone: the cache answers; the same stacks.
                rc2, out2, err2 = kdive(dump, env, "bt", "--all")
                fail.check(rc2 == 0 and out2 == out, f"{name}: second open from the cache, same output",
                           lib.diff(out, out2, "first", "cached")[:3000] + err2[-1000:])
                # 3. Nothing cached, server down: the reason, then the dump's own debug info.
                shutil.rmtree(cache)
                rc3, out3, err3 = kdive(dump, env, "bt")
                refused = "no kallsyms in VMCOREINFO" in err3
                fail.check("debuginfod" in err3 and ("Connection refused" in err3 or "cannot connect" in err3),
                           f"{name}: server down is said", err3[-2000:])
                if refused:  # < 6.0: nothing in the dump can stand in
                    fail.check(rc3 != 0, f"{name}: refuses without kallsyms", err3[-1000:])
                else:
                    fail.check(rc3 == 0 and "using the dump's kallsyms" in err3 and "+0x" in out3,
                               f"{name}: falls back to the dump's symbols", out3[-1000:] + err3[-2000:])
                # 4. --no-debuginfod: not even asked.
                rc4, _, err4 = kdive(dump, env, "--no-debuginfod", "info")
                fail.check(server.url not in err4 and "cannot connect" not in err4,
                           f"{name}: --no-debuginfod does not ask", err4[-1000:])
            finally:
                server.stop()
        print(f"{name}: checked", flush=True)
    fail.finish()


if __name__ == "__main__":
    main()
