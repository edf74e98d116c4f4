#!/bin/bash
# User-space cores: every global and type the fixture programs define, kdive against the
# references recorded at fixture time (scripts/fixtures/user/{drgn,gdb}_reference.py):
# - `print NAME` must be byte-identical to drgn's str() (drgn/globals.json), and an error
#   on drgn's side must be an error on ours;
# - `ptype TYPE` must be byte-identical to drgn's str(type) (drgn/types.json);
# - scalar globals must have gdb's value (gdb/globals.json `print`), compared as numbers,
#   booleans or enumerator names, since gdb's notation differs.
# Where drgn fails (file-backed pages left out of the core, C++ references, C++ type names
# it cannot parse) and kdive answers, kdive's numbers must be gdb's; such rows are listed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"  # user cores: one run covers them all, no per_kernel
$PY - "$MANIFEST" "$KDIVE" <<'PYEOF'
import json, re, subprocess, sys

manifest, kdive = sys.argv[1], sys.argv[2]
MARK = "print 0x4b44495645"
MARK_OUT = "(long)323268204101"
dumps = [d for d in json.load(open(manifest))["dumps"] if d["kind"] == "user" and d.get("drgn_opened")]
if not dumps:
    print("FAIL: no user cores in the manifest"); sys.exit(1)

def kdive_answers(d, commands):
    script = "".join(f"{c}\n{MARK}\n" for c in commands)
    p = subprocess.run([kdive, "-c", d["path"], "-s", d["executable"]], input=script,
                       capture_output=True, text=True, timeout=600)
    if p.returncode >= 128:
        raise SystemExit(f"FAIL {d['name']}: kdive crashed ({p.returncode}): {p.stderr[-500:]}")
    # stderr lines (errors) are interleaved per command: rerun is costly, so errors are
    # matched by their position: kdive prints nothing on stdout for a failed command.
    out = p.stdout.split(MARK_OUT + "\n")
    return out[:len(commands)], p.stderr

def scalar_of(text):
    """kdive/drgn '(type)value' of a scalar -> value text, or None for aggregates."""
    m = re.fullmatch(r"\(([^(){}]*)\)([^{}\n]+)", text)
    return m.group(2) if m else None

def same_value(kd, gdb):
    gdb = gdb.strip()
    if kd.startswith('"'):  # char arrays: gdb adds the trailing NULs as "<repeats>"
        m = re.match(r'("(?:[^"\\]|\\.)*")', gdb)
        return bool(m) and m.group(1) == kd
    if kd in ("0", "1") and gdb in ("false", "true"):
        return (kd == "1") == (gdb == "true")
    g = gdb.split(" ")[0].split("::")[-1]  # C++ enumerators: gdb qualifies them
    try:
        return float(kd) == float(g)
    except ValueError:
        return kd == g

def numbers(text):
    """The numbers, addresses and strings of a printed value, without type names and
    symbol names: kdive's `*(int *)(sym+0x0 = 0x55..) = 1000` and gdb's
    `(int &) @0x55..: 1000` both give ['0x55..', '1000']."""
    text = re.sub(r"[A-Za-z_][\w.]*\+0x[0-9a-f]+ = ", "", text)
    text = re.sub(r"\((?!0x|-?\d)[^()]*\)", "", text)  # type names, not "(0x55..)"
    return re.findall(r'"(?:[^"\\]|\\.)*"|0x[0-9a-f]+|-?\d+(?:\.\d+)?', text)

total = failed = 0
skipped = []
better = []
for d in dumps:
    ddir = d["drgn_dir"]; gdir = d["gdb_dir"]
    globals_ = json.load(open(f"{ddir}/globals.json"))
    types = json.load(open(f"{ddir}/types.json"))
    gdb_globals = json.load(open(f"{gdir}/globals.json"))
    is_c = d["language"] == "c"
    # Thread-local globals: kdive answers for the crashed thread, gdb for the thread it
    # selected; the program recorded every thread's value (truth.json), so compare there.
    truth = json.load(open(d["truth"]))
    tls_truth = {}
    for th in truth.get("threads", []):
        if th.get("tid") == truth["crash"]["tid"]:
            tls_truth = {k: str(v) for k, v in (th.get("tls") or {}).items()}
    rows = [("print " + n, n, globals_[n]) for n in globals_] + [("ptype " + t, t, types[t]) for t in types]
    answers, err = kdive_answers(d, [r[0] for r in rows])
    for (cmd, name, ref), got in zip(rows, answers):
        got = got.rstrip("\n")
        total += 1
        if "text" in ref:
            # drgn cannot read file-backed pages the kernel left out of the core (string
            # literals in .rodata): it prints a char pointer bare where kdive, reading
            # them from the executable, adds the string. Equal otherwise = pass, noted.
            read_through = re.sub(r'(\(const char \*\)0x[0-9a-f]+) = "(?:[^"\\]|\\.)*"', r"\1", got)
            if got != ref["text"] and read_through == ref["text"]:
                better.append(f"{d['name']}: {cmd}")
                got = read_through
            if got == ref["text"]:
                if cmd.startswith("print ") and name in gdb_globals and "print" in gdb_globals[name]:
                    v = scalar_of(got)
                    if v is not None and not v.startswith("0x") and not same_value(v, gdb_globals[name]["print"]):
                        failed += 1
                        print(f"FAIL {d['name']}: {cmd}: kdive {v!r}, gdb {gdb_globals[name]['print'].strip()!r}")
                continue
            failed += 1
            print(f"FAIL {d['name']}: {cmd}\n  drgn:  {ref['text']!r}\n  kdive: {got!r}")
        else:  # drgn failed: kdive may do better; then its value must be gdb's
            if got:
                g = gdb_globals.get(name, {}).get("print", "").strip()
                if name in tls_truth:
                    g = tls_truth[name]
                if g and numbers(got) != numbers(g):
                    failed += 1
                    print(f"FAIL {d['name']}: {cmd}: drgn failed ({ref.get('error')}); kdive {got!r} but gdb {g!r}")
                else:
                    better.append(f"{d['name']}: {cmd} (drgn: {ref.get('error')}; kdive and gdb: {got[:60]!r})")
print(f"{total - failed - len(skipped)}/{total} rows agree (byte-identical to drgn, or better where listed below; scalars equal to gdb) on {len(dumps)} user cores; "
      f"{failed} failed; {len(skipped)} not compared:")
for s in skipped:
    print("  " + s)
print(f"{len(better)} rows where drgn could not read file-backed memory left out of the core "
      "and kdive read it from the executable (checked against gdb, or for thread-locals the program's own record):")
for s in better:
    print("  " + s)
sys.exit(1 if failed else 0)
PYEOF
