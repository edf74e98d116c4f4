# Shared by kdive's drgn.helpers.linux modules: the native walks (if the _drgn module
# has them), addresses of pointer-or-struct arguments, pointer types for entries, and
# Objects built from raw addresses.
from drgn import Object, TypeKind, offsetof

try:
    from _drgn import _kdive_helpers as native
except ImportError:  # drgn's own _drgn: pure-Python walks only
    native = None


def addr(obj):
    """The address a pointer holds, or where a struct object lives."""
    t = obj.type_
    while t.kind == TypeKind.TYPEDEF:
        t = t.type
    if t.kind == TypeKind.POINTER:
        return obj.value_()
    a = obj.address_
    if a is None:
        raise ValueError("object is not a pointer or a reference")
    return a


def resolve_type(prog, type):
    return prog.type(type) if isinstance(type, str) else type


def pointer_type(prog, type):
    """`type *` for a Type or a type name."""
    if isinstance(type, str):
        return prog.type(type.strip() + " *")
    pointer = getattr(type, "pointer", None)
    if pointer is not None:
        return pointer()
    return prog.type(type.type_name() + " *")


def member_offset(prog, type, member):
    return offsetof(resolve_type(prog, type), member)


def entry_maker(prog, type, member):
    """f(node address) -> `type *` Object of the entry whose `member` is at that address
    (container_of over raw addresses)."""
    ptype = pointer_type(prog, type)
    off = member_offset(prog, type, member)
    return lambda node: Object(prog, ptype, value=node - off)


def entry_objects(prog, type, member, nodes):
    """The `type *` entries for an iterable of node addresses: made natively in one call
    when `nodes` is a list (a native walk's result), else one at a time."""
    if native is not None and isinstance(nodes, list):
        return native.pointer_objects(prog, pointer_type(prog, type), nodes, member_offset(prog, type, member))
    return map(entry_maker(prog, type, member), nodes)


def native_call(name, *args):
    """A native walk's result, or None when there is none or it could not run (then
    the caller walks in Python, as drgn does, raising drgn's errors)."""
    if native is None:
        return None
    f = getattr(native, name, None)
    if f is None:
        return None
    try:
        return f(*args)
    except Exception:
        return None
