# drgn.helpers.linux.percpu: per-CPU variables — a CPU's copy of a per-CPU pointer or
# variable (the __per_cpu_offset of that CPU added), and percpu_counter sums.
from drgn import Object
from drgn.helpers import _fallback
from drgn.helpers.linux.cpumask import for_each_online_cpu

__all__ = ("per_cpu", "per_cpu_ptr", "percpu_counter_sum", "percpu_counter_sum_positive")


def per_cpu_ptr(ptr, cpu):
    """CPU `cpu`'s copy of the per-CPU pointer `ptr` (same pointer type)."""
    prog = ptr.prog_
    try:
        offset = prog["__per_cpu_offset"][cpu].value_()
    except KeyError:  # !CONFIG_SMP: the one copy is the variable itself
        offset = 0
    return Object(prog, ptr.type_, value=ptr.value_() + offset)


def per_cpu(var, cpu):
    """CPU `cpu`'s copy of the per-CPU variable `var` (an object, e.g. prog["runqueues"])."""
    return per_cpu_ptr(var.address_of_(), cpu)[0]


def percpu_counter_sum(fbc):
    """The value of a `struct percpu_counter *`: count plus every online CPU's delta."""
    total = fbc.count.value_()
    counters = fbc.counters
    for cpu in for_each_online_cpu(fbc.prog_):
        total += per_cpu_ptr(counters, cpu)[0].value_()
    return total


def percpu_counter_sum_positive(fbc):
    """percpu_counter_sum(), or 0 when it is negative."""
    return max(percpu_counter_sum(fbc), 0)


__getattr__ = _fallback.module_getattr(__name__)
