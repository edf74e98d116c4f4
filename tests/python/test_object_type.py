#!/usr/bin/python3
# Object and Type fidelity against drgn 0.0.22: on every kernel dump drgn opens, the
# probe (probes/object_type_probe.py: repr/str/format_ of kernel objects and types,
# constructed types and objects, arithmetic, exceptions) must print the same bytes under
# drgn and under kdive's `drgn` package; and a few exact values are asserted by
# themselves (drgn's constructor-form reprs, compound values, messages). On the dumps drgn
# does not open (7.2 and some formats) the probe must run to its end under kdive.
# Lines kept out of the probe on purpose: tests/diff/KNOWN_DIFFERENCES.md ("Python Object/Type").
import os
import sys
from concurrent.futures import ThreadPoolExecutor

import kdive_testlib as lib

PROBE = os.path.join(lib.HERE, "probes", "object_type_probe.py")
F = lib.Failures()


def compare(d):
    argv = [PROBE, d["path"]] + d["debug"]
    with ThreadPoolExecutor(2) as pool:
        want, got = pool.map(lambda engine: lib.run(engine, argv), ["drgn", "kdive"])
    name = f"{d['kernel_name']} {d['format']} {d['scenario']}"
    if want[0] != 0:
        print(f"skip {name}: drgn failed: {want[2][-500:]}")
        return
    F.check(got[0] == 0, f"{name}: kdive exit status {got[0]}", got[2][-2000:])
    F.check(want[1] == got[1], f"{name}: probe output", lib.diff(want[1], got[1], "drgn", "kdive")[:20000])


def exact(d):
    sys.path[:0] = [lib.BUILD_PY, os.path.join(lib.SRC, "python")]
    from drgn import FaultError, Object, Program, TypeMember  # noqa: E402

    prog = Program()
    prog.set_core_dump(d["path"])
    prog.load_debug_info(d["debug"])
    F.check(repr(prog.type("struct list_head")) ==
            "prog.struct_type(tag='list_head', size=16, members=(TypeMember(prog.type('struct list_head *'), "
            "name='next', bit_offset=0), TypeMember(prog.type('struct list_head *'), name='prev', bit_offset=64)))",
            "repr(struct list_head)", repr(prog.type("struct list_head")))
    F.check(repr(prog.int_type("int", 4, True)) == "prog.int_type(name='int', size=4, is_signed=True)",
            "repr(int_type)", repr(prog.int_type("int", 4, True)))
    o = Object(prog, "struct list_head", {"next": 0, "prev": 16})
    F.check(o.value_() == {"next": 0, "prev": 16}, "struct from dict", repr(o))
    F.check(repr(Object(prog, "void *", 0)) == "Object(prog, 'void *', value=0x0)", "pointer repr",
            repr(Object(prog, "void *", 0)))
    a = Object(prog, "int [3]", [1, -2])
    F.check(a.value_() == [1, -2, 0] and len(a) == 3 and int(a[2]) == 0, "array from list", repr(a))
    F.check(Object(prog, "int", 258).to_bytes_() == b"\x02\x01\x00\x00", "to_bytes_")
    t = prog.struct_type("pt", 8, (TypeMember(prog.type("int"), "x"), TypeMember(prog.type("int"), "y", 32)))
    F.check(Object.from_bytes_(prog, t, bytes(range(8))).y.value_() == 0x07060504, "from_bytes_ struct")
    try:
        Object(prog, "int", address=0).value_()
        F.check(False, "FaultError on address 0")
    except FaultError as e:
        F.check(str(e) == "address is not mapped: 0x0", "FaultError message", str(e))
    F.check(str(prog["init_task"].comm) == '(char [16])"swapper/0"', "init_task.comm", str(prog["init_task"].comm))


def kdive_only(d):
    """A dump drgn 0.0.22 does not open (7.2, flattened/QEMU/physical-only formats): the
    probe must run to its end under kdive."""
    status, out, err = lib.run("kdive", [PROBE, d["path"]] + d["debug"])
    name = f"{d['kernel_name']} {d['format']} {d['scenario']}"
    F.check(status == 0 and "\nsweep init_task.comm repr: " in out, f"{name}: kdive probe runs", err[-2000:])


def main():
    dumps = lib.dumps(drgn=True)
    for d in dumps:
        compare(d)
    opened = {d["path"] for d in dumps}
    for d in lib.dumps(drgn=False):
        if d["path"] not in opened:
            kdive_only(d)
    if dumps:
        exact(dumps[0])
    F.finish()


if __name__ == "__main__":
    main()
