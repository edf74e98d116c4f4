#!/usr/bin/python3
# The Python binding by itself (no drgn): on every kernel dump under test, kdive's `drgn`
# package opens the dump in this process (so the sanitizer build checks the module too)
# and must give the fixture's ground truth (truth.json, written by the guest): the
# module's globals through Object paths, tasks, stack traces of the known threads, the
# slab cache; and bad input must raise drgn's exception types, never crash.
import json
import os
import re
import sys
import tempfile

import kdive_testlib as lib

sys.path[:0] = [lib.BUILD_PY, os.path.join(lib.SRC, "python")]
import drgn  # noqa: E402  (kdive's package over kdive's _drgn)
from drgn import FaultError, Object, ObjectNotFoundError, Program, TypeKind  # noqa: E402

F = lib.Failures()
assert os.path.dirname(drgn._drgn.__file__) == lib.BUILD_PY if hasattr(drgn, "_drgn") else True


def open_dump(d):
    prog = Program()
    prog.set_core_dump(d["path"])
    prog.load_debug_info(d["debug"])
    return prog


_TOKEN = re.compile(r"\s*(->|\.|\[\d+\]|[A-Za-z_]\w*)")


def evaluate(prog, expr):
    """A truth.json C path expression ('&a', '*p', 'a.b[1].c', 'p->x') through the
    Python API; None for forms this test does not translate (sizeof)."""
    if expr.startswith("sizeof"):
        return None
    prefix = expr[0] if expr[0] in "&*" else ""
    rest = expr[len(prefix):]
    tokens = _TOKEN.findall(rest)
    if "".join(tokens) != rest.replace(" ", ""):
        return None
    obj = prog[tokens[0]]
    i = 1
    while i < len(tokens):
        t = tokens[i]
        if t in (".", "->"):
            obj = getattr(obj, tokens[i + 1]) if t == "." else obj.member_(tokens[i + 1])
            i += 2
        else:
            obj = obj[int(t[1:-1])]
            i += 1
    if prefix == "&":
        return obj.address_of_()
    if prefix == "*":
        return obj[0]
    return obj


def matches(obj, want):
    if isinstance(want, str) and not want.startswith("0x"):
        return obj.string_().decode() == want
    value = obj.value_()
    if isinstance(want, str):
        want = int(want, 16)
    if isinstance(value, bool):
        value = int(value)
    return value == want


