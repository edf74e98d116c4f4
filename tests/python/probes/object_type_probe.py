# Prints repr/str/format_ of kernel objects and types, constructed types and objects,
# arithmetic results and exceptions, one probe per line, so that drgn 0.0.22 and kdive
# can be compared byte for byte (tests/python/test_object_type.py).
# usage: object_type_probe.py CORE DEBUG_FILE...
import math
import sys

import drgn
from drgn import Object, Program, TypeMember, TypeEnumerator, TypeParameter, Qualifiers

prog = Program()
prog.set_core_dump(sys.argv[1])
prog.load_debug_info(sys.argv[2:])


def error_name(e):
    # drgn 0.0.22 raises a plain KeyError for an unknown global; later drgn (and kdive)
    # raise its subclass ObjectNotFoundError.
    if type(e).__name__ == "ObjectNotFoundError":
        return "KeyError"
    return type(e).__name__


def error_text(e):
    # drgn 0.0.22 reads kdump files through libkdumpfile, whose message for an unmapped
    # address names page-table entries ("could not read memory from kdump: Cannot get page
    # I/O address: PDPT table not present: p4d[0] = 0x0"); on ELF dumps it says "address is
    # not mapped", as kdive does on every format.
    if type(e).__name__ == "FaultError" and str(e).startswith("could not read memory from kdump: "):
        return f"address is not mapped: {e.address:#x}"
    return str(e)


def show(label, fn):
    try:
        v = fn()
    except Exception as e:  # noqa: BLE001 - the exception is the output
        v = f"!{error_name(e)}: {error_text(e)}"
    print(f"{label}: {v}")


def probe(label, fn):
    """repr and str of fn()'s result."""
    try:
        v = fn()
    except Exception as e:  # noqa: BLE001
        print(f"{label}: !{error_name(e)}: {error_text(e)}")
        return
    show(label + " repr", lambda: repr(v))
    show(label + " str", lambda: str(v))


init = prog["init_task"]
# Types: repr (drgn's constructor form) and str (the definition).
for name in ["int", "unsigned long", "char", "_Bool", "void", "struct list_head", "struct list_head *",
             "struct hlist_node", "u64", "atomic_t", "pid_t", "char [16]", "int [2][3]",
             "const volatile int", "struct page", "enum pid_type", "union thread_union", "struct file_operations",
             "struct task_struct *", "spinlock_t", "struct sk_buff_head", "struct callback_head", "struct timer_list",
             "size_t", "long long", "double", "struct qstr", "struct dentry", "enum zone_type", "const char *",
             "struct cred", "struct kref", "struct rcu_head", "struct mutex"]:
    probe(f"type {name}", lambda: prog.type(name))
for name in ["comm", "pid", "tasks", "stack", "real_cred", "thread_pid", "state", "__state", "flags",
             "on_cpu", "sched_class", "se", "prio", "policy", "cpus_ptr", "stack_canary", "in_execve"]:
    probe(f"init_task.{name} type", lambda: init.type_.member(name).type)
    probe(f"init_task.{name} member", lambda: init.type_.member(name))
    probe(f"init_task.{name}", lambda: init.member_(name))
    show(f"init_task.{name} value", lambda: repr(init.member_(name).value_()))
probe("task_struct members[:4]", lambda: init.type_.members[:4])
probe("enum pid_type enumerators", lambda: prog.type("enum pid_type").enumerators)
probe("enum pid_type type", lambda: prog.type("enum pid_type").type)
probe("fops params", lambda: prog.type("struct file_operations").member("read").type.type.parameters)
probe("fops read", lambda: prog.type("struct file_operations").member("read").type)
probe("fops read target", lambda: prog.type("struct file_operations").member("read").type.type)

# Objects.
for expr in ["jiffies_64", "init_task.comm", "init_task.pid", "init_task.tasks", "init_task.tasks.next",
             "init_task.stack", "init_task.sched_class", "init_task.prio", "init_task.real_cred",
             "init_task.thread_pid", "init_task.cpus_ptr", "init_task.se.load", "init_task.flags",
             "init_task.comm[0]", "init_task.comm[15]", "init_task.pid_links", "init_task.thread_pid.numbers[0].nr",
             "init_task.in_execve", "init_task.real_cred.usage", "init_task.mm", "init_task.tasks.next.next",
             "nr_cpu_ids", "system_state", "init_uts_ns.name", "init_uts_ns.name.sysname", "init_mm.pgd",
             "init_task.stack_canary", "init_task.thread", "init_task.fs", "init_task.policy",
             "schedule", "idle_sched_class", "init_task.sched_class.pick_next_task", "init_task.thread_pid.numbers",
             "init_task.thread_pid.numbers[0]", "init_task.signal.rlim", "init_task.pid_links[0]"]:
    def get(expr=expr):
        parts = expr.replace("[", ".[").split(".")
        o = prog[parts[0]]
        for p in parts[1:]:
            o = o[int(p[1:-1])] if p.startswith("[") else getattr(o, p)
        return o
    probe(f"obj {expr}", get)
    show(f"obj {expr} value_", lambda: repr(get().value_()))
    show(f"obj {expr} address_", lambda: repr(get().address_))
    show(f"obj {expr} bits", lambda: (get().bit_offset_, get().bit_field_size_, get().absent_))
    show(f"obj {expr} type_", lambda: repr(get().type_))
    show(f"obj {expr} len", lambda: len(get()))
    show(f"obj {expr} bool", lambda: bool(get()))
    show(f"obj {expr} int", lambda: int(get()))
    show(f"obj {expr} float", lambda: float(get()))

