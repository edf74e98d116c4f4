#!/usr/bin/python3
# drgn's OWN pure-Python packages on kdive's _drgn: on every kernel dump drgn opens, the
# probe (probes/drgn_package_probe.py: tasks, PID lookups, per-CPU data, IDR/XArray,
# lists, slab caches, printk, symbols, stack traces through drgn's helpers) must print
# the same under Debian's drgn 0.0.22 ("drgn"), drgn 0.2.0's package over kdive's _drgn
# ("drgn-pkg") and 0.0.22's package over kdive's _drgn ("drgn-022-pkg"), except for the
# differences listed in tests/diff/KNOWN_DIFFERENCES.md (normalized by `known()` below);
# dumps drgn does not open are checked as `compare_other()` says.
# Then direct checks of Symbol, Platform, Language and Thread values through _drgn.
# One dump per kernel and scenario unless KDIVE_PYTHON_EVERY_FORMAT=1 (kdive_testlib.dumps);
# KDIVE_TEST_KERNELS=6.1,5.10 limits the kernels; KDIVE_TEST_JOBS the parallel runs (2).
import concurrent.futures
import os
import re
import sys

import kdive_testlib as lib

PROBE = os.path.join(lib.HERE, "probes", "drgn_package_probe.py")
ENGINES = ("drgn-pkg", "drgn-022-pkg")
F = lib.Failures()


def selected(dumps):
    kernels = os.environ.get("KDIVE_TEST_KERNELS")
    if not kernels:
        return dumps
    want = set(kernels.split(","))
    return [d for d in dumps if d["kernel_name"] in want]


_UNKNOWN_FRAME = re.compile(r"^#(\d+)\s+\?\?\?$")
# A kernel-address frame drgn names nothing: a kretprobe's return trampoline (assembly
# without a symbol size) that drgn 0.0.22 unwinds as code, losing the probed call's
# real callers; kdive recovers the swapped return address (KNOWN_DIFFERENCES.md).
_TRAMPOLINE_FRAME = re.compile(r"^#(\d+)\s+0xffff[0-9a-f]{12}$")
_ENTRY_VALUE_FAILURE = re.compile(r"^   \S+ raised Exception$")
_STR_FRAME = re.compile(r"^#(\d+)\s")
_DETAIL_FRAME = re.compile(r"^  \[(\d+)\] ")


def blocks(text):
    """The probe's output as [(header, [lines])], a block per "== " or "-- " line."""
    out = [("", [])]
    for line in text.splitlines():
        if line.startswith(("== ", "-- ")):
            out.append((line, []))
        else:
            out[-1][1].append(line)
    return out


def frames_limit(lines):
    """The frame count drgn's trace has before a `#N  ???` frame it could not unwind to,
    or a kretprobe trampoline it took for code."""
    for line in lines:
        m = _UNKNOWN_FRAME.match(line) or _TRAMPOLINE_FRAME.match(line)
        if m:
            return int(m.group(1))
    return None


def cut(lines, limit):
    out = []
    for line in lines:
        m = _STR_FRAME.match(line) or _DETAIL_FRAME.match(line)
        if m and int(m.group(1)) >= limit:
            continue
        out.append(line)
    out.append(f"(frames from #{limit} on not compared: KNOWN_DIFFERENCES.md)")
    return out


def known(want, got):
    """Both probe outputs with the differences listed in KNOWN_DIFFERENCES.md ("drgn's
    own packages on kdive's _drgn") normalized away:
    - a trace drgn 0.0.22 ends with `#N  ???` (an interrupt frame it cannot cross) is
      compared up to frame N-1; kdive continues into the interrupted code;
    - likewise at `#N  0xffff...`, a kretprobe trampoline drgn does not see through;
    - a frame variable drgn 0.0.22 cannot read (DW_OP_entry_value: it raises
      Exception) while kdive gives its value;
    - when drgn 0.0.22 names another crashed thread than kdive (it takes the first CPU's
      task; kdive the task on panic_cpu), the crashed-thread block is not compared."""
    a, b = blocks(want), blocks(got)
    if [h for h, _ in a] != [h for h, _ in b]:
        return want, got  # a different structure: show the raw difference
    crashed_a = [x for x in sum((ls for _, ls in a), []) if x.startswith("crashed:")]
    crashed_b = [x for x in sum((ls for _, ls in b), []) if x.startswith("crashed:")]
    out_a, out_b = [], []
    for (h, la), (_, lb) in zip(a, b):
        if h == "-- crashed thread" and crashed_a[:1] != crashed_b[:1]:
            la = lb = ["(crashed thread differs: KNOWN_DIFFERENCES.md)"]
        limit = frames_limit(la)
        if limit is not None:
            la, lb = cut(la, limit), cut(lb, limit)
        if any(x.startswith("crashed:") for x in la) and crashed_a[:1] != crashed_b[:1]:
            la = [x for x in la if not x.startswith("crashed:")]
            lb = [x for x in lb if not x.startswith("crashed:")]
        if len(la) == len(lb):
            # drgn 0.0.22 raises for DW_OP_entry_value ("unknown DWARF expression
            # opcode 0xa3"); kdive evaluates it.
            lb = [x if _ENTRY_VALUE_FAILURE.match(x) and y.startswith(x.split(" raised ")[0] + " ") else y
                  for x, y in zip(la, lb)]
        out_a += ([h] if h else []) + la
        out_b += ([h] if h else []) + lb
    return "\n".join(out_a) + "\n", "\n".join(out_b) + "\n"