def check_truth(prog, d, truth):
    name = d["name"]
    for expr, want in sorted(truth.get("expr", {}).items()):
        try:
            obj = evaluate(prog, expr)
            if obj is None:
                continue
            ok = matches(obj, want)
            F.check(ok, f"{name}: {expr}", f"  want {want!r}, got {obj!r}")
        except Exception as e:  # a wrong exception is a failure, not a crash of the test
            F.check(False, f"{name}: {expr}", f"  {type(e).__name__}: {e}")
    init = prog["init_task"]
    F.check(init.pid.value_() == 0 and init.comm.string_() == b"swapper/0", f"{name}: init_task")
    for who in [truth.get("crasher"), truth.get("waiter")] + list(truth.get("thread") or []):
        if not who:
            continue
        task = Object(prog, "struct task_struct", address=int(who["task"], 16))
        F.check(task.pid.value_() == who["pid"] and task.comm.string_().decode() == who["comm"],
                f"{name}: task {who['comm']}", f"  got {task.pid.value_()} {task.comm.string_()!r}")
        if "functions" in who and who is not truth.get("crasher"):
            names = [f.name for f in prog.stack_trace(task)]
            want = who["functions"].split(",")
            pos = [names.index(n) if n in names else -1 for n in want]
            F.check(-1 not in pos and pos == sorted(pos), f"{name}: stack of {who['comm']}",
                    f"  want {want} in order within {names}")
    # drgn's kernel object finder: the page size of x86-64, the release the guest ran,
    # a THREAD_SIZE every known thread's stack is aligned to (THREAD_ALIGN).
    F.check(prog["PAGE_SIZE"].value_() == 4096 and prog["PAGE_SHIFT"].value_() == 12
            and prog["PAGE_MASK"].value_() == 2**64 - 4096, f"{name}: PAGE_*")
    release = truth.get("guest", {}).get("kernel_release")
    if release:
        F.check(prog["UTS_RELEASE"].string_().decode() == release, f"{name}: UTS_RELEASE")
        # The note's own text, as newer drgn gives it (scripts parse it for KERNELOFFSET
        # and NUMBER(...)): a const char array exactly as long as the text, no NUL.
        info = prog["VMCOREINFO"]
        text = info.string_().decode()
        F.check(str(info.type_) == f"const char [{len(text)}]" and f"OSRELEASE={release}\n" in text
                and "PAGESIZE=4096\n" in text and text.endswith("\n"), f"{name}: VMCOREINFO",
                f"  {info.type_} {text[:80]!r}")
    # A CPU's saved registers (its PRSTATUS note) are a full set: frame 0 of the crashed
    # thread has rflags and the segment registers too, in drgn's order, with x86-64's
    # architectural values: kernel code and stack segments (__KERNEL_CS 0x10, __KERNEL_DS
    # 0x18, or a null SS), rflags bit 1 always set.
    if truth.get("crasher"):
        trace = prog.crashed_thread().stack_trace()
        regs = trace[0].registers()
        names = list(regs)
        F.check(names[:17] == ["rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10",
                               "r11", "r12", "r13", "r14", "r15", "rip"]
                and names[17:] == ["rflags", "es", "cs", "ss", "ds", "fs", "gs", "fs.base", "gs.base"]
                and regs["cs"] == 0x10 and regs["ss"] in (0, 0x18) and regs["rflags"] & 2
                and trace[0].register("rflags") == regs["rflags"],
                f"{name}: crashed thread's registers", f"  {regs}")
        # source_location of the crashed PC: the frames of trace[0]'s physical frame
        # (its inline chain), by number or by "symbol+offset".
        first = [f for f in trace if f.pc == trace[0].pc]
        locs = prog.source_location(trace[0].pc)
        sym = prog.symbol(trace[0].pc)
        by_name = prog.source_location(f"{sym.name} + {trace[0].pc - sym.address:#x}")
        F.check([loc.name() for loc in locs] == [f.name for f in first]
                and [tuple(loc) for loc in locs] == [tuple(f.source()) for f in first]
                and str(by_name) == str(locs) and str(prog.source_location(hex(trace[0].pc))) == str(locs),
                f"{name}: source_location", f"  {locs}\n  {[str(f) for f in first]}")
        try:
            prog.source_location(prog["jiffies"].address_)
            F.check(False, f"{name}: source_location of data raises LookupError")
        except LookupError:
            pass
    # stack_trace_from_pcs of a sleeping task's PCs (all return addresses, looked up at
    # pc - 1 as the unwinder does for them): the same functions as its unwound trace.
    waiter = truth.get("waiter")
    if waiter:
        trace = prog.stack_trace(Object(prog, "struct task_struct *", int(waiter["task"], 16)))
        pcs = [f.pc for i, f in enumerate(trace) if i == 0 or f.pc != trace[i - 1].pc]
        rebuilt = prog.stack_trace_from_pcs(pcs)
        F.check([f.name for f in rebuilt] == [f.name for f in trace] and len(trace) > 3,
                f"{name}: stack_trace_from_pcs", f"  {[f.name for f in rebuilt]}\n  {[f.name for f in trace]}")
    # Newer drgn's small Program/Type/Object additions, on values the dump fixes:
    # init_task's comm is "swapper" (its CPU number may follow), read as a C string
    # whole and cut by max_size; a fault at an unmapped address; loff_t's typedef chain
    # ends at a signed 8-byte integer; an Object made without a value is absent (OTHER).
    comm = prog["init_task"].comm
    F.check(prog.read_c_string(comm.address_) == comm.string_()
            and prog.read_c_string(comm.address_, max_size=3) == b"swa"
            and prog.address_size() == 8 and prog.core_dump_path == d["path"] and prog.config == {}
            and prog.type("const loff_t").unaliased().qualifiers == drgn.Qualifiers.CONST
            and prog.type("loff_t").unaliased_kind() == TypeKind.INT and prog.type("loff_t").unaliased().size == 8
            and Object(prog, "int").absence_reason_ == drgn.AbsenceReason.OTHER
            and comm.absence_reason_ is None, f"{name}: read_c_string, address_size, unaliased, absence_reason_")
    try:
        prog.read_c_string(0x10)
        F.check(False, f"{name}: read_c_string(0x10) faults")
    except FaultError as e:
        F.check(e.address == 0x10, f"{name}: read_c_string fault address")
    # SPARSEMEM's geometry, as drgn's kernel object finder gives it: consistent with
    # itself (roots * sections per root = 2^(physmem bits - section bits)) and with
    # struct mem_section's size.
    roots, per_root = prog["NR_SECTION_ROOTS"].value_(), prog["SECTIONS_PER_ROOT"].value_()
    bits, phys_bits = prog["SECTION_SIZE_BITS"].value_(), prog["MAX_PHYSMEM_BITS"].value_()
    F.check(roots * per_root == 1 << (phys_bits - bits) and per_root == 4096 // drgn.sizeof(prog.type("struct mem_section"))
            and str(prog["SECTION_SIZE_BITS"].type_) == "int", f"{name}: SPARSEMEM constants",
            f"  {roots} {per_root} {bits} {phys_bits}")
    # 0.2.0's slices, reinterpret of a value, and a function compared with a pointer.
    comm = prog["init_task"].comm
    F.check(comm[1:3].string_() == comm.string_()[1:3] and comm[1:3].address_ == comm.address_ + 1
            and str(comm[:4].type_) == "char [4]" and len(comm[5:2]) == 0
            and comm.read_()[1:3].to_bytes_() == comm.to_bytes_()[1:3]
            and drgn.reinterpret("unsigned int", Object(prog, "float", 2.0)).value_() == 0x40000000
            and prog["schedule"] == prog["schedule"].address_of_(), f"{name}: slices, reinterpret, function ==")
    # The Module API: the kernel as the main module, with the vmlinux given; the fixture
    # module as a relocatable module at its core base, found by name, by an address in
    # it and by its struct module; each module made once.
    main = prog.main_module()
    F.check(main.name == "kernel" and main.debug_file_path == d["vmlinux"]
            and prog.module(prog.symbol("schedule").address) is main
            and (main.build_id is None or len(main.build_id) == 20), f"{name}: main module", f"  {main!r}")
    want = truth.get("module")
    if want:
        base = int(want["core_base"], 16)
        mod = prog.module(want["name"])
        F.check(isinstance(mod, drgn.RelocatableModule) and mod.address == base
                and (base, base + want["core_size"]) in mod.address_ranges
                and prog.module(base + want["core_size"] - 1) is mod
                and prog.linux_kernel_loadable_module(mod.object) is mod
                and mod.object.name.string_().decode() == want["name"]
                and mod in [m for m in prog.modules()], f"{name}: kernel module", f"  {mod!r} {mod.address_ranges}")
    # Program.object() with no flags finds any kind of global (FindObjectFlags.ANY).
    F.check(prog.object("init_task").address_ == prog.variable("init_task").address_
            and prog.object("schedule").type_.kind == TypeKind.FUNCTION, f"{name}: object() default flags")
    thread_size = prog["THREAD_SIZE"].value_()
    stacks = [int(t["stack"], 16) for t in (truth.get("thread") or []) + [truth.get("waiter") or {}] if "stack" in t]
    F.check(thread_size in (16384, 32768) and all(s % thread_size == 0 for s in stacks),
            f"{name}: THREAD_SIZE", f"  {thread_size} for stacks {[hex(s) for s in stacks]}")
    if "vmemmap_base" in prog:
        F.check(prog["vmemmap"].value_() == prog["vmemmap_base"].value_(), f"{name}: vmemmap")
    slab = truth.get("slab")
    if slab:
        cache = Object(prog, "struct kmem_cache *", int(slab["cache"], 16))
        F.check(cache.name.string_().decode() == slab["cache_name"]
                and cache.object_size.value_() == slab["object_size"], f"{name}: slab cache")


