# drgn.helpers.linux.module: loaded kernel modules (the `modules` list of struct module).
from drgn import NULL
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.list import list_for_each_entry

__all__ = ("find_module", "for_each_module")


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


__getattr__ = _fallback.module_getattr(__name__)