# format_ options.
comm = init.comm
tasks = init.tasks
for opts in [{}, {"type_name": False}, {"char": True}, {"string": False}, {"columns": 20},
             {"dereference": False}, {"symbolize": False}, {"member_type_names": False},
             {"element_type_names": True}, {"members_same_line": True}, {"elements_same_line": False},
             {"member_names": False}, {"element_indices": True},
             {"implicit_elements": True}]:
    show(f"format comm {opts}", lambda: comm.format_(**opts))
    show(f"format tasks {opts}", lambda: tasks.format_(**opts))
    show(f"format pid {opts}", lambda: init.pid.format_(**opts))
    show(f"format sched_class {opts}", lambda: init.sched_class.format_(**opts))
    show(f"format thread_pid {opts}", lambda: init.thread_pid.format_(**opts))

# Arithmetic.
pid = init.pid
for name, fn in [("pid+1", lambda: pid + 1), ("pid-1", lambda: pid - 1), ("1-pid", lambda: 1 - pid),
                 ("pid*3", lambda: pid * 3), ("pid/2", lambda: pid / 2), ("pid%3", lambda: pid % 3),
                 ("-pid", lambda: -pid), ("~pid", lambda: ~pid), ("pid<<2", lambda: pid << 2),
                 ("pid>>1", lambda: pid >> 1), ("pid&1", lambda: pid & 1), ("pid|8", lambda: pid | 8),
                 ("pid^5", lambda: pid ^ 5), ("pid+1.5", lambda: pid + 1.5),                  ("+pid", lambda: +pid), ("pid+2**40", lambda: pid + 2**40), ("pid+2**63", lambda: pid + 2**63),
                 ("tasks.next+1", lambda: tasks.next + 1), ("tasks.next-1", lambda: tasks.next - 1),
                 ("tasks.next-tasks.next", lambda: tasks.next - tasks.next),
                 ("comm+1", lambda: comm + 1), ("comm[1]+comm[2]", lambda: comm[1] + comm[2]),
                 ("pid/0", lambda: pid / 0), ("pid==0", lambda: pid == 0), ("pid<1", lambda: pid < 1),
                 ("tasks.next==tasks.next", lambda: tasks.next == tasks.next),
                 ("round(pid)", lambda: round(pid)), ("math.trunc(pid)", lambda: math.trunc(pid)),
                 ("math.floor(pid)", lambda: math.floor(pid)), ("math.ceil(pid)", lambda: math.ceil(pid)),
                 ("tasks+1", lambda: tasks + 1), ("pid+'x'", lambda: pid + "x"),
                 ("jiffies_64*2", lambda: prog["jiffies_64"] * 2), ("sizeof init", lambda: drgn.sizeof(init)),
                 ("offsetof tasks", lambda: drgn.offsetof(init.type_, "tasks")),
                 ("cast long pid", lambda: drgn.cast("long", pid)),
                 ("cast char pid", lambda: drgn.cast("unsigned char", pid)),
                 ("cast ptr", lambda: drgn.cast("void *", tasks.next)),
                 ("reinterpret", lambda: drgn.reinterpret("unsigned int", init.comm)),
                 ("container_of", lambda: drgn.container_of(tasks.next, "struct task_struct", "tasks")),
                 ("NULL", lambda: drgn.NULL(prog, "struct task_struct *")),
                 ("address_of_", lambda: init.tasks.address_of_()),
                 ("read_", lambda: init.pid.read_()),
                 ("string_", lambda: init.comm.string_()),
                 ("deref", lambda: tasks.next[0]),
                 ("deref -1", lambda: tasks.next[-1]),
                 ("comm[16]", lambda: comm[16]),
                 ("comm[100]", lambda: comm[100]),
                 ("list(comm)[:3]", lambda: list(comm)[:3]),
                 ("dir has tasks", lambda: "tasks" in dir(init)),
                 ("dir has pid", lambda: "pid" in dir(init)),
                 ("dir has value_", lambda: "value_" in dir(init)),
                 ("null deref", lambda: drgn.NULL(prog, "int *")[0].value_()),
                 ("unmapped", lambda: Object(prog, "int", address=0).value_()),
                 ("unmapped2", lambda: Object(prog, "unsigned long", address=0xdead000000000000).read_()),
                 ("no member", lambda: init.nosuchmember),
                 ("no member_", lambda: init.member_("nosuchmember")),
                 ("no global", lambda: prog["no_such_global_xyz"]),
                 ("bad type", lambda: prog.type("struct no_such_struct_xyz")),
                 ("syntax", lambda: prog.type("int int int (")),
                 ("int of struct", lambda: int(init)),
                 ("len of int", lambda: len(pid)),
                 ("iter int", lambda: iter(pid)),
                 ("index struct", lambda: init[0]),
                 ("hash", lambda: hash(pid)),
                 ]:
    probe(f"arith {name}", fn)

