# drgn.helpers.linux.irq: interrupt descriptors — finding a struct irq_desc by IRQ
# number (maple tree sparse_irqs, radix tree irq_desc_tree, or the static irq_desc[]
# array without CONFIG_SPARSE_IRQ), and a descriptor's actions, chip, affinity, counts.
from drgn import NULL, Object, TypeKind
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.cpumask import cpumask_of
from drgn.helpers.linux.mapletree import mt_for_each, mtree_load
from drgn.helpers.linux.percpu import per_cpu_ptr
from drgn.helpers.linux.radixtree import radix_tree_for_each, radix_tree_lookup

__all__ = (
    "for_each_irq_desc",
    "gate_desc_func",
    "irq_desc_action_names",
    "irq_desc_affinity_mask",
    "irq_desc_chip_name",
    "irq_desc_kstat_cpu",
    "irq_to_desc",
)


def _store(prog):
    # CONFIG_SPARSE_IRQ keeps descriptors in a maple tree since 6.5 (commit
    # 721255b9826b, "genirq: Use a maple tree for interrupt descriptor management"),
    # in a radix tree before; without it they are the static array irq_desc[NR_IRQS].
    for kind in ("sparse_irqs", "irq_desc_tree", "irq_desc"):
        try:
            return kind, prog[kind]
        except KeyError:
            pass
    raise LookupError("no interrupt descriptor table (sparse_irqs, irq_desc_tree, irq_desc)")


@takes_program_or_default
def irq_to_desc(prog, irq):
    """The `struct irq_desc *` of IRQ number `irq` (NULL if it has none)."""
    irq = irq.__index__()
    desc_p = prog.type("struct irq_desc *")
    kind, table = _store(prog)
    if kind == "sparse_irqs":
        return Object(prog, desc_p, value=mtree_load(table.address_of_(), irq).value_())
    elif kind == "irq_desc_tree":
        entry = radix_tree_lookup(table.address_of_(), irq)
    elif 0 <= irq < len(table):
        return table[irq].address_of_()
    else:
        return NULL(prog, desc_p)
    return Object(prog, desc_p, value=entry.value_())


@takes_program_or_default
def for_each_irq_desc(prog):
    """Each (IRQ number, `struct irq_desc *`) of the allocated descriptors, by number."""
    desc_p = prog.type("struct irq_desc *")
    kind, table = _store(prog)
    if kind == "sparse_irqs":
        for first, _, entry in mt_for_each(table.address_of_()):
            yield first, Object(prog, desc_p, value=entry.value_())
    elif kind == "irq_desc_tree":
        for irq, entry in radix_tree_for_each(table.address_of_()):
            yield irq, Object(prog, desc_p, value=entry.value_())
    else:
        # The static array: the first nr_irqs entries are in use.
        count = len(table)
        try:
            count = min(count, prog["nr_irqs"].value_())
        except KeyError:
            pass
        for irq in range(count):
            yield irq, table[irq].address_of_()


def irq_desc_affinity_mask(desc):
    """The CPUs the interrupt may be delivered to (`struct cpumask *`)."""
    prog = desc.prog_
    # Without CONFIG_SMP there is no nr_cpu_ids and the affinity member is missing
    # (since 6.0, commit aa0813581b8d) or never set: the one CPU is the mask.
    try:
        prog["nr_cpu_ids"]
    except KeyError:
        return cpumask_of(prog, 0)
    # The mask moved from struct irq_data to struct irq_common_data in 4.3 (commit
    # 9df872faa7e1).
    common = desc.irq_common_data
    holder = common if common.type_.has_member("affinity") else desc.irq_data
    affinity = holder.affinity
    # cpumask_var_t: a pointer with CONFIG_CPUMASK_OFFSTACK, else struct cpumask[1].
    t = affinity.type_
    while t.kind == TypeKind.TYPEDEF:
        t = t.type
    if t.kind == TypeKind.ARRAY:
        return affinity[0].address_of_()
    return affinity.read_()


def irq_desc_action_names(desc):
    """The names (list of bytes) of the handlers chained on the interrupt, skipping
    unnamed ones."""
    names = []
    action = desc.action.read_()
    while action:
        name = action.name.read_()
        if name:
            names.append(name.string_())
        action = action.next.read_()
    return names


def irq_desc_chip_name(desc):
    """The name (bytes) of the interrupt's controller chip, None if unset."""
    chip = desc.irq_data.chip.read_()
    if not chip:
        return None
    name = chip.name.read_()
    return name.string_() if name else None


def irq_desc_kstat_cpu(desc, cpu):
    """How many times the interrupt fired on CPU `cpu` (int)."""
    stats = desc.kstat_irqs.read_()
    if not stats:
        return 0
    mine = per_cpu_ptr(stats, cpu)
    # Since 6.10 (commit 86d2a2f51fba) each CPU has a struct irqstat whose cnt is
    # the count; before, the per-CPU variable is the unsigned int count itself.
    t = mine.type_.type
    while t.kind == TypeKind.TYPEDEF:
        t = t.type
    if t.kind == TypeKind.STRUCT:
        return mine.cnt.value_()
    return mine[0].value_()


def gate_desc_func(gate):
    """The handler address (`void *`) of an x86 IDT gate (`gate_desc` or a pointer to
    one): offset_low | offset_middle << 16 | offset_high << 32."""
    address = (gate.offset_low.value_()
               | gate.offset_middle.value_() << 16
               | gate.offset_high.value_() << 32)
    return Object(gate.prog_, "void *", value=address)


__getattr__ = _fallback.module_getattr(__name__)