def run_probe(engine, d):
    return lib.run(engine, [PROBE, d["path"]] + d["debug"])


def compare(d, results):
    name = d["name"]
    rc, want, err = results["drgn"]
    if rc != 0:
        F.check(False, f"{name}: drgn 0.0.22 ran the probe", err[-2000:])
        return
    for engine in ENGINES:
        rc, got, err = results[engine]
        F.check(rc == 0, f"{name}: {engine} ran the probe", err[-3000:])
        if rc != 0:
            continue
        a, b = known(want, got)
        F.check(a == b, f"{name}: {engine} prints what drgn 0.0.22 prints", lib.diff(a, b, "drgn", engine)[:6000])


def direct_checks(d):
    """Values of the classes this task adds, through kdive's _drgn in this process."""
    sys.path.insert(0, lib.BUILD_PY)
    import _drgn

    prog = _drgn.Program()
    prog.set_core_dump(d["path"])
    prog.load_debug_info(d["debug"])
    name = d["name"]

    s = prog.symbol("schedule")
    F.check(s.name == "schedule" and s.kind == _drgn.SymbolKind.FUNC and s.binding == _drgn.SymbolBinding.GLOBAL,
            f"{name}: Symbol fields", repr(s))
    F.check(repr(s) == f"Symbol(name='schedule', address={s.address:#x}, size={s.size:#x}, "
            "binding=<SymbolBinding.GLOBAL: 2>, kind=<SymbolKind.FUNC: 2>)", f"{name}: Symbol repr", repr(s))
    F.check(prog.symbol(s.address + s.size - 1) == s and prog.symbol(s.address) == s, f"{name}: symbol by address")
    F.check(s == _drgn.Symbol("schedule", s.address, s.size, _drgn.SymbolBinding.GLOBAL, _drgn.SymbolKind.FUNC)
            and s != _drgn.Symbol("schedule", s.address, s.size + 1, _drgn.SymbolBinding.GLOBAL, _drgn.SymbolKind.FUNC),
            f"{name}: Symbol ==")
    for bad in ("kdive_no_such_symbol", 8):
        try:
            prog.symbol(bad)
            F.check(False, f"{name}: symbol({bad!r}) raises LookupError")
        except LookupError:
            F.check(True, "")
    F.check(prog.symbols("schedule")[0] == s and s in prog.symbols(s.address), f"{name}: symbols()")

    p = prog.platform
    F.check(p == _drgn.host_platform and p.arch == _drgn.Architecture.X86_64
            and p.flags == _drgn.PlatformFlags.IS_64_BIT | _drgn.PlatformFlags.IS_LITTLE_ENDIAN,
            f"{name}: Program.platform", repr(p))
    F.check(repr(p) == "Platform(<Architecture.X86_64: 1>, <PlatformFlags.IS_64_BIT|IS_LITTLE_ENDIAN: 3>)",
            f"{name}: Platform repr", repr(p))
    F.check([r.names for r in p.registers][:3] == [("rax",), ("rdx",), ("rcx",)] and len(p.registers) == 26,
            f"{name}: Platform.registers")
    F.check(prog.language == _drgn.Language.C and repr(_drgn.Language.CPP) == "Language.CPP"
            and _drgn.Language.CPP.name == "C++", f"{name}: Language")
    F.check(_drgn.Program().platform is None and _drgn.Program(_drgn.host_platform).platform == _drgn.host_platform,
            f"{name}: Program(platform)")

    t = prog.thread(1)
    F.check(t.tid == 1 and t.object.pid.value_() == 1 and t.name == t.object.comm.string_().decode(),
            f"{name}: Thread(1)", f"{t.tid} {t.name}")
    c = prog.crashed_thread()
    trace = c.stack_trace()
    F.check(len(trace) > 0 and c.object.pid.value_() == c.tid, f"{name}: crashed thread")
    f0 = trace[0]
    F.check(f0.registers().get("rip") == f0.pc and f0.register("rsp") == f0.sp, f"{name}: frame registers")
    try:
        f0.register("xmm99")
        F.check(False, f"{name}: unknown register raises ValueError")
    except ValueError:
        F.check(True, "")
    F.check(f0.symbol() == prog.symbol(f0.pc - (0 if f0.interrupted else 1)), f"{name}: frame symbol")
    try:
        prog.main_thread()
        F.check(False, f"{name}: main_thread of a kernel raises ValueError")
    except ValueError:
        F.check(True, "")
    F.check(_drgn.filename_matches("/usr/include/stdio.h", "include/stdio.h")
            and not _drgn.filename_matches("x/ab", "b") and _drgn.filename_matches("a", None), "filename_matches")
    try:
        _drgn.DebugInfoOptions()
        F.check(False, "DebugInfoOptions raises NotImplementedError")
    except NotImplementedError:
        F.check(True, "")


