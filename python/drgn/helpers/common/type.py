# drgn.helpers.common.type: helpers about C types — a Python IntEnum from an enum type,
# and which member lies at a byte offset of a structure.
import enum

from drgn import TypeKind
from drgn.helpers import _fallback

__all__ = ("enum_type_to_class", "member_at_offset")


def enum_type_to_class(type, name, exclude=(), prefix=""):
    """An enum.IntEnum named `name` with the enumerators of `type` (less `exclude`,
    with `prefix` removed from their names)."""
    if type.kind != TypeKind.ENUM:
        raise TypeError("type is not an enumerated type")
    if type.enumerators is None:
        raise ValueError("enumerated type is incomplete")
    members = [(e.name[len(prefix):] if e.name.startswith(prefix) else e.name, e.value)
               for e in type.enumerators if e.name not in exclude]
    return enum.IntEnum(name, members)


def _underlying(t):
    while t.kind == TypeKind.TYPEDEF:
        t = t.type
    return t


def _members_at(t, bit, prefix, out):
    t = _underlying(t)
    if t.kind in (TypeKind.STRUCT, TypeKind.UNION, TypeKind.CLASS) and t.members is not None:
        for m in t.members:
            size = m.bit_field_size or (m.type.size * 8 if m.type.size is not None else 0)
            if m.bit_offset <= bit < m.bit_offset + max(size, 1):
                name = prefix + ("." if prefix and m.name else "") + (m.name or "")
                if not _members_at(m.type, bit - m.bit_offset, name, out):
                    out.append((name, bit - m.bit_offset))
        return True
    if t.kind == TypeKind.ARRAY and t.length and t.type.size:
        i = bit // (t.type.size * 8)
        if i < t.length:
            _members_at(t.type, bit - i * t.type.size * 8, f"{prefix}[{i}]", out) or \
                out.append((f"{prefix}[{i}]", bit - i * t.type.size * 8))
        return True
    return False


def member_at_offset(type, offset):
    """The member(s) of `type` at byte `offset`, as designators ("a.b[2]", "+N" when
    inside one), " or "-joined; "<padding>" when none; "<end>" past the type."""
    offset = offset.__index__()
    t = _underlying(type)
    if t.size is not None and offset >= t.size:
        return "<end>"
    out = []
    _members_at(type, offset * 8, "", out)
    if not out:
        return "<padding>"
    parts = []
    for name, bits in out:
        parts.append(name + (f"+{bits // 8}" if bits // 8 else ""))
    return " or ".join(parts)


__getattr__ = _fallback.module_getattr(__name__)
