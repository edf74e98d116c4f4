# drgn.helpers.linux.kconfig: the kernel's build configuration, from the gzipped
# .config the kernel embeds with CONFIG_IKCONFIG (kernel_config_data).
import gzip
import types

from drgn import sizeof
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default

__all__ = ("get_kconfig",)


@takes_program_or_default
def get_kconfig(prog):
    """{"CONFIG_X": "value"} of the kernel (read-only mapping); LookupError without
    CONFIG_IKCONFIG."""
    try:
        return prog.cache["kdive_kconfig"]
    except KeyError:
        pass
    try:
        start = prog["kernel_config_data"]
    except KeyError:
        raise LookupError("kernel configuration data not found; kernel must be compiled "
                          "with CONFIG_IKCONFIG") from None
    begin = start.address_
    try:
        end = prog["kernel_config_data_end"].address_
    except KeyError:  # before 5.1 the array's own size bounds it
        end = begin + sizeof(start)
    data = prog.read(begin, end - begin)
    if data.startswith(b"IKCFG_ST"):
        data = data[8:]
    if data.endswith(b"IKCFG_ED"):
        data = data[:-8]
    config = {}
    for line in gzip.decompress(data).decode().splitlines():
        if line.startswith("#") or "=" not in line:
            continue
        name, value = line.split("=", 1)
        config[name] = value
    result = types.MappingProxyType(config)
    prog.cache["kdive_kconfig"] = result
    return result


__getattr__ = _fallback.module_getattr(__name__)
