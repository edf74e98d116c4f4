# drgn.helpers.common.memory: what an address is (slab object, task stack, symbol), as
# drgn's identify_address() words it — kdive's native AddressIdentifier for kernels —
# and memory dumps annotated with those identities.
from drgn import Object, ProgramFlags
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default

__all__ = ("identify_address", "print_annotated_memory")


def _native():
    try:
        from _drgn import _kdive_helpers
    except ImportError:
        return None
    return _kdive_helpers


@takes_program_or_default
def identify_address(prog, addr):
    """What `addr` is, or None: "slab object: CACHE+0xOFF", "free slab object: ...",
    "vmap stack: PID (COMM) +0xOFF", "function symbol: NAME+0xOFF", "object symbol: ..."."""
    addr = addr.value_() if isinstance(addr, Object) else addr.__index__()
    native = _native()
    if native is not None and prog.flags & ProgramFlags.IS_LINUX_KERNEL:
        return native.identify_address(prog, addr)
    drgn_version = getattr(_fallback.private_module(__name__), "identify_address", None)
    if drgn_version is None:
        raise NotImplementedError("identify_address needs kdive's native helpers")
    return drgn_version(prog, addr)


@takes_program_or_default
def print_annotated_memory(prog, address, size, physical=False):
    """Print `size` bytes at `address` a word a line ("ADDRESS: VALUE"), with what each
    value points to in brackets when identify_address() knows ("[slab object: ...]")."""
    address = address.__index__()
    data = prog.read(address, size.__index__(), physical)
    word = 8  # x86-64, little-endian: the one platform kdive reads
    print("ADDRESS           VALUE")
    for off in range(0, len(data), word):
        value = int.from_bytes(data[off:off + word], "little")
        ident = identify_address(prog, value)
        print(f"{address + off:016x}: {value:016x}" + (f" [{ident}]" if ident is not None else ""))


__getattr__ = _fallback.module_getattr(__name__)