# Constructed types.
i32 = prog.int_type("int", 4, True)
u8 = prog.int_type("unsigned char", 1, False)
lh = prog.type("struct list_head")
for name, fn in [
    ("void", lambda: prog.void_type()),
    ("const void", lambda: prog.void_type(qualifiers=Qualifiers.CONST)),
    ("int", lambda: i32),
    ("int const", lambda: prog.int_type("int", 4, True, qualifiers=Qualifiers.CONST | Qualifiers.VOLATILE)),
    ("bool", lambda: prog.bool_type("_Bool", 1)),
    ("float", lambda: prog.float_type("double", 8)),
    ("ptr", lambda: prog.pointer_type(i32)),
    ("ptr8", lambda: prog.pointer_type(i32, 8)),
    ("ptr4", lambda: prog.pointer_type(i32, 4)),
    ("ptr ptr", lambda: prog.pointer_type(prog.pointer_type(u8))),
    ("array", lambda: prog.array_type(i32, 4)),
    ("array incomplete", lambda: prog.array_type(i32)),
    ("typedef", lambda: prog.typedef_type("myint", i32)),
    ("struct", lambda: prog.struct_type("pt", 8, (TypeMember(i32, "x"), TypeMember(i32, "y", 32)))),
    ("struct bits", lambda: prog.struct_type("bf", 4, (TypeMember(Object(prog, i32, bit_field_size=3), "a", 0),
                                                      TypeMember(Object(prog, i32, bit_field_size=5), "b", 3),
                                                      TypeMember(u8, None, 8)))),
    ("struct anon", lambda: prog.struct_type(None, 8, (TypeMember(prog.union_type(None, 4, (TypeMember(i32, "u"),)), None),))),
    ("struct incomplete", lambda: prog.struct_type("opaque")),
    ("union", lambda: prog.union_type("u", 4, (TypeMember(i32, "i"), TypeMember(u8, "c")))),
    ("class", lambda: prog.class_type("cls", 4, (TypeMember(i32, "i"),))),
    ("enum", lambda: prog.enum_type("color", prog.int_type("unsigned int", 4, False),
                                    (TypeEnumerator("RED", 0), TypeEnumerator("GREEN", 1)))),
    ("enum incomplete", lambda: prog.enum_type("e2")),
    ("enum signed", lambda: prog.enum_type("e3", i32, (TypeEnumerator("NEG", -1),))),
    ("function", lambda: prog.function_type(i32, (TypeParameter(i32, "a"), TypeParameter(prog.pointer_type(u8))))),
    ("function variadic", lambda: prog.function_type(prog.void_type(), (), True)),
    ("struct nested", lambda: prog.struct_type("outer", 24, (TypeMember(lh, "l"), TypeMember(prog.pointer_type(lh), "p", 128)))),
    ("struct lazy", lambda: prog.struct_type("lazy", 4, (TypeMember(lambda: i32, "x"),))),
    ("member repr", lambda: TypeMember(i32, "x", 8)),
    ("member bits", lambda: TypeMember(Object(prog, i32, bit_field_size=3), "x", 8)),
    ("member bits size", lambda: TypeMember(Object(prog, i32, bit_field_size=3), "x", 8).bit_field_size),
    ("member noname", lambda: TypeMember(i32)),
    ("enumerator", lambda: TypeEnumerator("A", 3)),
    ("parameter", lambda: TypeParameter(i32, "a")),
    ("parameter noname", lambda: TypeParameter(i32)),
    ("member offset", lambda: TypeMember(i32, "x", 8).offset),
    ("member offset bad", lambda: TypeMember(i32, "x", 9).offset),
    ("typedef target", lambda: prog.typedef_type("myint", i32).type),
    ("qualified", lambda: i32.qualified(Qualifiers.CONST)),
    ("unqualified", lambda: prog.type("const int").unqualified()),
    ("bad size", lambda: prog.int_type("int", -1, True)),
]:
    probe(f"ctype {name}", fn)

