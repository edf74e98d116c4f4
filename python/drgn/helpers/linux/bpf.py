# drgn.helpers.linux.bpf: BPF objects — the programs, maps, links and BTF objects in
# the kernel's ID allocators, lookups by ID, a program's maps, and the programs attached
# to (or effective for) a cgroup.
from drgn import cast
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.idr import idr_find, idr_for_each
from drgn.helpers.linux.list import hlist_for_each_entry, list_for_each_entry

__all__ = (
    "bpf_btf_for_each",
    "bpf_link_for_each",
    "bpf_map_for_each",
    "bpf_prog_for_each",
    "cgroup_bpf_prog_for_each",
    "cgroup_bpf_prog_for_each_effective",
    "bpf_prog_used_maps",
    "bpf_prog_by_id",
    "bpf_map_by_id",
)


def _idr_entries(prog, idr_name, type_name):
    # Each ID allocator holds `type_name *` pointers: btf_idr (4.18+), map_idr and
    # prog_idr (4.13+), link_idr (5.8+).
    ptype = prog.type(type_name + " *")
    for _, entry in idr_for_each(prog[idr_name].address_of_()):
        yield cast(ptype, entry)


@takes_program_or_default
def bpf_btf_for_each(prog):
    """Each loaded `struct btf *` (vmlinux's, modules', programs')."""
    return _idr_entries(prog, "btf_idr", "struct btf")


@takes_program_or_default
def bpf_link_for_each(prog):
    """Each `struct bpf_link *` with an ID."""
    return _idr_entries(prog, "link_idr", "struct bpf_link")


@takes_program_or_default
def bpf_map_for_each(prog):
    """Each `struct bpf_map *` with an ID."""
    return _idr_entries(prog, "map_idr", "struct bpf_map")


@takes_program_or_default
def bpf_prog_for_each(prog):
    """Each `struct bpf_prog *` with an ID."""
    return _idr_entries(prog, "prog_idr", "struct bpf_prog")


@takes_program_or_default
def bpf_prog_by_id(prog, id):
    """The `struct bpf_prog *` with ID `id`, NULL if none."""
    return cast("struct bpf_prog *", idr_find(prog["prog_idr"].address_of_(), id))


@takes_program_or_default
def bpf_map_by_id(prog, id):
    """The `struct bpf_map *` with ID `id`, NULL if none."""
    return cast("struct bpf_map *", idr_find(prog["map_idr"].address_of_(), id))


def bpf_prog_used_maps(bpf_prog):
    """Each `struct bpf_map *` the program uses (its aux->used_maps)."""
    aux = bpf_prog.aux.read_()
    maps = aux.used_maps.read_()
    for i in range(aux.used_map_cnt.value_()):
        yield maps[i].read_()


def _attached_prog(pl):
    # The kernel's prog_list_prog(): an entry attached through a bpf_link (5.7+) has
    # no prog of its own but the link's.
    p = pl.prog.read_()
    if not p:
        try:
            link = pl.link.read_()
        except AttributeError:
            return p
        if link:
            return link.link.prog.read_()
    return p


def cgroup_bpf_prog_for_each(cgrp, bpf_attach_type):
    """Each `struct bpf_prog *` attached to the `struct cgroup *` for the attach type
    (enum cgroup_bpf_attach_type; enum bpf_attach_type before 5.15)."""
    try:
        cbpf = cgrp.bpf
    except AttributeError:  # cgroup BPF came with 4.10
        return
    try:
        progs = cbpf.progs
    except AttributeError:
        # Before 4.15 one program per type, in cgroup_bpf::prog (struct cgroup_bpf is
        # empty without CONFIG_CGROUP_BPF).
        try:
            p = cbpf.prog[bpf_attach_type].read_()
        except AttributeError:
            return
        if p:
            yield p
        return
    head = progs[bpf_attach_type].address_of_()
    # 6.0 ("bpf: convert cgroup_bpf.progs to hlist") made the per-type lists hlists.
    if progs.type_.type.type_name() == "struct hlist_head":
        entries = hlist_for_each_entry("struct bpf_prog_list", head, "node")
    else:
        entries = list_for_each_entry("struct bpf_prog_list", head, "node")
    for pl in entries:
        p = _attached_prog(pl)
        if p:
            yield p


def cgroup_bpf_prog_for_each_effective(cgrp, bpf_attach_type):
    """Each `struct bpf_prog *` effective for the `struct cgroup *` and attach type
    (its own and inherited programs, in run order)."""
    try:
        eff = cgrp.bpf.effective[bpf_attach_type].read_()
    except AttributeError:  # no cgroup BPF (before 4.10 or !CONFIG_CGROUP_BPF)
        return
    if not eff:
        return
    try:
        items = eff.items
    except AttributeError:  # before 4.15: the one effective `struct bpf_prog *`
        yield eff
        return
    i = 0
    while True:
        p = items[i].prog.read_()
        if not p:
            return
        yield p
        i += 1


__getattr__ = _fallback.module_getattr(__name__)
