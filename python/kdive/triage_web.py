# `kdive triage CORE --html` and `kdive triage --serve` (exec'd by the kdive CLI as
# `python -m kdive.triage_web report|serve`): one triage report (the JSON of `kdive
# triage --json`) as a self-contained HTML page, and a read-only web view of the fleet's
# SQLite database (python/kdive/fleet.py): dumps grouped by crash signature.
import argparse
import html
import http.server
import json
import os
import sqlite3
import subprocess
import sys
import urllib.parse
from typing import Any, Dict, Iterable, List, Optional, Tuple

from kdive.fleet import default_db

# One style sheet, inline in every page: a page saved to disk or mailed must look the
# same without the server.
STYLE = """
body { font-family: "DejaVu Sans", sans-serif; font-size: 14px; margin: 0; color: #1d2330; background: #f4f5f7; }
header { background: #1d2330; color: #fff; padding: 14px 24px; }
header h1 { font-size: 20px; margin: 0 0 4px 0; }
header .signature { font-family: "DejaVu Sans Mono", monospace; color: #9fd3ff; }
nav { padding: 8px 24px; background: #e3e6ec; }
nav a { margin-right: 16px; }
main { padding: 8px 24px 24px 24px; }
section { background: #fff; border: 1px solid #d5d9e0; border-radius: 4px; margin: 14px 0;
          padding: 8px 14px 12px 14px; }
h2 { font-size: 16px; margin: 4px 0 8px 0; }
h3 { font-size: 14px; margin: 12px 0 4px 0; }
table { border-collapse: collapse; margin: 4px 0; }
th, td { text-align: left; vertical-align: top; padding: 3px 10px 3px 0; border-bottom: 1px solid #eceef2; }
th { font-weight: 600; color: #4a5264; }
table.fields th { width: 12em; }
table.fields td { white-space: pre-wrap; }
td.num, th.num { text-align: right; }
td.nowrap { white-space: nowrap; }
.mono, pre, table.frames td { font-family: "DejaVu Sans Mono", monospace; font-size: 12.5px; }
pre { margin: 2px 0; white-space: pre-wrap; word-break: break-word; }
tr.fault td { background: #ffe3e0; font-weight: 600; }
td.inlined { color: #7a8294; }
.problem { color: #a11d12; }
.muted { color: #7a8294; }
.explanation { font-size: 15px; font-weight: 600; color: #a11d12; }
"""


