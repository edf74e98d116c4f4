#!/usr/bin/env python3
# Progress lines of the kdive CLI (issue 13): on every fixture kernel, with stderr on a
# pseudo-terminal and KDIVE_PROGRESS_DELAY_MS=0 (so that steps that are fast here still
# show their line), a cold open shows "kdive: indexing DWARF of vmlinux: 0/N units (0%)"
# and erases it before the answer; -q, a stderr that is not a terminal, and a warm index
# cache show no vmlinux line; `bt --all` and `slabinfo -x` show theirs only when stdout is not
# the terminal (their output is the progress otherwise). The answers are the same with
# and without progress.
import os
import pty
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kdive_testlib as lib  # noqa: E402

KDIVE = os.environ.get("KDIVE_BINARY") or os.path.join(lib.SRC, "build", "release", "kdive")
fail = lib.Failures()
ERASE = "\r\x1b[K"
# Modules' DWARF is small, indexed at every open (never cached) and, with the delay at 0
# here, shows its own line each time: taken out where a check is about something else.
MODULE_LINES = re.compile(r"(\rkdive: indexing DWARF of [^/\r]*\.ko: [^\r]*\x1b\[K)+\r\x1b\[K")


def without_module_lines(text):
    return MODULE_LINES.sub("", text)


def run(argv, env, stdout_tty, stderr_tty=True):
    """(exit status, stdout text, stderr text); a terminal end is a pty whose master is
    read to its end. When both are terminals they share one pty, and its text is
    returned as stderr."""
    master = slave = None
    if stdout_tty or stderr_tty:
        master, slave = pty.openpty()
    out_f = tempfile.TemporaryFile()
    err_f = tempfile.TemporaryFile()
    p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                         stdout=slave if stdout_tty else out_f,
                         stderr=slave if stderr_tty else err_f)
    tty_text = b""
    if slave is not None:
        os.close(slave)
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: every slave end closed
                break
            if not chunk:
                break
            tty_text += chunk
        os.close(master)
    rc = p.wait(timeout=600)
    out_f.seek(0)
    err_f.seek(0)
    out = out_f.read().decode(errors="replace")
    err = err_f.read().decode(errors="replace")
    tty_text = tty_text.decode(errors="replace").replace("\r\n", "\n")
    if stdout_tty:
        out = tty_text
    if stderr_tty:
        err = tty_text
    return rc, out, err


def main():
    if not os.access(KDIVE, os.X_OK):
        print(f"FAIL no kdive binary at {KDIVE} (set KDIVE_BINARY)")
        sys.exit(1)
    for dump in lib.dumps(scenario="sysrq", drgn=False):
        name = dump["name"]
        base = [KDIVE, "-c", dump["path"]] + [a for f in dump["debug"] for a in ("-s", f)]
        with tempfile.TemporaryDirectory(prefix="kdive-progress-") as cache:
            env = dict(os.environ, KDIVE_INDEX_CACHE=cache, KDIVE_PROGRESS_DELAY_MS="0")
            # Reference answer: no terminal anywhere, no progress possible.
            rc0, want, err0 = run(base + ["-e", "init_task.comm"], dict(env, KDIVE_INDEX_CACHE="off"),
                                  stdout_tty=False, stderr_tty=False)
            fail.check(rc0 == 0 and "swapper" in want and "indexing" not in err0,
                       f"{name}: answer without a terminal", want + err0)
            # 1. Cold, stderr and stdout on the terminal: the line, erased, then the answer.
            rc, _, tty = run(base + ["-e", "init_task.comm"], env, stdout_tty=True)
            m = re.match(r"\rkdive: indexing DWARF of vmlinux: 0/(\d+) units \(0%\)\x1b\[K", tty)
            fail.check(rc == 0 and m is not None, f"{name}: cold open shows the indexing line", repr(tty[:300]))
            lines = re.findall(r"\rkdive: indexing DWARF of vmlinux: (\d+)/(\d+) units \((\d+)%\)\x1b\[K", tty)
            fail.check(all(int(d) <= int(t) and int(p) == int(d) * 100 // int(t) for d, t, p in lines),
                       f"{name}: counts and percentages agree", repr(lines[:20]))
            fail.check(ERASE in tty and tty.rsplit(ERASE, 1)[1] == want,
                       f"{name}: the line is erased before the answer", repr(tty[-300:]))
            # 2. Warm cache: nothing is indexed, nothing is shown.
            rc, _, tty = run(base + ["-e", "init_task.comm"], env, stdout_tty=True)
            fail.check(rc == 0 and without_module_lines(tty) == want, f"{name}: warm open shows no vmlinux line",
                       repr(tty[:300]))
            cold = dict(env, KDIVE_INDEX_CACHE="off")
            # 3. -q, and a stderr that is a file: no line.
            rc, _, tty = run(base + ["-q", "-e", "init_task.comm"], cold, stdout_tty=True)
            fail.check(rc == 0 and tty == want, f"{name}: -q shows no line", repr(tty[:300]))
            rc, out, err = run(base + ["-e", "init_task.comm"], cold, stdout_tty=True, stderr_tty=False)
            fail.check(rc == 0 and err == "" and out == want, f"{name}: no line when stderr is not a terminal",
                       repr(err[:300]))
            # 4. Printing steps: a line for bt --all / slabinfo -x only when stdout is a file.
            for cmd, what, unit in ((["bt", "--all"], "stack traces", "tasks"),
                                    (["slabinfo", "-x"], "walking every slab", "caches")):
                label = " ".join(cmd)
                rc, out, err = run(base + cmd, env, stdout_tty=False)
                m = re.search(rf"\rkdive: {what}: 0/(\d+) {unit} \(0%\)\x1b\[K", err)
                fail.check(rc == 0 and m is not None and err.endswith(ERASE),
                           f"{name}: {label} > file shows its line", repr(err[:300]))
                if cmd[0] == "bt" and m:
                    fail.check(int(m.group(1)) == out.count("PID: "), f"{name}: bt --all counts every task",
                               f"{m.group(1)} vs {out.count('PID: ')}")
                rc2, out2, _ = run(base + ["-q"] + cmd, env, stdout_tty=False, stderr_tty=False)
                fail.check(rc2 == 0 and out2 == out, f"{name}: {label} prints the same with and without progress")
                rc, _, tty = run(base + cmd, env, stdout_tty=True)
                tty = without_module_lines(tty)
                fail.check(rc == 0 and f"kdive: {what}:" not in tty and tty.replace("\n", "") == out.replace("\n", ""),
                           f"{name}: {label} on a terminal shows no line", repr(tty[:300]))
        print(f"{name}: checked", flush=True)
    fail.finish()


if __name__ == "__main__":
    main()
