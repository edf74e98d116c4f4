#!/usr/bin/python3
# drgn's side of the differential battery (tests/diff/expressions.sh): the names the
# expressions in expressions.tsv may use, and a runner that opens one dump once and prints
# str() of every row's expression followed by a marker line, so one Python process answers
# the whole battery. An exception prints "ERROR <class>" (kdive's side prints its error kind).
# Usage: drgn_eval.py TSV MARKER CORE [DEBUG_FILE... | --vmlinux-only VMLINUX]   (CORE may be a user-space core:
# then the debug files are ignored and drgn's default debug info is loaded)
import sys

import drgn
from drgn import Object, cast, container_of, offsetof, sizeof
from drgn import TypeKind


def _strip(t):
    while t.kind == TypeKind.TYPEDEF:
        t = t.type
    return t


def _bits(m):
    return m.bit_field_size if m.bit_field_size else 8 * sizeof(m.type)


def _label(prefix, name):
    return prefix + ("." if prefix and name else "") + (name or "")


def _member_at(t, bit, prefix, depth):
    """Names of what lies at bit offset `bit` of type t (drgn >= 0.0.23 semantics:
    members of unions joined by " or ", array elements as [i], an offset inside a
    scalar as +0xN bytes or +N bits, holes as <padding between A and B>)."""
    if depth > 64:
        raise ValueError("type is too deeply nested")
    t = _strip(t)
    if t.kind in (TypeKind.STRUCT, TypeKind.UNION, TypeKind.CLASS):
        found = []
        for m in t.members:
            if m.bit_offset <= bit < m.bit_offset + _bits(m):
                found += _member_at(m.type, bit - m.bit_offset, _label(prefix, m.name), depth + 1)
        if found:
            return found
        before = [m for m in t.members if m.bit_offset + _bits(m) <= bit]
        after = [m for m in t.members if m.bit_offset > bit]
        name = lambda m: m.name or "<unnamed>"  # noqa: E731
        if not after:
            hole = "<padding at end>"
        elif not before:
            hole = "<padding before %s>" % name(after[0])
        else:
            hole = "<padding between %s and %s>" % (name(before[-1]), name(after[0]))
        return [_label(prefix, hole)]
    if t.kind == TypeKind.ARRAY:
        esize = 8 * sizeof(t.type)
        i = bit // esize
        return _member_at(t.type, bit - i * esize, "%s[%d]" % (prefix, i), depth + 1)
    if bit == 0:
        return [prefix]
    if bit % 8 == 0:
        return ["%s+0x%x" % (prefix, bit // 8)]
    return ["%s+%d bits" % (prefix, bit)]


def member_at_offset(t, offset):
    """drgn.helpers.common.type.member_at_offset, which drgn 0.0.22 lacks (it came in
    0.0.23); written from its documented answers (see tests/diff/KNOWN_DIFFERENCES.md)."""
    s = _strip(t)
    if s.kind not in (TypeKind.STRUCT, TypeKind.UNION, TypeKind.CLASS, TypeKind.ARRAY):
        raise TypeError("must be compound type or array")
    size = sizeof(s)
    if offset == size:
        return "<end>"
    if offset > size:
        return "<past end>"
    return " or ".join(_member_at(s, 8 * offset, "", 0))


def namespace(prog):
    ns = {"prog": prog, "O": Object, "cast": cast, "container_of": container_of,
          "offsetof": offsetof, "sizeof": sizeof, "member_at_offset": member_at_offset,
          "G": prog.__getitem__, "T": prog.type,
          "I": lambda v, t="int": Object(prog, t, v),
          # C relational and logical operators give int 0 or 1; drgn gives a Python bool.
          "B": lambda x: Object(prog, "int", int(bool(x)))}
    if prog.flags & drgn.ProgramFlags.IS_LINUX_KERNEL:
        from drgn.helpers.linux.percpu import per_cpu, per_cpu_ptr
        ns.update(per_cpu=per_cpu, per_cpu_ptr=per_cpu_ptr)
    return ns


def main():
    tsv, marker, core = sys.argv[1:4]
    prog = drgn.Program()
    prog.set_core_dump(core)
    if len(sys.argv) > 4 and sys.argv[4] == "--vmlinux-only":
        # A kernel whose loaded modules drgn 0.0.22 cannot find (6.4+: no
        # module.core_size): the vmlinux alone, the modules' names unknown.
        try:
            prog.load_debug_info(sys.argv[5:6])
        except drgn.MissingDebugInfoError:
            pass
    elif len(sys.argv) > 4:
        prog.load_debug_info(sys.argv[4:])
    else:
        prog.load_default_debug_info()
    ns = namespace(prog)
    out = sys.stdout
    for line in open(tsv):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        py = line.split("\t", 1)[1]
        try:
            out.write(str(eval(py, ns)) + "\n")
        except Exception as e:  # noqa: BLE001 — the error kind is part of the answer
            # A name or member the kernel does not have (7.x: rq.cfs.nr_running) is a
            # KeyError (prog["x"]) or AttributeError (obj.member) in Python and drgn's
            # LookupError in C terms: kdive says LookupError for both.
            kind = type(e).__name__
            if kind == "KeyError" or (kind == "AttributeError" and "has no member" in str(e)):
                kind = "LookupError"
            out.write("ERROR %s\n" % kind)
        out.write(marker + "\n")


if __name__ == "__main__":
    main()
