#!/usr/bin/env python3
# `kdive triage --serve` and `kdive triage CORE --html` (python/kdive/triage_web.py) on a
# database the real fleet made: `kdive triage --fleet` on the module oops (two formats,
# and another kernel's), the sysrq crash and a damaged dump (a failed row). The server
# (--port 0, its URL read from its first line) is checked page by page against the
# database: every group with its exact count in count order, each group's dumps, each
# dump's report (title, crashed-stack functions, signature), the failed dump's reason,
# 404s. Headless Chromium renders `/` and a dump page: screenshots saved as test
# artefacts ($KDIVE_TEST_ARTEFACTS, else BUILD/test-artefacts) and the DOM it built.
# Run by CTest; KDIVE_BINARY is the kdive under test.
import html.parser
import json
import os
import queue
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kdive_testlib as lib  # noqa: E402

KDIVE = os.environ.get("KDIVE_BINARY") or os.path.join(lib.SRC, "build", "release", "kdive")
ARTEFACTS = os.environ.get("KDIVE_TEST_ARTEFACTS") or os.path.join(os.path.dirname(lib.BUILD_PY), "test-artefacts")
DEADLINE_S = 60  # for the server's URL line, one page, one Chromium run
fail = lib.Failures()


class PageContent(html.parser.HTMLParser):
    """A page's text, and the rows of its tables that have an id: (cell texts, links)."""

    def __init__(self, page):
        super().__init__()
        self.text_parts, self.tables, self.open_tables = [], {}, []
        self.external = []  # what would load something: scripts, styles, images, off-site links
        self.row = self.cell = None
        self.feed(page)
        self.text = words(" ".join(self.text_parts))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "link", "img", "iframe", "object", "embed") or "src" in attrs or \
                (tag == "a" and not (attrs.get("href") or "").startswith("/")):
            self.external.append((tag, attrs))
        if tag == "table":
            self.open_tables.append(attrs.get("id"))
            if attrs.get("id"):
                self.tables[attrs["id"]] = []
        elif self.open_tables and self.open_tables[-1] and len(self.open_tables) == 1:
            if tag == "tr":
                self.row = {"cells": [], "links": [], "header": True}
            elif tag in ("td", "th") and self.row is not None:
                self.cell = []
                self.row["header"] &= tag == "th"
            elif tag == "a" and self.row is not None:
                self.row["links"].append(attrs.get("href"))

    def handle_endtag(self, tag):
        if tag == "table" and self.open_tables:
            self.open_tables.pop()
        elif tag in ("td", "th") and self.cell is not None:
            self.row["cells"].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if not self.row["header"]:
                self.tables[self.open_tables[-1]].append(self.row)
            self.row = None

    def handle_data(self, data):
        self.text_parts.append(data)
        if self.cell is not None:
            self.cell.append(data)


def words(text):
    """`text` with every run of white space one blank, as a page's text is compared."""
    return " ".join(str(text).split())


def fetch(url):
    """(HTTP status, body) of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=DEADLINE_S) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def first_line(stream, deadline):
    """The first line `stream` gives before `deadline` (time.monotonic()), else None."""
    lines = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=max(0.0, deadline - time.monotonic())) or None
    except queue.Empty:
        return None


def pick_dumps():
    """Of one kernel (6.1 if tested): the module oops in two formats and the sysrq crash;
    of a second kernel, the module oops."""
    dumps = lib.dumps(drgn=False, every_format=True)
    kernels = sorted({d["kernel_name"] for d in dumps}, key=lambda k: (k != "6.1", k))
    if not kernels:
        return []
    main = [d for d in dumps if d["kernel_name"] == kernels[0]]
    oops = sorted((d for d in main if d["scenario"] == "oops"), key=lambda d: d["format"] != "elf-paging")
    picked = oops[:2] + [d for d in main if d["scenario"] == "sysrq"][:1]
    if len(kernels) > 1:
        picked += [d for d in dumps if d["kernel_name"] == kernels[1] and d["scenario"] == "oops"][:1]
    return picked


def expected_from_db(db):
    """The groups (count order, as the index must show them), every row by key."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        c.row_factory = sqlite3.Row
        rows = [dict(r) for r in c.execute("SELECT * FROM dumps ORDER BY path")]
    groups = {}
    for r in rows:
        if r["status"] == "ok":
            groups.setdefault(r["signature"], []).append(r)
    ordered = sorted(groups.items(), key=lambda g: (-len(g[1]), g[0]))
    return ordered, {r["key"]: r for r in rows}


