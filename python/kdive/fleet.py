# `kdive triage --fleet PATH...` (exec'd by the kdive CLI as `python -m kdive.fleet`):
# every dump triaged in parallel on Dask distributed — an embedded local cluster, or
# an existing scheduler (--scheduler tcp://HOST:PORT) — each by a `kdive triage --json`
# child process, so a dump that crashes or hangs kdive costs one failed row, not a
# worker. Results go to SQLite, one row per dump keyed by a content hash; a re-run skips
# dumps already there. The summary groups dumps by crash signature.
import argparse
import datetime
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from typing import Dict, List, Optional, Tuple

SCHEMA = """
CREATE TABLE IF NOT EXISTS dumps (
    key TEXT PRIMARY KEY,     -- content hash (see content_key)
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime TEXT NOT NULL,      -- the dump file's modification time: when it was seen
    status TEXT NOT NULL,     -- 'ok' or 'failed'
    reason TEXT,              -- why it failed
    signature TEXT,
    title TEXT,
    release TEXT,
    build_id TEXT,
    report TEXT,              -- the triage JSON
    seconds REAL,
    triaged_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dumps_by_signature ON dumps (signature);
"""


def default_db() -> str:
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "kdive", "triage.db")


def is_dump(path: str) -> bool:
    """ELF cores (e_type ET_CORE), kdump-compressed and makedumpfile's flattened files."""
    try:
        with open(path, "rb") as f:
            head = f.read(18)
    except OSError:
        return False
    if head[:4] == b"\x7fELF" and len(head) == 18:
        return int.from_bytes(head[16:18], "little") == 4
    return head.startswith(b"KDUMP   ") or head.startswith(b"makedumpfile")


def find_dumps(paths: List[str], options: List[str]) -> List[Tuple[str, List[str]]]:
    """(dump, kdive options) for every dump named: dump files, directories searched for
    dumps, and list files whose lines are `DUMP [KDIVE OPTIONS...]` (# comments);
    `options` go to every dump, before a list file's own."""
    out: List[Tuple[str, List[str]]] = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for name in sorted(files):
                    f = os.path.join(root, name)
                    if is_dump(f):
                        out.append((f, list(options)))
        elif is_dump(p):
            out.append((p, list(options)))
        elif os.path.isfile(p):
            with open(p, encoding="utf-8", errors="replace") as f:
                for line in f:
                    words = line.split("#", 1)[0].split()
                    if words:
                        out.append((words[0], list(options) + words[1:]))
        else:
            raise SystemExit(f"kdive: UsageError: triage --fleet: no such file or directory: {p}")
    return out


