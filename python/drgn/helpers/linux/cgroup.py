# drgn.helpers.linux.cgroup: control groups — a cgroup's parent, name and path (its
# kernfs node), lookup by path in the default hierarchy, and walks of a css's children
# and descendants as the kernel's css_next_child()/css_next_descendant_pre() do, and a
# socket's cgroup (sock_cgroup_ptr).
from drgn import NULL, Object, cast, container_of
from drgn.helpers import _fallback
from drgn.helpers.common.prog import takes_program_or_default
from drgn.helpers.linux.kernfs import kernfs_name, kernfs_path, kernfs_walk
from drgn.helpers.linux.list import list_for_each_entry

__all__ = (
    "cgroup_get_from_path", "cgroup_name", "cgroup_parent", "cgroup_path",
    "css_for_each_child", "css_for_each_descendant_pre", "css_next_child",
    "css_next_descendant_pre", "sock_cgroup_ptr",
)

_CSS = "struct cgroup_subsys_state"


def cgroup_parent(cgrp):
    """The parent `struct cgroup *`, NULL for a root."""
    parent = cgrp.self.parent.read_()
    if parent:
        return container_of(parent, "struct cgroup", "self")
    return NULL(cgrp.prog_, "struct cgroup *")


def cgroup_name(cgrp):
    """The cgroup's name (bytes)."""
    return kernfs_name(cgrp.kn)


def cgroup_path(cgrp):
    """The cgroup's path (bytes) in its hierarchy."""
    return kernfs_path(cgrp.kn)


@takes_program_or_default
def cgroup_get_from_path(prog, path):
    """The `struct cgroup *` at `path` of the default (v2) hierarchy, NULL if none."""
    kn = kernfs_walk(prog["cgrp_dfl_root"].cgrp.kn, path)
    return cast("struct cgroup *", kn.priv if kn else kn)


def css_next_child(pos, parent):
    """The child of `parent` after `pos` (NULL `pos`: the first), NULL at the end. A
    released `pos` is found again by serial number, as the kernel does."""
    prog = parent.prog_
    head = parent.children.address_of_().value_()
    if not pos:
        nxt = container_of(parent.children.next, _CSS, "sibling")
    elif not pos.flags.value_() & prog["CSS_RELEASED"].value_():
        nxt = container_of(pos.sibling.next, _CSS, "sibling")
    else:
        serial = pos.serial_nr.value_()
        nxt = None
        for nxt in list_for_each_entry(_CSS, parent.children.address_of_(), "sibling"):
            if nxt.serial_nr.value_() > serial:
                break
        else:
            return NULL(prog, _CSS + " *")
    if nxt.sibling.address_of_().value_() != head:
        return nxt
    return NULL(prog, _CSS + " *")


def css_next_descendant_pre(pos, root):
    """The next css of a pre-order walk of `root`'s subtree (NULL `pos`: root itself)."""
    if not pos:
        return root
    null = NULL(pos.prog_, _CSS + " *")
    nxt = css_next_child(null, pos)
    if nxt:
        return nxt
    while pos.value_() != root.value_():
        nxt = css_next_child(pos, pos.parent)
        if nxt:
            return nxt
        pos = pos.parent.read_()
    return NULL(root.prog_, _CSS + " *")


def _online(step, css):
    online = css.prog_["CSS_ONLINE"].value_()
    pos = NULL(css.prog_, _CSS + " *")
    while True:
        pos = step(pos, css)
        if not pos:
            return
        if pos.flags.value_() & online:
            yield pos


def css_for_each_child(css):
    """Each online child css of `css`."""
    return _online(css_next_child, css)


def css_for_each_descendant_pre(css):
    """Each online css of `css`'s subtree in pre-order, `css` first."""
    return _online(css_next_descendant_pre, css)


def _net_prio_or_classid(prog):
    # CONFIG_CGROUP_NET_PRIO / CONFIG_CGROUP_NET_CLASSID: their controllers exist.
    for name in ("net_prio_cgrp_subsys", "net_cls_cgrp_subsys"):
        try:
            prog[name]
            return True
        except KeyError:
            pass
    return False


def sock_cgroup_ptr(skcd):
    """The `struct cgroup *` of a `struct sock_cgroup_data *` (e.g. &sk->sk_cgrp_data)."""
    # 5.15 ("bpf, cgroups: Fix cgroup v2 fallback on v1/v2 mixed mode") made it a plain
    # `cgroup` pointer. Before, `val` is the pointer unless its low bits flag net_prio/
    # net_cls data (is_data, no_refcnt), where the kernel answers the default root's
    # cgroup, as it does for 0.
    try:
        return skcd.cgroup.read_()
    except AttributeError:
        pass
    prog = skcd.prog_
    val = skcd.val.value_()
    if _net_prio_or_classid(prog) and (val & 3 or not val):
        return prog["cgrp_dfl_root"].cgrp.address_of_()
    return Object(prog, "struct cgroup *", value=val)


__getattr__ = _fallback.module_getattr(__name__)
