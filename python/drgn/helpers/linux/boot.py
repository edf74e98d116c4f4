# drgn.helpers.linux.boot: facts fixed at boot — the KASLR offset and whether 5-level
# paging is on (from VMCOREINFO, else the kernel's variable).
import re

from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux._util import native

__all__ = ("kaslr_offset", "pgtable_l5_enabled")


@takes_program_or_default
def kaslr_offset(prog):
    """How far KASLR moved the kernel from its link address."""
    if native is None:
        raise NotImplementedError("kaslr_offset needs kdive's native helpers")
    return native.kaslr_offset(prog)


@takes_program_or_default
def pgtable_l5_enabled(prog):
    """Whether the kernel uses 5-level page tables."""
    info = native.vmcoreinfo(prog) if native is not None else None
    if info:
        m = re.search(rb"^NUMBER\(pgtable_l5_enabled\)=(\d+)$", info, re.M)
        if m:
            return bool(int(m.group(1)))
    try:
        return bool(prog["__pgtable_l5_enabled"].value_())
    except KeyError:
        return False


__getattr__ = _fallback.module_getattr(__name__)