def chromium(args, url, env, profile):
    """Headless Chromium on `url`: (exit status, stdout, stderr)."""
    exe = shutil.which("chromium-headless-shell")
    argv = [exe] if exe else [shutil.which("chromium") or "chromium", "--headless"]
    if os.geteuid() == 0:
        argv.append("--no-sandbox")  # Chromium's sandbox refuses to run as root
    argv += [f"--user-data-dir={profile}", "--hide-scrollbars"] + args + [url]
    p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=DEADLINE_S)
    return p.returncode, p.stdout, p.stderr


def check_screenshot(url, name, env, tmp):
    """A 1280x1600 PNG of `url`, saved as ARTEFACTS/NAME (written whole, then renamed)."""
    os.makedirs(ARTEFACTS, exist_ok=True)
    partial = os.path.join(tmp, name)
    rc, _, err = chromium([f"--screenshot={partial}", "--window-size=1280,1600"], url, env,
                          os.path.join(tmp, "chromium-" + name))
    data = open(partial, "rb").read() if os.path.exists(partial) else b""
    fail.check(rc == 0 and data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10 * 1024,
               f"screenshot of {url}: exit {rc}, {len(data)} bytes", err[-2000:])
    if data:
        path = os.path.join(ARTEFACTS, name)
        shutil.copyfile(partial, path + ".part")
        os.replace(path + ".part", path)
        print(f"screenshot: {path}")


def check_server_pages(base, groups, rows, tmp, browser_env):
    status, page = fetch(base)
    fail.check(status == 200, f"/: HTTP {status}")
    index = PageContent(page)
    want = [[sig or "", rs[0]["title"] or "", str(len(rs)), min(r["mtime"] for r in rs), max(r["mtime"] for r in rs),
             ", ".join(sorted({r["release"] for r in rs if r["release"]}))] for sig, rs in groups]
    got = [r["cells"] for r in index.tables.get("groups", [])]
    fail.check(got == want, "/: the groups table is not the database's groups in count order",
               f"got  {got}\nwant {want}")
    links = [r["links"] for r in index.tables.get("groups", [])]
    fail.check(links == [["/group/" + urllib.parse.quote(sig, safe="")] for sig, _ in groups], f"/: links {links}")
    failed = sorted((r for r in rows.values() if r["status"] != "ok"), key=lambda r: r["path"])
    got = [r["cells"] for r in index.tables.get("failed", [])]
    fail.check(got == [[r["path"], r["reason"], r["triaged_at"]] for r in failed], f"/: failed dumps {got}")

    for sig, rs in groups:
        status, page = fetch(base + "group/" + urllib.parse.quote(sig, safe=""))
        group = PageContent(page)
        keys = [r["cells"][0] for r in group.tables.get("dumps", [])]
        fail.check(status == 200 and keys == [r["key"] for r in sorted(rs, key=lambda r: r["path"])],
                   f"group {sig}: HTTP {status}, dumps {keys}")
        fail.check(words(rs[0]["title"]) in group.text, f"group {sig}: no sample report titled {rs[0]['title']!r}")

    for key, r in rows.items():
        status, page = fetch(base + "dump/" + key)
        text = PageContent(page)
        fail.check(status == 200, f"dump {key}: HTTP {status}")
        if r["status"] != "ok":
            fail.check(words(r["reason"]) in text.text, f"dump {key}: no reason {r['reason']!r}")
            continue
        report = json.loads(r["report"])
        functions = [f["function"] for f in (report.get("crashed_thread") or {}).get("frames", []) if f["function"]]
        missing = [w for w in [r["title"], r["signature"]] + functions if words(w) not in text.text]
        fail.check(not missing and (functions or not report["crash"]["found"]), f"dump {key} ({r['path']}): "
                   f"{len(functions)} crashed-stack functions, missing {missing}")
        fail.check(not text.external, f"dump {key}: the page loads or links off-site: {text.external[:3]}")

    for path in ("dump/s16-0000", "group/kdive1-0000", "nothing", "dump/"):
        status, page = fetch(base + path)
        fail.check(status == 404 and "Traceback" not in page, f"/{path}: HTTP {status}")

    # Chromium: the DOM it built from `/` names every group; screenshots of `/` and of a
    # dump with a crashed stack.
    rc, dom, err = chromium(["--dump-dom"], base, browser_env, os.path.join(tmp, "chromium-dom"))
    missing = [sig for sig, _ in groups if sig not in dom]
    fail.check(rc == 0 and not missing, f"Chromium's DOM of /: exit {rc}, missing {missing}", err[-2000:])
    check_screenshot(base, "triage-web-index.png", browser_env, tmp)
    sample = next((r for r in groups[0][1] if json.loads(r["report"]).get("crashed_thread")), groups[0][1][0])
    check_screenshot(base + "dump/" + sample["key"], "triage-web-dump.png", browser_env, tmp)


