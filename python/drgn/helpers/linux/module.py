# drgn.helpers.linux.module: loaded kernel modules (the `modules` list of struct module):
# lookup by name or address, the address regions of a module (mod->mem[] since 6.4,
# core_layout/init_layout before) and its per-CPU area and taint letters.
from drgn import NULL
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.list import list_for_each_entry

__all__ = ("address_to_module", "find_module", "for_each_module", "module_address_regions",
           "module_percpu_region", "module_taints")


@takes_program_or_default
def for_each_module(prog):
    """Each loaded `struct module *`, in list order (most recently loaded first)."""
    return list_for_each_entry("struct module", prog["modules"].address_of_(), "list")


@takes_program_or_default
def find_module(prog, name):
    """The `struct module *` named `name` (str or bytes), NULL if none is loaded."""
    if isinstance(name, str):
        name = name.encode()
    for mod in for_each_module(prog):
        if mod.name.string_() == name:
            return mod
    return NULL(prog, "struct module *")


def module_address_regions(mod):
    """The (start, size) of every non-empty memory region of the module."""
    out = []
    try:
        mem = mod.mem  # 6.4+: one struct module_memory per enum mod_mem_type
    except AttributeError:
        for name in ("core_layout", "init_layout"):
            layout = getattr(mod, name)
            out.append((layout.base.value_(), layout.size.value_()))
    else:
        for region in mem:
            out.append((region.base.value_(), region.size.value_()))
    return [(start, size) for start, size in out if start and size]


def module_percpu_region(mod):
    """(start, size) of the module's per-CPU area, or (0, 0) without one."""
    try:
        return (mod.percpu.value_(), mod.percpu_size.value_())
    except AttributeError:  # !CONFIG_SMP
        return (0, 0)


@takes_program_or_default
def address_to_module(prog, addr):
    """The `struct module *` whose memory contains `addr`, NULL if none."""
    addr = addr.__index__()
    for mod in for_each_module(prog):
        for start, size in module_address_regions(mod):
            if start <= addr < start + size:
                return mod
    return NULL(prog, "struct module *")


def module_taints(mod):
    """The taint letters of the module ("OE"), from mod->taints and taint_flags[]."""
    prog = mod.prog_
    taints = mod.taints.value_()
    letters = []
    for i, flag in enumerate(prog["taint_flags"]):
        if taints & (1 << i):
            letters.append(chr(flag.c_true.value_()))
    return "".join(letters)


__getattr__ = _fallback.module_getattr(__name__)