def content_key(path: str, samples: int = 16, chunk: int = 1 << 16) -> str:
    """A hash of the size and `samples` evenly spaced 64 KiB pieces (first and last
    included): dumps are GiBs, and two different dumps differ in their headers
    (VMCOREINFO, the crash time) and in nearly every page sampled."""
    size = os.path.getsize(path)
    h = hashlib.sha256(str(size).encode())
    with open(path, "rb") as f:
        for i in range(samples):
            f.seek(max(0, (size - chunk) * i // (samples - 1)))
            h.update(f.read(chunk))
    return "s16-" + h.hexdigest()[:32]


def triage_one(kdive: str, dump: str, options: List[str], timeout: float) -> Dict:
    """Runs on a Dask worker: `kdive triage --json` on one dump, in a child process."""
    start = time.monotonic()
    result = {"path": dump, "status": "failed", "reason": None, "report": None}
    try:
        p = subprocess.run([kdive, "-q", "-c", dump] + options + ["triage", "--json"],
                           capture_output=True, timeout=timeout)
        if p.returncode < 0:
            result["reason"] = f"kdive was killed by signal {-p.returncode}: {p.stderr.decode(errors='replace')[-500:]}"
        elif p.returncode != 0:
            result["reason"] = p.stderr.decode(errors="replace").strip()[-500:] or f"exit {p.returncode}"
        else:
            result["report"] = json.loads(p.stdout)
            result["status"] = "ok"
    except subprocess.TimeoutExpired:
        result["reason"] = f"timed out after {timeout:g} s"
    except (OSError, ValueError) as e:
        result["reason"] = f"{type(e).__name__}: {e}"
    result["seconds"] = time.monotonic() - start
    return result


def record(db: sqlite3.Connection, key: str, dump: str, result: Dict) -> None:
    st = os.stat(dump)
    report = result.get("report") or {}
    sig = report.get("signature", {})
    kernel = report.get("kernel", {})
    db.execute(
        "INSERT OR REPLACE INTO dumps VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (key, os.path.abspath(dump), st.st_size,
         datetime.datetime.fromtimestamp(st.st_mtime, datetime.timezone.utc).isoformat(timespec="seconds"),
         result["status"], result.get("reason"), sig.get("key"), sig.get("title"), kernel.get("release"),
         kernel.get("build_id"), json.dumps(report) if report else None, result.get("seconds"),
         datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")))
    db.commit()


def groups(db: sqlite3.Connection) -> List[Dict]:
    rows = db.execute(
        "SELECT signature, title, COUNT(*), MIN(mtime), MAX(mtime), GROUP_CONCAT(DISTINCT release), MIN(path) "
        "FROM dumps WHERE status = 'ok' GROUP BY signature ORDER BY COUNT(*) DESC, signature").fetchall()
    return [{"signature": r[0], "title": r[1], "count": r[2], "first_seen": r[3], "last_seen": r[4],
             "kernels": sorted(set((r[5] or "").split(","))), "sample": r[6]} for r in rows]


def failures(db: sqlite3.Connection) -> List[Dict]:
    rows = db.execute("SELECT path, reason FROM dumps WHERE status = 'failed' ORDER BY path").fetchall()
    return [{"path": r[0], "reason": r[1]} for r in rows]


def run(args: argparse.Namespace) -> int:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        print("kdive: triage --fleet needs Dask distributed (Debian: python3-distributed)", file=sys.stderr)
        return 1
    kdive = os.environ.get("KDIVE_EXE") or "kdive"
    dumps = find_dumps(args.paths, [w for s in args.symbols for w in ("-s", s)])
    os.makedirs(os.path.dirname(os.path.abspath(args.db)), exist_ok=True)
    db = sqlite3.connect(args.db)
    db.executescript(SCHEMA)
    known = {r[0] for r in db.execute("SELECT key FROM dumps")}
    todo, skipped, seen = [], 0, set()
    for dump, options in dumps:
        key = content_key(dump)
        if key in known or key in seen:
            skipped += 1
            continue
        seen.add(key)
        todo.append((key, dump, options))
    cluster = None
    if args.scheduler:
        client = Client(args.scheduler, timeout=30)
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, dashboard_address=None,
                               silence_logs=40)
        client = Client(cluster)
    done = failed = 0
    try:
        futures = {}
        for key, dump, options in todo:
            # pure=False: the same dump submitted again (a re-run) is run again.
            f = client.submit(triage_one, kdive, dump, options, args.timeout, pure=False, key=f"triage-{key}")
            futures[f] = (key, dump)
        for f in as_completed(futures):
            key, dump = futures[f]
            try:
                result = f.result()
            except Exception as e:  # the task itself failed: a worker died with it too often
                result = {"path": dump, "status": "failed", "reason": f"{type(e).__name__}: {e}"}
            record(db, key, dump, result)
            done += 1
            failed += result["status"] != "ok"
            if not args.quiet and sys.stderr.isatty():
                print(f"\rtriage: {done}/{len(todo)} dumps", end="", file=sys.stderr, flush=True)
    finally:
        client.close()
        if cluster:
            cluster.close()
    if not args.quiet and sys.stderr.isatty():
        print(file=sys.stderr)
    summary = {"db": os.path.abspath(args.db), "dumps": len(dumps), "triaged": done, "failed": failed,
               "skipped": skipped, "groups": groups(db), "failures": failures(db)}
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"{len(dumps)} dumps: {done} triaged now ({failed} failed), {skipped} already in {summary['db']}")
        print(f"{'COUNT':>5}  {'SIGNATURE':<23}  {'KERNELS':<30}  TITLE")
        for g in summary["groups"]:
            print(f"{g['count']:>5}  {g['signature']:<23}  {','.join(g['kernels']):<30}  {g['title']}")
        for f in summary["failures"]:
            print(f"failed: {f['path']}: {f['reason']}")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="kdive triage --fleet",
                                     description="triage many dumps on Dask, grouped by crash signature")
    parser.add_argument("--fleet", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="+", metavar="PATH", help="dumps, directories of dumps, or list files")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="an existing Dask scheduler")
    parser.add_argument("--workers", type=int, default=max(1, os.cpu_count() or 1),
                        help="workers of the embedded cluster")
    parser.add_argument("--db", default=default_db(), help="the SQLite database (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds one dump may take")
    parser.add_argument("-s", "--symbols", action="append", default=[], help="debug files for every dump")
    parser.add_argument("--json", action="store_true", help="the summary as JSON")
    parser.add_argument("-q", "--quiet", action="store_true")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