def check_html_report(dump, broken, env):
    symbols = [w for x in dump["debug"] for w in ("-s", x)]
    p = subprocess.run([KDIVE, "-q", "-c", dump["path"]] + symbols + ["triage", "--json"], env=env,
                       capture_output=True, text=True, timeout=600)
    report = json.loads(p.stdout) if p.returncode == 0 else {}
    h = subprocess.run([KDIVE, "triage", dump["path"], "--html"] + symbols, env=env, capture_output=True, text=True,
                       timeout=600)
    page = PageContent(h.stdout)
    functions = [f["function"] for f in (report.get("crashed_thread") or {}).get("frames", []) if f["function"]]
    title, signature = report.get("signature", {}).get("title"), report.get("signature", {}).get("key")
    missing = [w for w in [title, signature] + functions if words(w) not in page.text]
    fail.check(p.returncode == 0 and h.returncode == 0 and h.stdout.startswith("<!DOCTYPE html>") and title
               and functions and not missing and not page.external,
               f"triage {dump['name']} --html: exit {h.returncode} (--json {p.returncode}), missing {missing}",
               h.stderr[-2000:])
    # A dump kdive cannot open: kdive's own error, and kdive's exit status.
    h = subprocess.run([KDIVE, "triage", broken, "--html"] + symbols, env=env, capture_output=True, text=True,
                       timeout=600)
    fail.check(h.returncode == 1 and "BadDataError" in h.stderr and not h.stdout,
               f"triage BROKEN --html: exit {h.returncode}, stderr {h.stderr[-500:]!r}")


def main():
    dumps = pick_dumps()
    if not dumps:
        print("no kernel dumps in the fixture manifest")
        return 1
    start = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="kdive-web-")
    broken = os.path.join(tmp, "broken.vmcore")  # an ELF dump cut inside its headers: kdive refuses it
    with open(dumps[0]["path"], "rb") as f, open(broken, "wb") as out:
        out.write(f.read(100))
    listing = os.path.join(tmp, "dumps.txt")
    with open(listing, "w") as f:
        for d in dumps:
            f.write(" ".join([d["path"]] + [w for x in d["debug"] for w in ("-s", x)]) + "\n")
        f.write(f"{broken} -s {dumps[0]['vmlinux']}\n")
    db = os.path.join(tmp, "triage.db")
    env = {k: v for k, v in os.environ.items() if k != "DEBUGINFOD_URLS"}
    browser_env = {k: v for k, v in env.items() if k != "LD_PRELOAD"}  # a sanitizer build's runtime is kdive's

    p = subprocess.run([KDIVE, "triage", "--fleet", listing, "--db", db, "--workers", "2", "--json", "-q"], env=env,
                       capture_output=True, text=True, timeout=600)
    summary = json.loads(p.stdout) if p.returncode == 0 else {}
    fail.check(summary.get("triaged") == len(dumps) + 1 and summary.get("failed") == 1,
               f"fleet: exit {p.returncode}, {summary.get('triaged')} triaged, {summary.get('failed')} failed",
               p.stderr[-2000:])
    if p.returncode != 0:
        fail.finish()
    groups, rows = expected_from_db(db)
    fail.check(len(groups) >= 2, f"{len(groups)} signatures in the database (the oops and sysrq differ)")

    p = subprocess.run([KDIVE, "triage", "--serve", "--db", os.path.join(tmp, "none.db"), "--port", "0"], env=env,
                       capture_output=True, text=True, timeout=DEADLINE_S)
    fail.check(p.returncode == 2 and "no triage database" in p.stderr, f"--serve without a database: exit "
               f"{p.returncode}: {p.stderr[-500:]!r}")

    log = open(os.path.join(tmp, "server.log"), "w")
    server = subprocess.Popen([KDIVE, "triage", "--serve", "--db", db, "--port", "0"], env=env,
                              stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        line = first_line(server.stdout, time.monotonic() + DEADLINE_S)
        fail.check(bool(line) and line.startswith("serving http://127.0.0.1:"), f"server's first line {line!r}")
        if line and line.startswith("serving http://"):
            check_server_pages(line.split()[1], groups, rows, tmp, browser_env)
    finally:
        server.terminate()
        try:
            server.wait(timeout=DEADLINE_S)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    fail.check(not [x for x in open(log.name) if "Traceback" in x], "the server logged a traceback",
               open(log.name).read()[-3000:])

    check_html_report(dumps[0], broken, env)
    print(f"{len(dumps) + 1} dumps, {len(groups)} signatures, {time.monotonic() - start:.1f} s")
    if not fail.failed:
        shutil.rmtree(tmp, ignore_errors=True)  # kept when something failed: the server's log is there
    fail.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())
