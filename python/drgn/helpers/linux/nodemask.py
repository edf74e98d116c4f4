# drgn.helpers.linux.nodemask: NUMA node masks (nodemask_t) and the kernel's node_states
# (possible, online, with memory, ...).
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.bitops import for_each_set_bit, test_bit

__all__ = ("for_each_node", "for_each_node_mask", "for_each_node_state",
           "for_each_online_node", "node_state", "nr_node_ids")


@takes_program_or_default
def nr_node_ids(prog):
    """How many node IDs the kernel uses (1 without CONFIG_NUMA)."""
    try:
        return prog["nr_node_ids"].value_()
    except KeyError:
        return 1


def for_each_node_mask(mask):
    """Each node number set in a nodemask_t (below nr_node_ids)."""
    return for_each_set_bit(mask.bits, nr_node_ids(mask.prog_))


@takes_program_or_default
def for_each_node_state(prog, state):
    """Each node in `state` (an enum node_states value, e.g. prog["N_ONLINE"])."""
    return for_each_node_mask(prog["node_states"][state])


@takes_program_or_default
def for_each_node(prog):
    """Each possible node."""
    return for_each_node_state(prog, prog["N_POSSIBLE"])


@takes_program_or_default
def for_each_online_node(prog):
    """Each online node."""
    return for_each_node_state(prog, prog["N_ONLINE"])


def node_state(node, state):
    """Whether node `node` is in `state` (an enum node_states Object)."""
    return test_bit(node, state.prog_["node_states"][state].bits)


__getattr__ = _fallback.module_getattr(__name__)