def check_bad_input(prog, d):
    name = d["name"]
    try:
        prog.read(0, 8)
        F.check(False, f"{name}: read of address 0 faults")
    except FaultError as e:
        F.check(e.address == 0, f"{name}: FaultError.address", f"  {e.address!r}")
    garbage = Object(prog, "struct task_struct *", 0xDEAD000000001000)
    try:
        garbage.pid.value_()
        F.check(False, f"{name}: a garbage pointer faults")
    except FaultError as e:
        F.check(e.address >= 0xDEAD000000001000, f"{name}: FaultError.address of a garbage pointer", f"  {e.address:#x}")
    try:
        prog["kdive_no_such_symbol"]
        F.check(False, f"{name}: unknown name raises")
    except ObjectNotFoundError as e:
        F.check(isinstance(e, KeyError), f"{name}: ObjectNotFoundError is a KeyError")
    try:
        prog.type("struct kdive_no_such_type")
        F.check(False, f"{name}: unknown type raises")
    except LookupError:
        F.check(True, f"{name}: unknown type is a LookupError")
    # An Object keeps its Program alive after the last reference to the Program is gone.
    comm = open_dump(d)["init_task"].comm
    import gc
    gc.collect()
    F.check(comm.string_() == b"swapper/0", f"{name}: an Object keeps its Program alive")
    # Loading more debug info reopens kdive's program: what was made before stays valid.
    p = Program()
    p.set_core_dump(d["path"])
    p.load_debug_info([d["vmlinux"]])
    comm, task_type = p["init_task"].comm, p.type("struct task_struct")
    p.load_debug_info(d["debug"])
    gc.collect()
    F.check(comm.string_() == b"swapper/0" and task_type.size == p.type("struct task_struct").size,
            f"{name}: objects and types outlive a reload of debug info")


