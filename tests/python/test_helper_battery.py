#!/usr/bin/python3
# The helper battery: on every dump of dumps(), probes/helper_battery.py (≥ 60 helper
# calls, one "label: value" line each) runs under Debian's drgn 0.0.22 and under kdive's
# drgn package; their lines must be identical, except
#   - where drgn 0.0.22 lacks the helper ("label: SKIP"): kdive must give a value (not
#     SKIP, not ERROR) — a helper drgn 0.2.0 added, checked for running only;
#   - labels listed in tests/diff/KNOWN_DIFFERENCES.md's helper section (explained there).
# Once per kernel, kdive's side also runs with KDIVE_DRGN_PATH=none (no fallback to
# drgn's package) and must give the same lines as with it, except that the modules kdive
# leaves to drgn's package ("fallback.*" lines) must then fail to import (SKIP). Dumps drgn cannot open are
# run by kdive alone (see the end of main()).
# KDIVE_TEST_KERNELS=6.1,5.10 limits the kernels (by the dump name's kernel part).
import os
import sys

import kdive_testlib as lib

PROBE = os.path.join(lib.HERE, "probes", "helper_battery.py")
F = lib.Failures()


def parse(stdout):
    lines = {}
    for line in stdout.splitlines():
        label, sep, value = line.partition(": ")
        if sep:
            lines[label] = value
    return lines


def kernel_of(d):
    return d["kernel_name"]


# Errors a kernel drgn cannot open may give (no reference to compare with): the
# probe's deliberate misuse (virt_to_page of the kernel image faults, as in drgn) and
# kernels built without CONFIG_IKCONFIG.
ALLOWED_ERRORS = {"virt_to_page.image": "FaultError", "get_kconfig": "LookupError"}


def compare(name, kernel, ref, got, known):
    """Lines of kdive (`got`) against the reference (`ref`); (same, skipped, excused)."""
    same = skipped = excused = 0
    for label, want in ref.items():
        have = got.get(label)
        excuse = label in known and (known[label] is None or kernel in known[label])
        if want == "SKIP":
            skipped += 1
            ok = have is not None and have != "SKIP" and not have.startswith("ERROR")
            F.check(ok or excuse, f"{name}: {label} (drgn 0.0.22 lacks it) kdive: {have}")
        elif have == want:
            same += 1
        else:
            excused += excuse
            F.check(excuse, f"{name}: {label}", f"  drgn:  {want[:600]}\n  kdive: {str(have)[:600]}")
    F.check(set(got) == set(ref), f"{name}: different labels", lib.diff(
        "\n".join(sorted(ref)) + "\n", "\n".join(sorted(got)) + "\n", "drgn", "kdive"))
    return same, skipped, excused


def main():
    wanted = os.environ.get("KDIVE_TEST_KERNELS")
    wanted = {k.strip() for k in wanted.split(",")} if wanted else None
    known = lib.known_labels("Helper battery")
    no_fallback_done = set()
    references = {}  # (kernel, scenario) -> drgn's lines on a dump it opens
    for d in lib.dumps():
        kernel = kernel_of(d)
        if wanted and kernel not in wanted:
            continue
        argv = [PROBE, d["path"]] + d["debug"]
        rc_d, out_d, err_d = lib.run("drgn", argv)
        rc_k, out_k, err_k = lib.run("kdive", argv)
        name = d["name"]
        F.check(rc_d == 0, f"{name}: drgn probe exit {rc_d}", err_d[-2000:])
        F.check(rc_k == 0, f"{name}: kdive probe exit {rc_k}", err_k[-2000:])
        ref, got = parse(out_d), parse(out_k)
        references.setdefault((kernel, d["scenario"]), ref)
        F.check(len(ref) >= 60, f"{name}: probe printed {len(ref)} helper lines (< 60)")
        same, skipped, excused = compare(name, kernel, ref, got, known)
        print(f"{name}: {same} identical, {skipped} kdive-only, {excused} known differences", flush=True)
        if kernel not in no_fallback_done:
            no_fallback_done.add(kernel)
            os.environ["KDIVE_DRGN_PATH"] = "none"
            try:
                rc_n, out_n, err_n = lib.run("kdive", argv)
            finally:
                del os.environ["KDIVE_DRGN_PATH"]
            F.check(rc_n == 0, f"{name}: kdive probe without drgn exit {rc_n}", err_n[-2000:])
            # The same lines, but for modules only drgn's package has ("fallback.*"),
            # which must then be an ImportError (SKIP).
            want_n = "".join(f"{line.split(': ', 1)[0]}: SKIP\n" if line.startswith("fallback.") else line + "\n"
                             for line in out_k.splitlines())
            F.check(out_n == want_n, f"{name}: kdive without drgn's package differs",
                    lib.diff(want_n, out_n, "expected", "KDIVE_DRGN_PATH=none"))

    # Dumps drgn 0.0.22 cannot open (other formats; kernel 7.2): kdive alone, against
    # drgn's lines for the same kernel and scenario when there are some, else no errors.
    for d in lib.dumps(drgn=False):
        kernel = kernel_of(d)
        if d.get("drgn_opens") or (wanted and kernel not in wanted):
            continue
        name = d["name"]
        argv = [PROBE, d["path"]] + d["debug"]
        rc_k, out_k, err_k = lib.run("kdive", argv)
        F.check(rc_k == 0, f"{name}: kdive probe exit {rc_k}", err_k[-2000:])
        got = parse(out_k)
        ref = references.get((kernel, d["scenario"]))
        if ref is not None:
            same, skipped, excused = compare(name, kernel, ref, got, known)
            print(f"{name} (drgn's lines of the {d['scenario']} dump): {same} identical, "
                  f"{skipped} kdive-only, {excused} known differences", flush=True)
            continue
        F.check(len(got) >= 60, f"{name}: probe printed {len(got)} helper lines (< 60)")
        # "fallback.*" lines run drgn 0.0.22's own helper code, which predates this
        # kernel's layouts (its block.py fails on 7.2): not kdive's to answer for.
        bad = [f"{k}: {v}" for k, v in got.items()
               if (v == "SKIP" or v.startswith("ERROR")) and v != f"ERROR {ALLOWED_ERRORS.get(k)}"
               and not k.startswith("fallback.")]
        F.check(not bad, f"{name}: kdive-only run has errors", "\n".join(bad))
        print(f"{name} (kdive only): {len(got)} helper lines, {len(bad)} unexpected errors", flush=True)
    F.finish()


if __name__ == "__main__":
    sys.exit(main())