# Objects of constructed types and from Python values.
pt = prog.struct_type("pt", 8, (TypeMember(i32, "x"), TypeMember(i32, "y", 32)))
for name, fn in [
    ("int 5", lambda: Object(prog, i32, 5)),
    ("int -5", lambda: Object(prog, "int", -5)),
    ("uint -1", lambda: Object(prog, "unsigned int", -1)),
    ("char 65", lambda: Object(prog, "char", 65)),
    ("bool", lambda: Object(prog, "_Bool", 1)),
    ("bool 0", lambda: Object(prog, "_Bool", 0)),
    ("double", lambda: Object(prog, "double", 1.5)),
    ("double 1e100", lambda: Object(prog, "double", 1e100)),
    ("double int", lambda: Object(prog, "double", 2)),
    ("float", lambda: Object(prog, "float", 0.1)),
    ("ptr", lambda: Object(prog, "void *", 0)),
    ("ptr2", lambda: Object(prog, "int *", 0xffff888000000000)),
    ("func ptr", lambda: Object(prog, prog.pointer_type(prog.function_type(prog.void_type(), ())), 0xffffffff81000000)),
    ("func ptr sym", lambda: Object(prog, init.sched_class.pick_next_task.type_, init.sched_class.pick_next_task.value_())),
    ("enum", lambda: Object(prog, "enum pid_type", 1)),
    ("enum unknown", lambda: Object(prog, "enum pid_type", 100)),
    ("struct pt", lambda: Object(prog, pt, {"x": 1, "y": -2})),
    ("struct pt partial", lambda: Object(prog, pt, {"x": 1})),
    ("struct list_head", lambda: Object(prog, "struct list_head", {"next": 0, "prev": 0})),
    ("struct bad key", lambda: Object(prog, pt, {"z": 1})),
    ("array", lambda: Object(prog, "int [4]", [1, 2, 3])),
    ("array long", lambda: Object(prog, "int [2]", [1, 2, 3])),
    ("char array", lambda: Object(prog, "char [8]", [104, 105])),
    ("absent", lambda: Object(prog, "int")),
    ("absent struct", lambda: Object(prog, "struct list_head")),
    ("absent value_", lambda: Object(prog, "int").value_()),
    ("absent bool", lambda: bool(Object(prog, "int"))),
    ("absent int", lambda: int(Object(prog, "int"))),
    ("absent +1", lambda: Object(prog, "int") + 1),
    ("bitfield", lambda: Object(prog, "int", 5, bit_field_size=3)),
    ("bitfield struct", lambda: Object(prog, prog.struct_type("bf", 4, (TypeMember(Object(prog, i32, bit_field_size=3), "a", 0),
        TypeMember(Object(prog, i32, bit_field_size=5), "b", 3))), {"a": 3, "b": -1})),
    ("bitfield neg", lambda: Object(prog, "int", 7, bit_field_size=3)),
    ("ref", lambda: Object(prog, "int", address=init.pid.address_)),
    ("ref bitoff", lambda: Object(prog, "unsigned char", address=init.pid.address_, bit_offset=3, bit_field_size=4)),
    ("ref struct", lambda: Object(prog, pt, address=init.pid.address_)),
    ("no type", lambda: Object(prog, value=5)),
    ("no type big", lambda: Object(prog, value=2**40)),
    ("no type float", lambda: Object(prog, value=1.25)),
    ("no type bool", lambda: Object(prog, value=True)),
    ("value+address", lambda: Object(prog, "int", 1, address=0)),
    ("to_bytes_", lambda: Object(prog, "int", 258).to_bytes_()),
    ("from_bytes_", lambda: Object.from_bytes_(prog, "int", b"\x01\x02\x00\x00")),
    ("from_bytes_ struct", lambda: Object.from_bytes_(prog, pt, bytes(range(8)))),
    ("struct pt value_", lambda: Object(prog, pt, {"x": 1, "y": -2}).value_()),
    ("array value_", lambda: Object(prog, "int [3]", [1, 2, 3]).value_()),
    ("array iter", lambda: [int(x) for x in Object(prog, "int [3]", [1, 2, 3])]),
    ("round float", lambda: round(Object(prog, "double", 2.5))),
    ("round int", lambda: round(Object(prog, "int", 7), -1)),
    ("round struct", lambda: round(Object(prog, pt, {}))),
    ("round float 1", lambda: round(Object(prog, "double", 2.567), 1)),
    ("trunc float", lambda: math.trunc(Object(prog, "double", -2.5))),
    ("floor float", lambda: math.floor(Object(prog, "double", -2.5))),
    ("ceil float", lambda: math.ceil(Object(prog, "double", -2.5))),
    ("int float", lambda: int(Object(prog, "double", -2.5))),
    ("float int", lambda: float(Object(prog, "int", 3))),
    ("bool ptr", lambda: bool(Object(prog, "void *", 0))),
    ("ptr index", lambda: Object(prog, "int *", 0)[1]),
    ("ptr index neg", lambda: Object(prog, "int *", 0x1000)[-1]),
]:
    probe(f"cobj {name}", fn)
    show(f"cobj {name} format", lambda: fn().format_(type_name=False))