def esc(value: Any) -> str:
    """Any JSON value as escaped text; None is empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dict, list)):
        return html.escape(json.dumps(value, sort_keys=True))
    return html.escape(str(value))


def as_dict(value: Any) -> Dict:
    # The report schema grows: a section may be missing, null or of another shape.
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> List:
    return value if isinstance(value, list) else []


def html_page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{esc(title)}</title><style>{STYLE}</style></head>\n<body>\n{body}\n</body></html>\n")


def section_html(title: str, content: str, problems: Iterable[str] = ()) -> str:
    why = "".join(f"<p class=\"problem\">Not available: {esc(p)}</p>" for p in problems)
    if not content and not why:
        content = "<p class=\"muted\">Nothing recorded.</p>"
    return f"<section><h2>{esc(title)}</h2>\n{why}{content}</section>\n"


def generic_html(value: Any) -> str:
    """Any JSON value: objects as field tables, lists of objects as tables, other lists
    as lines. Fields kdive adds later show up here before a renderer knows them."""
    if isinstance(value, dict):
        return fields_html(value.items())
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            columns: List[str] = []
            for v in value:
                columns += [k for k in v if k not in columns]
            head = "".join(f"<th>{esc(c)}</th>" for c in columns)
            rows = "".join("<tr>" + "".join(f"<td>{generic_html(v.get(c))}</td>" for c in columns) + "</tr>"
                           for v in value)
            return f"<table><tr>{head}</tr>{rows}</table>"
        return "<br>".join(generic_html(v) for v in value)
    if isinstance(value, str) and "\n" in value:
        return f"<pre>{esc(value)}</pre>"
    return esc(value)


def fields_html(fields: Iterable[Tuple[str, Any]], css_class: str = "fields") -> str:
    rows = "".join(f"<tr><th>{esc(name)}</th><td>{generic_html(value)}</td></tr>"
                   for name, value in fields if value not in (None, "", [], {}))
    return f"<table class=\"{css_class}\">{rows}</table>" if rows else ""


def extra_fields(obj: Dict, known: Iterable[str]) -> List[Tuple[str, Any]]:
    known = set(known)
    return [(k, v) for k, v in obj.items() if k not in known]


def seconds_text(ns: Any) -> Optional[str]:
    return f"{ns / 1e9:.3f} s" if isinstance(ns, (int, float)) and not isinstance(ns, bool) else None


def bytes_text(n: Any) -> Optional[str]:
    if not isinstance(n, (int, float)) or isinstance(n, bool):
        return None
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{int(n) >> 10} KiB"


# The fields each renderer shows in its own way; any other field of the same object is
# shown as it comes (generic_html), so a field kdive adds is never lost.
KERNEL_FIELDS = ("release", "version", "machine", "nodename", "cpus", "uptime_ns", "build_id", "debug_info",
                 "panic_message", "taint")
CRASH_FIELDS = ("found", "title", "kind", "type", "first_line", "timestamp", "panicked", "cpu", "pid", "comm", "rip",
                "explanation", "explanation_kind", "other_reports")
THREAD_FIELDS = ("pid", "comm", "task", "cpu", "state", "last_ran_ns_ago", "waits_for", "frames", "stack_end",
                 "faulting_frame", "variables")
FRAME_FIELDS = ("function", "symbol", "source", "pc", "inlined")


def kernel_html(kernel: Dict) -> str:
    fields = [("release", kernel.get("release")), ("version", kernel.get("version")),
              ("machine", kernel.get("machine")), ("node", kernel.get("nodename")), ("CPUs", kernel.get("cpus")),
              ("uptime", seconds_text(kernel.get("uptime_ns"))), ("build ID", kernel.get("build_id")),
              ("debug info", kernel.get("debug_info")), ("panic", kernel.get("panic_message")),
              ("taint", kernel.get("taint"))]
    return fields_html(fields + extra_fields(kernel, KERNEL_FIELDS))


def crash_html(crash: Dict) -> str:
    if crash and not crash.get("found"):
        return "<p>No crash report in the kernel log.</p>"
    kind = crash.get("kind") or ""
    if crash.get("type"):
        kind += f" ({crash['type']})"
    task = None
    if crash.get("pid") is not None:
        task = f"PID {crash['pid']} \"{crash.get('comm', '')}\""
        if crash.get("cpu") is not None:
            task += f" on CPU {crash['cpu']}"
    fields = [("title", crash.get("title")), ("type", kind), ("first line", crash.get("first_line")),
              ("time stamp", crash.get("timestamp")), ("panicked", crash.get("panicked")), ("task", task),
              ("RIP", crash.get("rip")), ("other reports", crash.get("other_reports"))]
    return fields_html(fields + extra_fields(crash, CRASH_FIELDS))  # the explanation has its own section


def explanation_html(crash: Dict) -> str:
    if not crash.get("explanation"):
        return "<p class=\"muted\">No explanation of the fault.</p>"
    kind = f"<p class=\"muted\">{esc(crash.get('explanation_kind'))}</p>" if crash.get("explanation_kind") else ""
    return f"<p class=\"explanation\">{esc(crash['explanation'])}</p>{kind}"


def signature_html(signature: Dict) -> str:
    frames = "".join(f"<li class=\"mono\">{esc(f)}</li>" for f in as_list(signature.get("frames")))
    fields = [("key", signature.get("key")), ("title", signature.get("title"))]
    out = fields_html(fields + extra_fields(signature, ("key", "title", "frames")))
    return out + (f"<h3>Top frames</h3><ol>{frames}</ol>" if frames else "")


def frames_html(frames: List, faulting: Any = None) -> str:
    if not frames:
        return "<p class=\"muted\">No frames.</p>"
    rows = []
    for i, frame in enumerate(frames):
        f = as_dict(frame)
        extra = extra_fields(f, FRAME_FIELDS)
        css = " class=\"fault\"" if i == faulting else ""
        inlined = "<td class=\"inlined\">inline</td>" if f.get("inlined") else "<td></td>"
        rows.append(f"<tr{css}><td class=\"num\">#{i}</td><td>{esc(f.get('function'))}</td>"
                    f"<td>{esc(f.get('symbol'))}</td>{inlined}<td>{esc(f.get('source'))}</td>"
                    f"<td>{esc(f.get('pc'))}</td><td>{generic_html(dict(extra)) if extra else ''}</td></tr>")
    return ("<table class=\"frames\"><tr><th class=\"num\">#</th><th>function</th><th>symbol</th><th></th>"
            "<th>source</th><th>pc</th><th></th></tr>" + "".join(rows) + "</table>")


def lock_wait_text(w: Dict) -> str:
    """'mutex kdive_mutex (0x...), owner 104 "kdive_lock_own" (S)', as the text report says it."""
    what = f"{w.get('kind', 'lock')} " + (f"{w['symbol']} " if w.get("symbol") else "") + f"({w.get('lock', '?')})"
    if not w.get("owner"):
        return what + ", no owner recorded"
    who = "held for read, last reader" if w.get("reader_owned") else "owner"
    pid = w.get("owner_pid") if w.get("owner_pid") is not None else "?"
    return what + f", {who} {pid} \"{w.get('owner_comm', '')}\" ({w.get('owner_state', '?')})"


def thread_title(t: Dict) -> str:
    title = f"PID {t.get('pid')} \"{t.get('comm', '')}\""
    if t.get("cpu") is not None:
        title += f" on CPU {t['cpu']}"
    if t.get("state"):
        title += f", state {t['state']}"
    return title


def thread_html(t: Dict, heading: str) -> str:
    out = f"<h3>{esc(heading)}</h3>"
    waits = as_dict(t.get("waits_for"))
    if waits:
        out += f"<p>Waits for {esc(lock_wait_text(waits))}</p>"
    out += frames_html(as_list(t.get("frames")), t.get("faulting_frame"))
    if t.get("stack_end"):
        out += f"<p class=\"muted\">Stack ends: {esc(t['stack_end'])}</p>"
    variables = as_list(t.get("variables"))
    if variables:
        out += f"<h3>Variables of frame #{esc(t.get('faulting_frame'))}</h3><table class=\"variables\">"
        out += "".join(f"<tr><th class=\"mono\">{esc(as_dict(v).get('name'))}</th>"
                       f"<td><pre>{esc(as_dict(v).get('value'))}</pre></td></tr>" for v in variables)
        out += "</table>"
    return out + fields_html(extra_fields(t, THREAD_FIELDS))


def tasks_html(report: Dict) -> str:
    crashed = as_dict(report.get("crashed_thread"))
    blocked = as_dict(report.get("blocked"))
    fields = [("crashed task", thread_title(crashed) if crashed else None),
              ("running on a CPU", len(as_list(report.get("running"))) or None),
              ("blocked (D state)", blocked.get("tasks"))]
    return fields_html(fields) or "<p class=\"muted\">No tasks read.</p>"


def running_html(running: List) -> str:
    if not running:
        return "<p class=\"muted\">No running tasks read.</p>"
    return "".join(thread_html(as_dict(t), f"CPU {as_dict(t).get('cpu')}: {thread_title(as_dict(t))}")
                   for t in running)


def blocked_html(blocked: Dict) -> str:
    groups = as_list(blocked.get("groups"))
    count = blocked.get("tasks", 0)
    out = f"<p>{esc(count)} task{'' if count == 1 else 's'} in D state"
    out += f", {len(groups)} distinct stack{'' if len(groups) == 1 else 's'}.</p>" if groups else ".</p>"
    for i, group in enumerate(groups):
        g = as_dict(group)
        tasks = [as_dict(t) for t in as_list(g.get("tasks"))]
        out += f"<h3>Group {i + 1}: {len(tasks)} task{'' if len(tasks) == 1 else 's'}</h3>"
        rows = "".join(
            f"<tr><td class=\"num\">{esc(t.get('pid'))}</td><td>{esc(t.get('comm'))}</td><td>{esc(t.get('state'))}</td>"
            f"<td class=\"num\">{esc(seconds_text(t.get('last_ran_ns_ago')))}</td>"
            f"<td>{esc(lock_wait_text(as_dict(t['waits_for']))) if as_dict(t.get('waits_for')) else ''}</td>"
            f"<td class=\"mono\">{esc(t.get('task'))}</td>"
            f"<td>{fields_html(extra_fields(t, THREAD_FIELDS))}</td></tr>" for t in tasks)
        out += ("<table class=\"blocked-tasks\"><tr><th class=\"num\">PID</th><th>command</th><th>state</th>"
                "<th class=\"num\">last ran before</th><th>waits for</th><th>task</th><th></th></tr>"
                f"{rows}</table>")
        # Per-group fields kdive adds (a group's lock and owner, say) before this page knows them.
        out += fields_html(extra_fields(g, ("tasks", "frames")))
        out += frames_html(as_list(g.get("frames")))
    return out + fields_html(extra_fields(blocked, ("tasks", "groups")))


def memory_html(memory: Dict) -> str:
    if not memory:
        return "<p class=\"muted\">Not read.</p>"
    out = fields_html([("total", bytes_text(memory.get("total_bytes"))), ("free", bytes_text(memory.get("free_bytes")))]
                      + extra_fields(memory, ("total_bytes", "free_bytes", "top_slab_caches")))
    caches = [as_dict(c) for c in as_list(memory.get("top_slab_caches"))]
    if caches:
        rows = "".join(f"<tr><td class=\"mono\">{esc(c.get('name'))}</td><td class=\"num\">{esc(c.get('objects'))}</td>"
                       f"<td class=\"num\">{esc(c.get('active'))}</td>"
                       f"<td class=\"num\">{esc(bytes_text(c.get('bytes')))}</td>"
                       f"<td>{fields_html(extra_fields(c, ('name', 'objects', 'active', 'bytes')))}</td></tr>"
                       for c in caches)
        out += ("<h3>Largest slab caches</h3><table class=\"slab-caches\"><tr><th>cache</th>"
                "<th class=\"num\">objects</th><th class=\"num\">active</th><th class=\"num\">size</th><th></th>"
                f"</tr>{rows}</table>")
    return out


def warnings_html(warnings: List, other_reports: List) -> str:
    if not warnings and not other_reports:
        return "<p class=\"muted\">None.</p>"
    reports = "".join(f"<p>Report: {esc(r)}</p>" for r in other_reports)
    return reports + "".join(f"<pre>{esc(w)}</pre>" for w in warnings)


def modules_html(modules: List) -> str:
    if not modules:
        return "<p class=\"muted\">None.</p>"
    rows = "".join(f"<tr><td class=\"mono\">{esc(as_dict(m).get('name'))}</td>"
                   f"<td>{esc(', '.join(str(t) for t in as_list(as_dict(m).get('taints'))))}</td></tr>"
                   for m in modules)
    return f"<table class=\"modules\"><tr><th>module</th><th>taints</th></tr>{rows}</table>"


def report_title(report: Dict) -> str:
    return (as_dict(report.get("signature")).get("title") or as_dict(report.get("crash")).get("title")
            or "kdive triage report")


def report_body(report: Dict) -> str:
    """Every section of one triage report, as HTML (no page around it), in the order
    kdive's text report prints them. A section's problems (the report's "problems", by
    the name triage_report.cpp gives the section) are shown in it; problems of sections
    not listed here, and top-level fields not known here, get sections of their own."""
    report = as_dict(report)
    problems: Dict[str, List[str]] = {}
    for p in as_list(report.get("problems")):
        p = as_dict(p)
        problems.setdefault(str(p.get("section", "")), []).append(str(p.get("why", "")))
    shown: List[str] = []

    def section(title: str, content: str, *names: str) -> str:
        shown.extend(names)
        return section_html(title, content, [w for n in names for w in problems.get(n, [])])

    crash = as_dict(report.get("crash"))
    crashed = as_dict(report.get("crashed_thread"))
    out = [
        section("Kernel", kernel_html(as_dict(report.get("kernel"))), "kernel"),
        section("Crash (kernel log)", crash_html(crash), "log"),
        section("Fault explanation", explanation_html(crash), "fault explanation"),
        section("Crash signature", signature_html(as_dict(report.get("signature"))), "signature"),
        section("Tasks", tasks_html(report), "tasks", "stacks"),
        section("Crashed thread", thread_html(crashed, thread_title(crashed)) if crashed else
                "<p class=\"muted\">No crashed thread found.</p>", "crashed thread"),
        section("Running on each CPU", running_html(as_list(report.get("running"))), "running tasks"),
        section("Blocked tasks (D state)", blocked_html(as_dict(report.get("blocked"))), "blocked tasks"),
        section("Memory", memory_html(as_dict(report.get("memory"))), "memory"),
        section("Warnings before the crash", warnings_html(as_list(report.get("warnings")),
                                                           as_list(crash.get("other_reports")))),
        section("Modules that taint the kernel", modules_html(as_list(report.get("tainting_modules"))), "modules"),
    ]
    other = [(name, why) for name, whys in problems.items() if name not in shown for why in whys]
    if other:
        out.append(section_html("Not available", fields_html(other, "problems")))
    known = ("kernel", "crash", "signature", "crashed_thread", "running", "blocked", "memory", "warnings",
             "tainting_modules", "problems")
    extra = extra_fields(report, known)
    if extra:
        out.append(section_html("Other fields", fields_html(extra)))
    return "".join(out)


def report_header(report: Dict) -> str:
    key = as_dict(report.get("signature")).get("key")
    release = as_dict(report.get("kernel")).get("release")
    return (f"<header><h1>{esc(report_title(report))}</h1>"
            f"<div><span class=\"signature\">{esc(key)}</span> {esc(release)}</div></header>\n")


def render_report_html(report: dict) -> str:
    """One triage report as a complete, self-contained HTML page."""
    report = as_dict(report)
    return html_page(report_title(report), report_header(report) + f"<main>{report_body(report)}</main>")


# --- The web view of the fleet database -------------------------------------------------


class NotFound(Exception):
    pass


def open_db_readonly(path: str) -> sqlite3.Connection:
    # mode=ro: the server never writes, and a fleet run may be writing at the same time.
    uri = "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=ro"
    return sqlite3.connect(uri, uri=True, timeout=10)


def group_rows(db: sqlite3.Connection) -> List[Dict]:
    rows = db.execute(
        "SELECT COALESCE(signature, ''), MAX(title), COUNT(*), MIN(mtime), MAX(mtime), "
        "GROUP_CONCAT(DISTINCT release) FROM dumps WHERE status = 'ok' "
        "GROUP BY COALESCE(signature, '') ORDER BY COUNT(*) DESC, COALESCE(signature, '')").fetchall()
    return [{"signature": r[0], "title": r[1] or "", "count": r[2], "first_seen": r[3], "last_seen": r[4],
             "kernels": sorted(set(k for k in (r[5] or "").split(",") if k))} for r in rows]


def link(prefix: str, value: str) -> str:
    return prefix + urllib.parse.quote(value, safe="")


def nav_html() -> str:
    return "<nav><a href=\"/\">All groups</a></nav>\n"


def index_page(db: sqlite3.Connection, db_path: str) -> str:
    groups = group_rows(db)
    total = sum(g["count"] for g in groups)
    rows = "".join(
        f"<tr><td class=\"mono nowrap\"><a href=\"{esc(link('/group/', g['signature']))}\">"
        f"{esc(g['signature'])}</a></td>"
        f"<td>{esc(g['title'])}</td><td class=\"num\">{g['count']}</td><td class=\"nowrap\">{esc(g['first_seen'])}</td>"
        f"<td class=\"nowrap\">{esc(g['last_seen'])}</td><td>{esc(', '.join(g['kernels']))}</td></tr>" for g in groups)
    body = (f"<section><h2>Crash groups: {len(groups)} signatures, {total} dumps</h2>"
            "<table id=\"groups\"><tr><th>signature</th><th>title</th><th class=\"num\">dumps</th>"
            f"<th>first seen</th><th>last seen</th><th>kernels</th></tr>{rows}</table></section>\n")
    failed = db.execute("SELECT key, path, reason, triaged_at FROM dumps WHERE status != 'ok' "
                        "ORDER BY path").fetchall()
    if failed:
        rows = "".join(f"<tr><td class=\"mono\"><a href=\"{esc(link('/dump/', key))}\">{esc(path)}</a></td>"
                       f"<td class=\"problem\">{esc(reason)}</td><td>{esc(at)}</td></tr>"
                       for key, path, reason, at in failed)
        body += (f"<section><h2>Failed dumps: {len(failed)}</h2><table id=\"failed\"><tr><th>dump</th><th>reason</th>"
                 f"<th>triaged at</th></tr>{rows}</table></section>\n")
    header = f"<header><h1>kdive triage</h1><div class=\"mono\">{esc(os.path.abspath(db_path))}</div></header>\n"
    return html_page("kdive triage", header + f"<main>{body}</main>")


def dump_rows_html(rows: List[Tuple]) -> str:
    out = "".join(f"<tr><td class=\"mono\"><a href=\"{esc(link('/dump/', key))}\">{esc(key)}</a></td>"
                  f"<td class=\"mono\">{esc(path)}</td><td class=\"num\">{esc(bytes_text(size))}</td>"
                  f"<td>{esc(mtime)}</td><td>{esc(release)}</td><td>{esc(at)}</td></tr>"
                  for key, path, size, mtime, release, at, _ in rows)
    return ("<table id=\"dumps\"><tr><th>key</th><th>dump</th><th class=\"num\">size</th><th>seen</th>"
            f"<th>kernel</th><th>triaged at</th></tr>{out}</table>")


def group_page(db: sqlite3.Connection, signature: str) -> str:
    rows = db.execute("SELECT key, path, size, mtime, release, triaged_at, report FROM dumps "
                      "WHERE status = 'ok' AND COALESCE(signature, '') = ? ORDER BY path", (signature,)).fetchall()
    if not rows:
        raise NotFound(f"no crash group {signature!r}")
    sample = json.loads(rows[0][6]) if rows[0][6] else {}
    title = report_title(sample)
    header = (f"<header><h1>{esc(title)}</h1><div><span class=\"signature\">{esc(signature)}</span> "
              f"{len(rows)} dump{'' if len(rows) == 1 else 's'}</div></header>\n")
    body = (f"<section><h2>Dumps</h2>{dump_rows_html(rows)}</section>\n"
            f"<h2>Sample report: {esc(rows[0][1])}</h2>\n{report_body(sample)}")
    return html_page(title, header + nav_html() + f"<main>{body}</main>")


def dump_page(db: sqlite3.Connection, key: str) -> str:
    row = db.execute("SELECT path, size, mtime, status, reason, signature, triaged_at, seconds, report "
                     "FROM dumps WHERE key = ?", (key,)).fetchone()
    if row is None:
        raise NotFound(f"no dump {key!r}")
    path, size, mtime, status, reason, signature, at, seconds, report_text = row
    report = json.loads(report_text) if report_text else {}
    group = (f"<a href=\"{esc(link('/group/', signature))}\">{esc(signature)}</a>" if status == "ok" and signature
             else "")
    fields = fields_html([("dump", path), ("key", key), ("size", bytes_text(size)), ("seen", mtime),
                          ("status", status), ("reason", reason), ("triaged at", at),
                          ("triage took", f"{seconds:.2f} s" if isinstance(seconds, float) else seconds)])
    if group:
        fields += f"<p>Crash group: <span class=\"mono\">{group}</span></p>"
    body = section_html("Dump", fields) + (report_body(report) if report else "")
    header = report_header(report) if report else f"<header><h1>Failed: {esc(path)}</h1></header>\n"
    return html_page(report_title(report) if report else f"failed: {path}",
                     header + nav_html() + f"<main>{body}</main>")


def error_page(status: int, message: str) -> str:
    return html_page(f"{status}", f"<header><h1>{status}</h1></header>{nav_html()}<main><p>{esc(message)}</p></main>")


class TriageRequestHandler(http.server.BaseHTTPRequestHandler):
    server_version = "kdive-triage"
    db_path = ""  # set on the subclass serve() makes

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.answer(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self.answer(send_body=False)

    def answer(self, send_body: bool) -> None:
        path = urllib.parse.urlsplit(self.path).path
        try:
            with open_db_readonly(self.db_path) as db:
                if path == "/":
                    status, page = 200, index_page(db, self.db_path)
                elif path.startswith("/group/"):
                    status, page = 200, group_page(db, urllib.parse.unquote(path[len("/group/"):]))
                elif path.startswith("/dump/") and len(path) > len("/dump/"):
                    status, page = 200, dump_page(db, urllib.parse.unquote(path[len("/dump/"):]))
                else:
                    raise NotFound(f"no page {path}")
        except NotFound as e:
            status, page = 404, error_page(404, str(e))
        except Exception as e:  # noqa: BLE001 — the client gets a 500, the traceback stays here
            self.log_error("%s: %s: %s", path, type(e).__name__, e)
            status, page = 500, error_page(500, "internal error (see the server's log)")
        data = page.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if send_body:
            self.wfile.write(data)


def serve(args: argparse.Namespace) -> int:
    if not os.path.isfile(args.db):
        print(f"kdive: triage --serve: no triage database at {args.db} (make one with `kdive triage --fleet`)",
              file=sys.stderr)
        return 2
    try:
        with open_db_readonly(args.db) as db:
            db.execute("SELECT COUNT(*) FROM dumps").fetchone()
    except sqlite3.Error as e:
        print(f"kdive: triage --serve: {args.db} is not a triage database: {e}", file=sys.stderr)
        return 2
    handler = type("Handler", (TriageRequestHandler,), {"db_path": os.path.abspath(args.db)})
    try:
        server = http.server.ThreadingHTTPServer((args.host, args.port), handler)
    except OSError as e:
        print(f"kdive: triage --serve: cannot listen on {args.host}:{args.port}: {e}", file=sys.stderr)
        return 1
    host, port = server.server_address[:2]
    shown_host = f"[{host}]" if ":" in host else host
    # The first line on stdout: with --port 0 it is the only way to learn the port.
    print(f"serving http://{shown_host}:{port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def kdive_executable() -> str:
    # KDIVE_BINARY names the kdive under test; KDIVE_EXE is the kdive that exec'd this
    # module (python_launcher.cpp), as kdive.fleet uses it.
    return os.environ.get("KDIVE_BINARY") or os.environ.get("KDIVE_EXE") or "kdive"


def report(args: argparse.Namespace) -> int:
    kdive_options = [w for s in args.symbols for w in ("-s", s)]
    kdive_options += [flag for flag, on in (("--allow-build-id-mismatch", args.allow_build_id_mismatch),
                                            ("--no-debug-info", args.no_debug_info),
                                            ("--no-debuginfod", args.no_debuginfod)) if on]
    command = [kdive_executable(), "-q", "-c", args.core] + kdive_options + ["triage", "--json"]
    if args.no_slab:
        command.append("--no-slab")
    try:
        # kdive's stderr is ours: its warnings, and why it failed.
        p = subprocess.run(command, stdout=subprocess.PIPE)
    except OSError as e:
        print(f"kdive: triage --html: cannot run {command[0]}: {e}", file=sys.stderr)
        return 1
    if p.returncode < 0:
        print(f"kdive: triage --html: kdive was killed by signal {-p.returncode}", file=sys.stderr)
        return 128 - p.returncode
    if p.returncode != 0:
        return p.returncode
    try:
        triage = json.loads(p.stdout)
    except ValueError as e:
        print(f"kdive: triage --html: kdive's report is not JSON: {e}", file=sys.stderr)
        return 1
    sys.stdout.write(render_report_html(triage))
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="kdive triage", description="triage reports as HTML")
    modes = parser.add_subparsers(dest="mode", required=True)
    server = modes.add_parser("serve", prog="kdive triage --serve", allow_abbrev=False,
                              help="a web view of the triage database (kdive triage --serve)")
    server.add_argument("--db", default=default_db(), help="the SQLite database of `kdive triage --fleet` "
                        "(default: %(default)s)")
    server.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    server.add_argument("--port", type=int, default=8080, help="port (0: any free one; default: %(default)s)")
    one = modes.add_parser("report", prog="kdive triage --html", allow_abbrev=False,
                           help="one dump's triage report as HTML (kdive triage CORE --html)")
    one.add_argument("core", metavar="CORE", help="the crash dump")
    # kdive's own options, given to `kdive triage --json`:
    one.add_argument("-s", "--symbols", action="append", default=[], help="vmlinux, .ko or a directory of them")
    one.add_argument("--allow-build-id-mismatch", action="store_true")
    one.add_argument("--no-debug-info", action="store_true")
    one.add_argument("--no-debuginfod", action="store_true")
    one.add_argument("--no-slab", action="store_true", help="skip the slab caches")
    args = parser.parse_args(argv)
    return report(args) if args.mode == "report" else serve(args)


if __name__ == "__main__":
    sys.exit(main())