def check_bad_files(d):
    try:
        Program().set_core_dump("/nonexistent/vmcore")
        F.check(False, "missing core raises")
    except OSError:
        F.check(True, "missing core is an OSError")
    with tempfile.NamedTemporaryFile(suffix=".vmcore") as f:
        with open(d["path"], "rb") as src:
            f.write(src.read(3000))  # a dump cut inside its headers
        f.flush()
        try:
            p = Program()
            p.set_core_dump(f.name)
            p.load_debug_info(d["debug"])
            p["init_task"].pid.value_()
            F.check(False, "truncated dump raises", "  it opened")
        except Exception as e:  # any clear Python exception; a crash would end the test
            F.check(type(e).__name__ != "SystemError" and str(e) != "", "truncated dump: clear error",
                    f"  {type(e).__name__}: {e}")


def check_memory_search(prog, d, truth):
    """Program.search_memory*: the fixture module's objects (struct kdive_obj, kmalloc'd
    in the direct map) are where truth.json says, with their payloads and tags."""
    name = d["name"]
    live = [o for o in truth["obj"] if not o["freed"]]
    off_payload = drgn.offsetof(prog.type("struct kdive_obj"), "payload")
    off_tag = drgn.offsetof(prog.type("struct kdive_obj"), "tag")
    want = {(int(o["addr"], 16) + off_payload, int(o["payload"], 16)) for o in live}
    payloads = [int(o["payload"], 16) for o in live]
    got = set(prog.search_memory_u64(*payloads))
    F.check(want <= got and all(v in payloads for _, v in got), f"{name}: search_memory_u64 of payloads",
            f"  missing {sorted(want - got)[:4]}")
    # The payloads share their top byte: a mask, and a range, find them all too.
    masked = set(prog.search_memory_word(0xab00000000000000, ignore_mask=0x00ffffffffffffff))
    ranged = set(prog.search_memory_u64((0xab00000000000000, 0xab0000ffffffffff)))
    F.check(want <= masked and want <= ranged and all(v >> 56 == 0xab for _, v in masked | ranged),
            f"{name}: search_memory_word with ignore_mask / a range")
    # A tag: its bytes at the object's tag, virtually and physically (direct map).
    tag = live[0]["tag"].encode()
    tag_at = int(live[0]["addr"], 16) + off_tag
    hits = list(prog.search_memory(tag))
    direct = prog["page_offset_base"].value_()
    phys = list(prog.search_memory(tag).set_address_range(physical=True))
    F.check(tag_at in hits and tag_at - direct in phys and hits == sorted(hits)
            and all(prog.read(h, len(tag)) == tag for h in hits)
            and all(prog.read(p, len(tag), True) == tag for p in phys), f"{name}: search_memory(bytes)",
            f"  {hex(tag_at)} in {[hex(h) for h in hits][:8]}")
    F.check(tag_at in list(prog.search_memory(tag, alignment=16)) if tag_at % 16 == 0
            else tag_at not in list(prog.search_memory(tag, alignment=16)), f"{name}: search_memory alignment")
    lo, hi = tag_at - 4096, tag_at + 4096
    F.check(list(prog.search_memory(tag).set_address_range(lo, hi)) == [h for h in hits if lo <= h <= hi],
            f"{name}: search_memory set_address_range")
    # Regular expressions: every tag of the module's objects, each read back whole.
    found = list(prog.search_memory_regex(rb"kdive-obj-[0-9]{2}"))
    F.check(tag_at in {a for a, _ in found} and all(prog.read(a, len(m)) == m for a, m in found),
            f"{name}: search_memory_regex", f"  {found[:4]}")


def main():
    dumps = lib.dumps(drgn=False, every_format=True)  # cheap: every format
    searched = set()
    for d in dumps:
        with open(d["truth"]) as f:
            truth = json.load(f)
        prog = open_dump(d)
        check_truth(prog, d, truth)
        check_bad_input(prog, d)
        # Memory searches read all of memory: once per kernel, on a dump with the objects.
        if truth.get("obj") and d["kernel_name"] not in searched:
            searched.add(d["kernel_name"])
            check_memory_search(prog, d, truth)
    if dumps:
        check_bad_files(dumps[0])
    F.finish()


if __name__ == "__main__":
    main()