# Type attributes.
for name in ["int", "struct list_head", "struct list_head *", "char [16]", "pid_t", "enum pid_type", "void",
             "union rcu_special", "const int", "struct upid []", "_Bool", "double", "atomic_t"]:
    t = prog.type(name)
    for attr in ["kind", "primitive", "qualifiers", "name", "tag", "size", "length", "is_signed", "type",
                 "members", "enumerators", "parameters", "is_variadic", "byteorder"]:
        show(f"attr {name}.{attr}", lambda: repr(getattr(t, attr)))
    show(f"attr {name}.type_name()", lambda: t.type_name())
    show(f"attr {name}.is_complete()", lambda: t.is_complete())
    show(f"attr {name}.unqualified()", lambda: repr(t.unqualified()))
    show(f"attr {name}.has_member(next)", lambda: t.has_member("next"))
    show(f"attr {name}.member(next)", lambda: repr(t.member("next")))
    show(f"attr {name} sizeof", lambda: drgn.sizeof(t))
show("attr member type", lambda: repr(prog.type("struct list_head").members[0].type))
show("attr member name", lambda: repr(prog.type("struct list_head").members[1].name))
show("attr member offset", lambda: repr(prog.type("struct list_head").members[1].offset))
show("attr member object", lambda: repr(prog.type("struct list_head").members[1].object))
show("attr bit field member object", lambda: repr(init.type_.member("in_execve").object))
show("attr bit field member bit_field_size", lambda: repr(init.type_.member("in_execve").bit_field_size))
show("attr bit field member type", lambda: repr(init.type_.member("in_execve").type))
show("attr param default_argument", lambda: repr(prog.type("struct file_operations").member("read").type.type.parameters[0].default_argument))
show("attr member bit_field_size", lambda: repr(prog.type("struct list_head").members[1].bit_field_size))
show("attr enumerator tuple", lambda: tuple(prog.type("enum pid_type").enumerators[1]))
show("attr enumerator name", lambda: prog.type("enum pid_type").enumerators[1].name)
show("attr param", lambda: repr(prog.type("struct file_operations").member("read").type.type.parameters[0].type))

# Arrays, unions, enums and bounds.
arr = Object(prog, "int [2]", [1, 2])
for name, fn in [
    ("value array [1]", lambda: arr[1]),
    ("value array [2]", lambda: arr[2]),
    ("value array [-1]", lambda: arr[-1]),
    ("value array iter", lambda: list(arr)),
    ("value array len", lambda: len(arr)),
    ("pid_links[1]", lambda: init.pid_links[1]),
    ("pid_links[4]", lambda: init.pid_links[4]),
    ("pid_links iter", lambda: [o.address_ - init.pid_links.address_ for o in init.pid_links]),
    ("numbers len", lambda: len(init.thread_pid.numbers)),
    ("numbers iter", lambda: list(init.thread_pid.numbers)),
    ("numbers[0]", lambda: init.thread_pid.numbers[0].nr),
    ("system_state", lambda: prog["system_state"]),
    ("system_state int", lambda: int(prog["system_state"])),
    ("union", lambda: init.rcu_read_unlock_special),
    ("union value", lambda: Object(prog, prog.union_type("u", 4, (TypeMember(prog.type("int"), "i"),
                                                                  TypeMember(prog.type("unsigned char"), "c"))),
                                   {"i": -1})),
    ("read_ value", lambda: init.comm.read_()),
    ("read_ absent", lambda: Object(prog, "int").read_()),
    ("address_of_ value", lambda: Object(prog, "int", 1).address_of_()),
    ("string_ ptr", lambda: init.comm.address_of_().string_()),
    ("string_ int", lambda: init.pid.string_()),
    ("member_ of int", lambda: init.pid.member_("x")),
    ("getattr int", lambda: init.pid.x),
    ("getattr ptr", lambda: init.thread_pid.level),
    ("deref void ptr", lambda: init.stack[0]),
    ("cast struct", lambda: drgn.cast("int", init.tasks)),
    ("cast to struct", lambda: drgn.cast("struct list_head", init.pid)),
    ("compare struct", lambda: init.tasks == init.tasks),
    ("ptr - int ptr", lambda: init.tasks.next - init.thread_pid),
    ("div zero float", lambda: Object(prog, "double", 1.0) / 0),
    ("shift neg", lambda: init.pid << -1),
    ("char + 1", lambda: init.comm[0] + 1),
    ("bool + 1", lambda: Object(prog, "_Bool", 1) + 1),
    ("enum + 1", lambda: prog["system_state"] + 1),
    ("float + int", lambda: Object(prog, "float", 1.5) + 1),
    ("unsigned - big", lambda: Object(prog, "unsigned int", 1) - 2),
    ("long * float", lambda: Object(prog, "long", 3) * 0.5),
    ("int % neg", lambda: Object(prog, "int", -7) % 3),
    ("int / neg", lambda: Object(prog, "int", -7) / 2),
    ("bool(struct)", lambda: bool(init.tasks)),
    ("bool(array)", lambda: bool(init.comm)),
    ("index ptr obj", lambda: init.comm[Object(prog, "int", 2)]),
    ("index float", lambda: init.comm[1.5]),
    ("str absent ptr", lambda: Object(prog, "int *")),
]:
    probe(f"more {name}", fn)

