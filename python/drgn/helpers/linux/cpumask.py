# drgn.helpers.linux.cpumask: the kernel's CPU masks (struct cpumask, bits up to
# nr_cpu_ids): iterating CPUs of a mask, the possible/online/present masks, counts,
# single-CPU masks (cpumask_of) and the cpulist string ("0-3,8").
from drgn import Object
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.bitops import for_each_set_bit

__all__ = (
    "cpu_online_mask",
    "cpu_possible_mask",
    "cpu_present_mask",
    "cpumask_of",
    "cpumask_to_cpulist",
    "cpumask_weight",
    "for_each_cpu",
    "for_each_online_cpu",
    "for_each_possible_cpu",
    "for_each_present_cpu",
    "num_online_cpus",
    "num_possible_cpus",
    "num_present_cpus",
)


def _nr_cpu_ids(prog):
    try:
        return prog["nr_cpu_ids"].value_()
    except KeyError:  # !CONFIG_SMP
        return 1


def for_each_cpu(mask):
    """Each CPU number set in the `struct cpumask` (or pointer to one)."""
    return for_each_set_bit(mask.bits, _nr_cpu_ids(mask.prog_))


def _mask(prog, name):
    # Since 4.5 the masks are __cpu_<name>_mask; before, cpu_<name>_bits.
    try:
        return prog[f"__cpu_{name}_mask"].address_of_()
    except KeyError:
        return prog[f"cpu_{name}_bits"].address_of_()


@takes_program_or_default
def cpu_online_mask(prog):
    """The mask of online CPUs (`struct cpumask *`)."""
    return _mask(prog, "online")


@takes_program_or_default
def cpu_possible_mask(prog):
    """The mask of possible CPUs (`struct cpumask *`)."""
    return _mask(prog, "possible")


@takes_program_or_default
def cpu_present_mask(prog):
    """The mask of present CPUs (`struct cpumask *`)."""
    return _mask(prog, "present")


@takes_program_or_default
def for_each_online_cpu(prog):
    """Each online CPU number."""
    return for_each_cpu(_mask(prog, "online"))


@takes_program_or_default
def for_each_possible_cpu(prog):
    """Each possible CPU number."""
    return for_each_cpu(_mask(prog, "possible"))


@takes_program_or_default
def for_each_present_cpu(prog):
    """Each present CPU number."""
    return for_each_cpu(_mask(prog, "present"))


def cpumask_weight(mask):
    """How many CPUs the mask has."""
    return sum(1 for _ in for_each_cpu(mask))


@takes_program_or_default
def num_online_cpus(prog):
    """How many CPUs are online."""
    return cpumask_weight(_mask(prog, "online"))


@takes_program_or_default
def num_possible_cpus(prog):
    """How many CPUs are possible."""
    return cpumask_weight(_mask(prog, "possible"))


@takes_program_or_default
def num_present_cpus(prog):
    """How many CPUs are present."""
    return cpumask_weight(_mask(prog, "present"))


@takes_program_or_default
def cpumask_of(prog, cpu):
    """The constant mask holding only CPU `cpu` (`struct cpumask *`)."""
    # Like the kernel's get_cpu_mask(): row 1 + cpu % BITS_PER_LONG of cpu_bit_bitmap
    # has only bit cpu % BITS_PER_LONG set in its first word; starting the mask
    # cpu / BITS_PER_LONG words before that row puts the bit at position `cpu` (the
    # words before it are the zeroes of the previous rows).
    cpu = cpu.__index__()
    table = prog["cpu_bit_bitmap"]
    word = table.type_.type.type  # unsigned long
    bits = 8 * word.size
    row = table[1 + cpu % bits].address_
    return Object(prog, "struct cpumask *", value=row - (cpu // bits) * word.size)


def cpumask_to_cpulist(mask):
    """The mask in cpuset(7)'s list format: ranges joined by commas ("0-3,8-11")."""
    ranges = []
    for cpu in for_each_cpu(mask):
        if ranges and ranges[-1][1] == cpu - 1:
            ranges[-1][1] = cpu
        else:
            ranges.append([cpu, cpu])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


__getattr__ = _fallback.module_getattr(__name__)