def before_traces(text):
    return text.split("== threads / stack traces")[0]


def compare_other(d, reference, results):
    """A dump drgn 0.0.22 does not open as a whole. Other formats of a capture drgn
    reads (elf-phys, kdump-flat-zlib, kdump-qemu-zlib): compared with drgn's output on
    that capture's elf-paging dump. 7.2 (drgn finds no loaded modules there, so both
    are given the vmlinux alone): drgn and 0.0.22's package over kdive's _drgn must
    agree up to the stack traces (drgn cannot unwind module frames it has no ORC for);
    the traces of the two packages over kdive's _drgn must agree with each other."""
    name = d["name"]
    for engine in ENGINES:
        rc, got, err = results[engine]
        F.check(rc == 0, f"{name}: {engine} ran the probe", err[-3000:])
    if d.get("drgn_mode") == "vmlinux":
        rc, want, err = results["drgn"]
        # (drgn 0.0.22's own traces and thread list may fail there: not compared)
        F.check("== threads / stack traces" in want, f"{name}: drgn 0.0.22 ran the probe up to the traces",
                err[-2000:])
        a, b = known(before_traces(want), before_traces(results["drgn-022-pkg"][1]))
        F.check(a == b, f"{name}: drgn-022-pkg prints what drgn 0.0.22 prints (before the traces)",
                lib.diff(a, b, "drgn", "drgn-022-pkg")[:6000])
        ta = results["drgn-022-pkg"][1].split("== threads / stack traces")[-1]
        tb = results["drgn-pkg"][1].split("== threads / stack traces")[-1]
        F.check(ta == tb, f"{name}: the traces of drgn-pkg and drgn-022-pkg agree", lib.diff(ta, tb, "022", "020")[:4000])
    elif reference is not None:
        for engine in ENGINES:
            a, b = known(reference, results[engine][1])
            F.check(a == b, f"{name}: {engine} prints what drgn 0.0.22 prints on the elf-paging dump",
                    lib.diff(a, b, "drgn", engine)[:6000])


def main():
    drgn_dumps = selected(lib.dumps())
    opened = {d["name"] for d in drgn_dumps}
    others = [d for d in selected(lib.dumps(drgn=False)) if d["name"] not in opened]
    for d in others:
        if d.get("drgn_mode") == "vmlinux":
            d["debug"] = [d["vmlinux"]]
    jobs = int(os.environ.get("KDIVE_TEST_JOBS", "2"))
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        runs = [(d, e) for d in drgn_dumps for e in ("drgn",) + ENGINES]
        runs += [(d, e) for d in others for e in ENGINES + (("drgn",) if d.get("drgn_mode") == "vmlinux" else ())]
        futures = {(d["name"], e): pool.submit(run_probe, e, d) for d, e in runs}
        references = {}
        for d in drgn_dumps:
            results = {e: futures[(d["name"], e)].result() for e in ("drgn",) + ENGINES}
            compare(d, results)
            if d["format"] == "elf-paging" and results["drgn"][0] == 0:
                references[(d["kernel_name"], d["scenario"])] = results["drgn"][1]
            print(f"{d['name']}: compared", flush=True)
        for d in others:
            results = {e: futures[(d["name"], e)].result() for e in ENGINES + ("drgn",)
                       if (d["name"], e) in futures}
            compare_other(d, references.get((d["kernel_name"], d["scenario"])), results)
            print(f"{d['name']}: compared", flush=True)
    if drgn_dumps:
        direct_checks(drgn_dumps[0])
    F.finish()


if __name__ == "__main__":
    main()
