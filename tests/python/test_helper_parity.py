#!/usr/bin/python3
# kdive's own helper modules against drgn's: every probe in probes/parity/ (one
# "label: value" line per helper call) runs on every kernel dump kdive opens, once under
# kdive's `drgn` package with no fallback to drgn's code (KDIVE_DRGN_PATH=none), once
# under drgn 0.2.0's pure-Python package ("drgn-pkg"); both over kdive's `_drgn`, so the
# only difference is whose helper code ran. Their lines must be identical, except
#   - labels listed in tests/diff/KNOWN_DIFFERENCES.md's "Helper parity" section;
#   - answers that differ only where kdive says "free slab object" and drgn 0.2.0 says
#     "slab object" (drgn reads the lockless freelists of online CPUs only; see
#     KNOWN_DIFFERENCES.md: which CPU's freelist holds a freed object is incidental);
#   - kdive must never print SKIP (a helper it lacks): these are the helpers it claims.
# Also: each probe must print at least MIN_LINES lines, so a probe that stops early fails.
#   KDIVE_TEST_KERNELS=6.1,7.2 KDIVE_PARITY_PROBES=block,net python3 tests/python/test_helper_parity.py
import concurrent.futures
import glob
import os
import re

import kdive_testlib as lib

PROBES = sorted(glob.glob(os.path.join(lib.HERE, "probes", "parity", "[a-z]*.py")))
MIN_LINES = 5
F = lib.Failures()


def parse(stdout):
    """[(label, value)] in order; a label may repeat only by mistake (checked)."""
    out = []
    for line in stdout.splitlines():
        label, sep, value = line.partition(": ")
        if sep:
            out.append((label, value))
    return out


def run_probe(probe, d):
    argv = [probe, d["path"]] + d["debug"]
    return lib.run("kdive", argv, extra_env={"KDIVE_DRGN_PATH": "none"}), lib.run("drgn-pkg", argv)


def offline_cpu_freelist(want, have):
    """Whether kdive's answer is drgn's once its free objects are read as drgn 0.2.0
    reads them: objects on the lockless freelist of a CPU the panic took offline are
    "slab object" (allocated) to drgn, "free slab object" to kdive."""
    if not isinstance(have, str) or "free slab object: " not in have:
        return False
    mapped = have.replace("free slab object: ", "slab object: ")
    mapped = re.sub(r"\('slab', '\(([^']*), False\)'\)", r"('slab', '(\1, True)')", mapped)
    return mapped == want


def compare(name, kernel, ref, got, known):
    same = excused = 0
    ref_d, got_d = dict(ref), dict(got)
    F.check(len(got_d) == len(got), f"{name}: a label is printed twice")
    for label, want in ref:
        have = got_d.get(label)
        excuse = (label in known and (known[label] is None or kernel in known[label])) or \
            offline_cpu_freelist(want, have)
        if want == "SKIP":
            F.check(False, f"{name}: {label}: drgn 0.2.0 has no such helper (a mistake in the probe)")
        elif have == "SKIP":
            F.check(False, f"{name}: {label}: kdive lacks this helper")
        elif have == want:
            same += 1
        else:
            excused += excuse
            F.check(excuse, f"{name}: {label}", f"  drgn:  {want[:800]}\n  kdive: {str(have)[:800]}")
    F.check([lbl for lbl, _ in got] == [lbl for lbl, _ in ref], f"{name}: different labels", lib.diff(
        "\n".join(lbl for lbl, _ in ref) + "\n", "\n".join(lbl for lbl, _ in got) + "\n", "drgn", "kdive"))
    return same, excused


def main():
    wanted = os.environ.get("KDIVE_TEST_KERNELS")
    wanted = {k.strip() for k in wanted.split(",")} if wanted else None
    only = {p for p in os.environ.get("KDIVE_PARITY_PROBES", "").split(",") if p}
    probes = [p for p in PROBES if not only or os.path.basename(p)[:-3] in only]
    F.check(bool(probes), "no parity probe selected")
    known = lib.known_labels("Helper parity")
    jobs = []
    for d in lib.dumps(drgn=False):
        if wanted and d["kernel_name"] not in wanted:
            continue
        for probe in probes:
            jobs.append((probe, d))
    workers = int(os.environ.get("KDIVE_TEST_JOBS", "2"))
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(lambda j: run_probe(*j), jobs))
    for (probe, d), ((rc_k, out_k, err_k), (rc_d, out_d, err_d)) in zip(jobs, results):
        name = f"{d['name']} {os.path.basename(probe)[:-3]}"
        F.check(rc_k == 0, f"{name}: kdive probe exit {rc_k}", err_k[-2000:])
        F.check(rc_d == 0, f"{name}: drgn-pkg probe exit {rc_d}", err_d[-2000:])
        ref, got = parse(out_d), parse(out_k)
        F.check(len(ref) >= MIN_LINES, f"{name}: probe printed {len(ref)} lines (< {MIN_LINES})")
        same, excused = compare(name, d["kernel_name"], ref, got, known)
        print(f"{name}: {same} identical, {excused} known differences", flush=True)
    F.finish()


if __name__ == "__main__":
    main()
