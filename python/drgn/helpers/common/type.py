# drgn.helpers.common.type: helpers about C types — a Python IntEnum from an enum type,
# which member lies at a byte offset (member_at_offset) and the type of a member.
import enum

from drgn import Object, Type, TypeKind, get_default_prog, sizeof
from drgn.helpers import _fallback

__all__ = ("enum_type_to_class", "member_at_offset", "typeof_member")


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


def _unaliased(t):
    while t.kind == TypeKind.TYPEDEF:
        t = t.type
    return t


def _bits(t):
    try:
        return sizeof(t) * 8
    except (TypeError, ValueError):
        return None


def _suffix(bit):
    if not bit:
        return ""
    return f"+{bit // 8:#x}" if bit % 8 == 0 else f"+{bit} bits"


def _padding(members, bit):
    before = [m for m in members if m.bit_offset < bit]
    after = [m for m in members if m.bit_offset >= bit]
    prev = max(before, key=lambda m: m.bit_offset) if before else None
    nxt = min(after, key=lambda m: m.bit_offset) if after else None
    if prev is not None and nxt is not None:
        return (f"<padding between {prev.name or '<unnamed>'} and "
                f"{nxt.name or '<unnamed>'}>")
    return "<padding at beginning>" if nxt is not None else "<padding at end>"


def _resolve(t, bit, chain, out):
    # Appends to `out` every designator reaching bit `bit` of type `t` (all members of
    # a union that cover it, in declaration order), prefixed by `chain`.
    t = _unaliased(t)
    if t.kind == TypeKind.ARRAY:
        elem = _bits(t.type)
        # An incomplete array is treated as endless.
        if t.length is None or bit < t.length * elem:
            i = bit // elem
            _resolve(t.type, bit - i * elem, f"{chain}[{i}]", out)
        else:
            out.append(chain + ("<end>" if bit == t.length * elem else "<past end>"))
        return
    members = getattr(t, "members", None) if t.kind in (
        TypeKind.STRUCT, TypeKind.UNION, TypeKind.CLASS) else None
    if members is None:
        out.append(chain + _suffix(bit))
        return
    found = False
    for m in members:
        size = m.bit_field_size
        if size is None:
            size = _bits(m.type)
            if size is None and _unaliased(m.type).kind != TypeKind.ARRAY:
                continue  # incomplete, and not a flexible array
        if m.bit_offset <= bit and (size is None or bit < m.bit_offset + size):
            name = chain + ("." if chain and m.name else "") + (m.name or "")
            _resolve(m.type, bit - m.bit_offset, name, out)
            found = True
            if t.kind != TypeKind.UNION:
                return
    if found:
        return
    total = _bits(t)
    if bit == total:
        out.append(chain + "<end>")
    elif bit > total:
        out.append(chain + "<past end>")
    else:
        out.append(chain + ("." if chain else "") + _padding(members, bit))


def member_at_offset(type, offset):
    """The member(s) of `type` at byte `offset` — the inverse of offsetof(): nested
    members and array elements ("signal.sig[0]"), every member of a union that covers
    it joined by " or ", an offset inside a member ("next+0x4"), padding
    ("<padding between a and b>", "<padding at end>") and "<end>"/"<past end>"."""
    bit = offset.__index__() * 8
    if not isinstance(type, Type):
        type = get_default_prog().type(type)
    t = _unaliased(type)
    if t.kind not in (TypeKind.STRUCT, TypeKind.UNION, TypeKind.CLASS, TypeKind.ARRAY):
        raise TypeError("must be compound type or array")
    out = []
    _resolve(t, bit, "", out)
    return " or ".join(out)


def typeof_member(type, member):
    """The type of `member` (a designator: "a.b[1]") of a structure, union or class."""
    prog = type.prog if isinstance(type, Type) else get_default_prog()
    return Object(prog, type, address=0).subobject_(member).type_


__getattr__ = _fallback.module_getattr(__name__)
