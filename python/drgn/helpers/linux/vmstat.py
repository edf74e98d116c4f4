# drgn.helpers.linux.vmstat: the kernel's memory statistics — the global node, zone and
# NUMA counters (vm_node_stat, vm_zone_stat, vm_numa_event), one zone's counters and
# the per-CPU VM event counts (/proc/vmstat's sources).
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.cpumask import for_each_online_cpu
from drgn.helpers.linux.percpu import per_cpu

__all__ = (
    "global_node_page_state",
    "global_numa_event_state",
    "global_vm_event_state",
    "global_zone_page_state",
    "nr_free_pages",
    "zone_page_state",
)


def _counter(array, item):
    # Per-CPU deltas not yet folded in can leave an atomic_long_t counter briefly
    # negative; the kernel's readers clamp it at 0 (CONFIG_SMP).
    return max(array[item].counter.value_(), 0)


@takes_program_or_default
def global_node_page_state(prog, item):
    """The system-wide value of an `enum node_stat_item` counter."""
    return _counter(prog["vm_node_stat"], item)


@takes_program_or_default
def global_zone_page_state(prog, item):
    """The system-wide value of an `enum zone_stat_item` counter."""
    return _counter(prog["vm_zone_stat"], item)


def zone_page_state(zone, item):
    """The value of an `enum zone_stat_item` counter in one `struct zone *`."""
    return _counter(zone.vm_stat, item)


@takes_program_or_default
def nr_free_pages(prog):
    """How many pages are free (the NR_FREE_PAGES zone counter)."""
    return global_zone_page_state(prog, prog["NR_FREE_PAGES"])


@takes_program_or_default
def global_numa_event_state(prog, item):
    """The system-wide value of an `enum numa_stat_item` counter (CONFIG_NUMA)."""
    # vm_numa_stat became vm_numa_event in 5.14 (f19298b9516c); before 4.14
    # (3a321d2a3dde) the NUMA counters were zone counters.
    for name in ("vm_numa_event", "vm_numa_stat"):
        try:
            array = prog[name]
        except KeyError:
            continue
        return array[item].counter.value_()
    return global_zone_page_state(prog, item)


@takes_program_or_default
def global_vm_event_state(prog, item):
    """The sum over online CPUs of an `enum vm_event_item` event count
    (CONFIG_VM_EVENT_COUNTERS)."""
    events = prog["vm_event_states"].event[item]
    return sum(per_cpu(events, cpu).value_() for cpu in for_each_online_cpu(prog))


__getattr__ = _fallback.module_getattr(__name__)