# Construction edge cases and errors.
for name, fn in [
    ("long from obj", lambda: Object(prog, "long", init.pid)),
    ("no type from obj", lambda: Object(prog, value=init.pid)),
    ("int from float", lambda: Object(prog, "int", 1.9)),
    ("int from neg float", lambda: Object(prog, "int", -1.9)),
    ("int from str", lambda: Object(prog, "int", "x")),
    ("ptr from float", lambda: Object(prog, "void *", 1.5)),
    ("struct from int", lambda: Object(prog, "struct list_head", 5)),
    ("array from int", lambda: Object(prog, "int [2]", 5)),
    ("struct bad value", lambda: Object(prog, "struct list_head", {"next": "x"})),
    ("int huge", lambda: Object(prog, "int", 2**70)),
    ("uchar 256", lambda: Object(prog, "unsigned char", 256)),
    ("uchar -1", lambda: Object(prog, "unsigned char", -1)),
    ("double str", lambda: Object(prog, "double", "x")),
    ("bool 2", lambda: Object(prog, "_Bool", 2)),
    ("bool float", lambda: Object(prog, "_Bool", 0.5)),
    ("enum neg", lambda: Object(prog, "enum pid_type", -1)),
    ("no args", lambda: Object(prog)),
    ("void absent", lambda: Object(prog, "void")),
    ("void value", lambda: Object(prog, "void", 1)),
    ("address neg", lambda: Object(prog, "int", address=-1)),
    ("address big", lambda: Object(prog, "int", address=2**64)),
    ("bit_offset no address", lambda: Object(prog, "int", 1, bit_offset=3)),
    ("bit_field_size 0", lambda: Object(prog, "int", 1, bit_field_size=0)),
    ("bit_field_size 33", lambda: Object(prog, "int", 1, bit_field_size=33)),
    ("bit_field_size struct", lambda: Object(prog, "struct list_head", {}, bit_field_size=3)),
    ("bit_field_size float", lambda: Object(prog, "double", 1.0, bit_field_size=3)),
    ("bitfield ref", lambda: Object(prog, "unsigned long", address=init.address_, bit_field_size=12, bit_offset=5)),
    ("type as int", lambda: Object(prog, 5, 1)),
    ("bad type name", lambda: Object(prog, "struct nope_xyz", 1)),
    ("cast struct to ptr", lambda: drgn.cast("void *", init.tasks)),
    ("cast double", lambda: drgn.cast("double", init.pid)),
    ("cast bool", lambda: drgn.cast("_Bool", init.prio)),
    ("cast enum", lambda: drgn.cast("enum pid_type", init.prio)),
    ("reinterpret struct", lambda: drgn.reinterpret("struct list_head", init.tasks.next)),
    ("container_of int", lambda: drgn.container_of(init.pid, "struct task_struct", "pid")),
    ("container_of bad member", lambda: drgn.container_of(init.tasks.next, "struct task_struct", "nope")),
    ("template_parameters struct", lambda: prog.type("struct list_head").template_parameters),
    ("template_parameters function", lambda: prog.function("schedule").type_.template_parameters),
    ("template_parameters int", lambda: prog.type("int").template_parameters),
    ("sizeof type", lambda: drgn.sizeof(prog.type("struct task_struct"))),
    ("sizeof void", lambda: drgn.sizeof(prog.type("void"))),
    ("sizeof incomplete", lambda: drgn.sizeof(init.thread_pid.numbers)),
    ("offsetof bitfield", lambda: drgn.offsetof(init.type_, "in_execve")),
    ("offsetof nested", lambda: drgn.offsetof(init.type_, "se.load.weight")),
    ("offsetof missing", lambda: drgn.offsetof(init.type_, "nope")),
    ("TypeMember str", lambda: TypeMember("x")),
    ("TypeEnumerator bad", lambda: TypeEnumerator("A", "x")),
    ("TypeParameter bad", lambda: TypeParameter(5)),
    ("struct size no members", lambda: prog.struct_type("s", 4, None)),
    ("enum no type", lambda: prog.enum_type("e", None, (TypeEnumerator("A", 0),))),
    ("array neg", lambda: prog.array_type(prog.type("int"), -1)),
    ("pointer of str", lambda: prog.pointer_type("int")),
    ("typedef of str", lambda: prog.typedef_type("t", "int")),
    ("int_type byteorder", lambda: prog.int_type("x", 4, True, "little")),
    ("int_type bad byteorder", lambda: prog.int_type("x", 4, True, "middle")),
    ("int_type bad name", lambda: prog.int_type(5, 4, True)),
    ("function of void", lambda: prog.function_type(prog.type("void"), ())),
    ("function params", lambda: prog.function_type(prog.type("int"), (TypeParameter(prog.type("char *"), "s"),), True)),
    ("nested anon", lambda: prog.type("struct page").members[1].type),
    ("anon member repr", lambda: prog.type("struct page").members[1]),
]:
    probe(f"edge {name}", fn)

