# The fixture manifest for the script tests (tests/diff, tests/integration):
# $KDIVE_FIXTURES/manifest.json (default ~/.cache/kdive/fixtures), narrowed to the
# kernels under test ($KDIVE_TEST_KERNELS: a comma list of matrix names; unset = all).
# The C++ tests read the same rules from tests/integration/fixture_manifest.h.
#   python3 tests/fixture_manifest.py dumps [--drgn|--drgn-vmlinux] [--scenario S] [--format F] FIELD...
#   python3 tests/fixture_manifest.py kernels FIELD...
#   python3 tests/fixture_manifest.py one-kernel NAME   (a manifest of that kernel alone;
#     its misfiltered -d 31 dumps, when not under test, under "misfiltered_dumps")
# prints one tab-separated line per entry ("-" for a null or missing field); a list
# field is spread over the rest of the line; a missing manifest is exit status 1 with the reason.
import json
import os
import sys


def manifest_path():
    root = os.environ.get("KDIVE_FIXTURES") or os.path.expanduser("~/.cache/kdive/fixtures")
    return os.path.join(root, "manifest.json")


def load():
    with open(manifest_path()) as f:
        m = json.load(f)
    # build-all.sh keeps a builder's other top-level keys under its kind; when the kernel
    # builder wrote both "kernel" and "kernels", they arrive nested as
    # m["kernel"] = {"kernel": {...}, "kernels": [...]}: lift them back to the top.
    k = m.get("kernel")
    if isinstance(k, dict) and "kernels" in k and "kernels" not in m:
        m["kernels"] = k["kernels"]
        m["kernel"] = k.get("kernel", k["kernels"][0] if k["kernels"] else {})
    return m


def under_test(name):
    wanted = [k for k in os.environ.get("KDIVE_TEST_KERNELS", "").split(",") if k]
    return not wanted or name in wanted


def dump_under_test(d):
    """A dump of a kernel under test; makedumpfile -d 31 files the fixture builder marked
    "misfiltered" (makedumpfile misreads that kernel's struct page and dropped in-use
    pages, scripts/fixtures/kernel/matrix.txt) only with KDIVE_TEST_MISFILTERED=1."""
    if d["kind"] != "kernel":
        return True
    return under_test(d.get("kernel_name", "")) and (
        not d.get("misfiltered") or os.environ.get("KDIVE_TEST_MISFILTERED") == "1")


def drgn_mode(d):
    """How far drgn 0.0.22 gets on a kernel dump (fixture time): "full" (dump, vmlinux and
    modules), "vmlinux" (it reads the dump with the vmlinux but cannot find the loaded
    modules, as on 6.4+ where struct module lost core_size: the module's symbols are
    unknown to it) or "none" (it cannot read the dump, or only through a page-table walk
    it lacks)."""
    if d.get("drgn_opens"):
        return "full"
    err = d.get("drgn_error") or ""
    if err.startswith("kernel modules (could not find loaded kernel modules:") and "address translation" not in err:
        return "vmlinux"
    return "none"


def kernel_dumps(m=None, drgn=False, scenario=None, fmt=None, drgn_vmlinux=False):
    m = m or load()
    out = [d for d in m["dumps"]
            if d["kind"] == "kernel" and dump_under_test(d)
            and (not drgn or d.get("drgn_opens"))
            and (not drgn_vmlinux or drgn_mode(d) != "none")
            and (scenario is None or d["scenario"] == scenario)
            and (fmt is None or d["format"] == fmt)]
    for d in out:
        d["drgn_mode"] = drgn_mode(d)
    return out


def kernels(m=None):
    m = m or load()
    return [k for k in m.get("kernels", [m["kernel"]]) if under_test(k.get("name", ""))]


def _row(entry, fields):
    out = []
    for f in fields:
        v = entry.get(f)
        # "-" for a missing or null field: bash's `read` with IFS=$'\t' would merge an
        # empty field into its neighbour (a tab is IFS white space).
        out += [str(x) for x in v] if isinstance(v, list) else ["-" if v is None or v == "" else str(v)]
    return "\t".join(out)


def main(argv):
    if not os.path.isfile(manifest_path()):
        print(f"no {manifest_path()}: run scripts/fixtures/build-all.sh", file=sys.stderr)
        return 1
    what, args = argv[0], argv[1:]
    opts = {}
    while args and args[0].startswith("--"):
        key = args.pop(0)[2:]
        opts[key] = True if key in ("drgn", "drgn-vmlinux") else args.pop(0)
    if what == "dumps":
        rows = kernel_dumps(drgn=opts.get("drgn", False), scenario=opts.get("scenario"), fmt=opts.get("format"),
                            drgn_vmlinux=opts.get("drgn-vmlinux", False))
    elif what == "kernels":
        rows = kernels()
    elif what == "one-kernel":
        m = load()
        k = next(k for k in m.get("kernels", []) if k["name"] == args[0])
        for d in m["dumps"]:
            if d["kind"] == "kernel":
                d["drgn_mode"] = drgn_mode(d)
        # Dumps left out as misfiltered stay listed apart: a test of what makedumpfile
        # did filter (free pages) can still use them.
        one = dict(m, kernel=k, kernels=[k],
                   dumps=[d for d in m["dumps"] if d["kind"] != "kernel"
                          or (d.get("kernel_name") == args[0] and dump_under_test(d))],
                   misfiltered_dumps=[d for d in m["dumps"] if d["kind"] == "kernel"
                                      and d.get("kernel_name") == args[0] and not dump_under_test(d)])
        json.dump(one, sys.stdout, indent=1)
        return 0
    else:
        print(f"unknown listing {what}", file=sys.stderr)
        return 2
    for e in rows:
        print(_row(e, args))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
