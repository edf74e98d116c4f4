#!/usr/bin/python3
# Parity probe: drgn.helpers.linux.cpumask and nodemask on the dump's own masks.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from probe_lib import H, check, open_program  # noqa: E402

prog = open_program()
C = "linux.cpumask"
for mask in ("possible", "online", "present"):
    var = f"__cpu_{mask}_mask"
    check(f"for_each_{mask}_cpu", lambda: list(H(C, f"for_each_{mask}_cpu")(prog)))
    check(f"cpu_{mask}_mask.weight", lambda: H(C, "cpumask_weight")(prog[var].address_of_()))
    check(f"cpu_{mask}_mask.list", lambda: H(C, "cpumask_to_cpulist")(prog[var].address_of_()))
check("num_online_cpus", lambda: H(C, "num_online_cpus")(prog))
check("num_possible_cpus", lambda: H(C, "num_possible_cpus")(prog))
check("num_present_cpus", lambda: H(C, "num_present_cpus")(prog))
check("cpu_online_mask", lambda: H(C, "cpu_online_mask")(prog))
check("cpumask_of.0", lambda: list(H(C, "for_each_cpu")(H(C, "cpumask_of")(prog, 0))))
check("nr_node_ids", lambda: H("linux.nodemask", "nr_node_ids")(prog))
check("for_each_online_node", lambda: list(H("linux.nodemask", "for_each_online_node")(prog)))