# format_ of arrays of structs, nested char arrays, unions and bitmaps.
fmt_objs = [("pid_links", lambda: init.pid_links), ("uts", lambda: prog["init_uts_ns"].name),
            ("rcu_special", lambda: init.rcu_read_unlock_special), ("cpus_mask", lambda: init.cpus_mask),
            ("numbers", lambda: init.thread_pid.numbers), ("upid", lambda: init.thread_pid.numbers[0]),
            ("int2x3", lambda: Object(prog, "int [2][3]", [[1, 2, 3], [4]])),
            ("charptr", lambda: prog["init_uts_ns"].name.sysname.address_of_()),
            ("voidptr", lambda: init.stack), ("ptrptr", lambda: init.pid_links[0].pprev)]
for opts in [{}, {"columns": 0}, {"columns": 40}, {"type_name": False}, {"elements_same_line": False},
             {"element_indices": True}, {"implicit_elements": True}, {"element_type_names": True},
             {"members_same_line": True}, {"member_names": False}, {"string": False}, {"char": True},
             {"dereference": False}, {"symbolize": False}, {"implicit_elements": True, "element_indices": True}]:
    for name, get in fmt_objs:
        show(f"fmt {name} {opts}", lambda: get().format_(**opts))
show("fmt bad option", lambda: init.pid.format_(nope=True))
show("fmt bad columns", lambda: init.pid.format_(columns=-1))

# Python protocols.
import operator  # noqa: E402
for name, fn in [
    ("hex ptr", lambda: hex(init.tasks.next)),
    ("hex int", lambda: hex(init.prio)),
    ("hex bool", lambda: hex(Object(prog, "_Bool", 1))),
    ("hex float", lambda: hex(Object(prog, "double", 1.0))),
    ("hex enum", lambda: hex(prog["system_state"])),
    ("hex struct", lambda: hex(init.tasks)),
    ("index char", lambda: operator.index(init.comm[0])),
    ("list index", lambda: [10, 20, 30][Object(prog, "int", 1)]),
    ("range", lambda: list(range(Object(prog, "unsigned char", 3)))),
    ("percent", lambda: "%d" % init.prio),
    ("fstring", lambda: f"{init.prio}"),
    ("fstring spec", lambda: f"{init.prio:x}"),
    ("int ptr", lambda: int(init.tasks.next)),
    ("float enum", lambda: float(prog["system_state"])),
    ("bool float", lambda: bool(Object(prog, "double", 0.0))),
    ("bool func", lambda: bool(prog["schedule"])),
    ("eq int", lambda: init.prio == 120),
    ("eq float", lambda: init.prio == 120.0),
    ("eq none", lambda: init.prio == None),  # noqa: E711
    ("lt str", lambda: init.prio < "x"),
    ("in list", lambda: init.prio in [120]),
    ("neg ptr", lambda: -init.tasks.next),
    ("invert float", lambda: ~Object(prog, "double", 1.0)),
    ("ptr * 2", lambda: init.tasks.next * 2),
    ("ptr + ptr", lambda: init.tasks.next + init.tasks.next),
    ("void ptr + 1", lambda: init.stack + 1),
    ("func ptr + 1", lambda: init.sched_class.pick_next_task + 1),
    ("ptr cmp int", lambda: init.tasks.next > 0),
    ("struct + 1", lambda: init.tasks + 1),
    ("struct == struct", lambda: init.tasks == init.tasks),
    ("int > float", lambda: Object(prog, "int", 2) > 1.5),
    ("uint < neg", lambda: Object(prog, "unsigned int", 1) < -1),
    ("len struct", lambda: len(init.tasks)),
    ("iter ptr", lambda: list(init.tasks.next)),
    ("reversed array", lambda: [int(x) for x in reversed(Object(prog, "int [3]", [1, 2, 3]))]),
    ("copy", lambda: __import__("copy").copy(init.prio)),
    ("getattr dunder", lambda: init.__class__.__name__),
    # Public names only (dunder sets differ between C and pybind11 types); subobject_ and
    # absence_reason_ are drgn >= 0.0.23.
    ("dir int", lambda: sorted(n for n in set(dir(init.prio)) - {"subobject_", "absence_reason_"} if not n.startswith("__"))),
    ("dir struct", lambda: sorted(n for n in set(dir(init.tasks)) - {"subobject_", "absence_reason_"} if not n.startswith("__"))),
    ("repr_pretty", lambda: [init.prio._repr_pretty_(type("P", (), {"text": lambda self, t: print("text:", t)})(), False)]),
]:
    probe(f"proto {name}", fn)

# Errors of reads, casts and conversions.
opaque = prog.struct_type("opaque")
for name, fn in [
    ("incomplete struct value", lambda: Object(prog, opaque, address=init.address_).value_()),
    ("incomplete struct read", lambda: Object(prog, opaque, address=init.address_).read_()),
    ("incomplete struct str", lambda: str(Object(prog, opaque, address=init.address_))),
    ("incomplete member", lambda: Object(prog, opaque, address=init.address_).x),
    ("void ref value", lambda: Object(prog, "void", address=init.address_).value_()),
    ("void ref str", lambda: str(Object(prog, "void", address=init.address_))),
    ("deref void str", lambda: str(init.stack[0])),
    ("deref int", lambda: init.pid[0]),
    ("member of ptr to int", lambda: Object(prog, "int *", 0).x),
    ("to_bytes_ absent", lambda: Object(prog, "int").to_bytes_()),
    ("from_bytes_ short", lambda: Object.from_bytes_(prog, "int", b"\x01")),
    ("from_bytes_ str", lambda: Object.from_bytes_(prog, "int", "abcd")),
    ("from_bytes_ bits", lambda: Object.from_bytes_(prog, "int", b"\xff\x01", bit_offset=4, bit_field_size=6)),
    ("cast void", lambda: drgn.cast("void", init.pid)),
    ("reinterpret big", lambda: drgn.reinterpret("struct task_struct", init.pid)),
    ("sizeof func", lambda: drgn.sizeof(prog["schedule"])),
    ("address_of_ bitfield", lambda: init.in_execve.address_of_()),
    ("address_of_ absent", lambda: Object(prog, "int").address_of_()),
    ("array of func", lambda: prog.array_type(prog.function_type(prog.void_type(), ()), 2)),
    ("int mod zero", lambda: init.pid % Object(prog, "int", 0)),
    ("ptr sub unrelated", lambda: init.tasks.next - init.stack),
    ("index absent", lambda: Object(prog, "int [2]")[0]),
    ("len absent", lambda: len(Object(prog, "int [2]"))),
    ("subscript incomplete", lambda: init.thread_pid.numbers[5]),
]:
    probe(f"err {name}", fn)

# A sweep: every member of a few kernel globals, as Object (repr, str, value_) and as Type
# (repr, str).
for gname in ["init_task", "init_mm", "init_cred", "init_nsproxy", "init_uts_ns", "init_pid_ns", "init_struct_pid"]:
    try:
        g = prog[gname]
    except KeyError:
        continue
    for member in g.type_.members:
        mname = member.name
        if mname is None:
            continue
        probe(f"sweep {gname}.{mname}", lambda: g.member_(mname))
        show(f"sweep {gname}.{mname} value_", lambda: repr(g.member_(mname).value_()))
        show(f"sweep {gname}.{mname} type repr", lambda: repr(member.type))
        show(f"sweep {gname}.{mname} type str", lambda: str(member.type))
