# drgn.helpers.linux.rbtree: the kernel's red-black trees (struct rb_root / rb_node,
# parent pointer and colour packed in __rb_parent_color): first/last/next/prev,
# in-order and pre-order walks, search, and validation, as drgn's helpers.
from drgn import NULL, Object, container_of
from drgn.helpers import ValidationError, _fallback
from drgn.helpers.linux._util import entry_maker, pointer_type

__all__ = (
    "RB_EMPTY_NODE",
    "RB_EMPTY_ROOT",
    "rb_find",
    "rb_first",
    "rb_last",
    "rb_next",
    "rb_parent",
    "rb_prev",
    "rbtree_inorder_for_each",
    "rbtree_inorder_for_each_entry",
    "rbtree_preorder_for_each",
    "rbtree_preorder_for_each_entry",
    "validate_rbtree",
    "validate_rbtree_inorder_for_each_entry",
)


def RB_EMPTY_ROOT(root):
    """Whether the `struct rb_root *` has no nodes."""
    return not root.rb_node


def RB_EMPTY_NODE(node):
    """Whether the `struct rb_node *` is not in a tree (its parent is itself)."""
    return node.__rb_parent_color.value_() == node.value_()


def rb_parent(node):
    """The parent `struct rb_node *` of a node (NULL for the root)."""
    return Object(node.prog_, node.type_, value=node.__rb_parent_color.value_() & ~3)


def rb_first(root):
    """The leftmost (first in order) node, or NULL."""
    node = root.rb_node.read_()
    if not node:
        return node
    while True:
        left = node.rb_left.read_()
        if not left:
            return node
        node = left


def rb_last(root):
    """The rightmost (last in order) node, or NULL."""
    node = root.rb_node.read_()
    if not node:
        return node
    while True:
        right = node.rb_right.read_()
        if not right:
            return node
        node = right


def _step(node, near, far):
    # rb_next (near=right) / rb_prev (near=left): the leftmost of the near subtree,
    # else the first ancestor reached from its far side.
    if RB_EMPTY_NODE(node):
        return NULL(node.prog_, node.type_)
    child = getattr(node, near).read_()
    if child:
        node = child
        while True:
            nxt = getattr(node, far).read_()
            if not nxt:
                return node
            node = nxt
    parent = rb_parent(node)
    while parent and node.value_() == getattr(parent, near).value_():
        node = parent
        parent = rb_parent(node)
    return parent


def rb_next(node):
    """The node after `node` in order, or NULL."""
    return _step(node.read_(), "rb_right", "rb_left")


def rb_prev(node):
    """The node before `node` in order, or NULL."""
    return _step(node.read_(), "rb_left", "rb_right")


def _inorder(node):
    # Iterative, so a deep (or corrupt) tree cannot exhaust Python's recursion limit.
    stack = []
    while stack or node:
        if node:
            stack.append(node)
            node = node.rb_left.read_()
        else:
            node = stack.pop()
            yield node
            node = node.rb_right.read_()


def rbtree_inorder_for_each(root):
    """Each `struct rb_node *` of the tree, in order."""
    yield from _inorder(root.rb_node.read_())


def rbtree_inorder_for_each_entry(type, root, member):
    """Each entry (`type *`) of the tree threaded through `member`, in order."""
    make = entry_maker(root.prog_, type, member)
    for node in _inorder(root.rb_node.read_()):
        yield make(node.value_())


def rbtree_preorder_for_each(root):
    """Each node of the tree, parent before children (left subtree first)."""
    stack = [root.rb_node.read_()]
    while stack:
        node = stack.pop()
        if node:
            yield node
            stack.append(node.rb_right.read_())
            stack.append(node.rb_left.read_())


def rbtree_preorder_for_each_entry(type, root, member):
    """Each entry of the tree in pre-order."""
    make = entry_maker(root.prog_, type, member)
    for node in rbtree_preorder_for_each(root):
        yield make(node.value_())


def rb_find(type, root, member, key, cmp):
    """The entry for which cmp(key, entry) == 0 (cmp < 0: go left), or NULL."""
    prog = root.prog_
    node = root.rb_node.read_()
    while node:
        entry = container_of(node, type, member)
        c = cmp(key, entry)
        if c < 0:
            node = node.rb_left.read_()
        elif c > 0:
            node = node.rb_right.read_()
        else:
            return entry
    return NULL(prog, pointer_type(prog, type))


def _validate(node, parent, black_height, cmp_entry, entries):
    if not node:
        return 1
    if (node.__rb_parent_color.value_() & ~3) != parent:
        raise ValidationError(f"{node.format_(type_name=False)} has wrong parent")
    black = node.__rb_parent_color.value_() & 1
    if not black:  # a red node's children are black
        for child in (node.rb_left.read_(), node.rb_right.read_()):
            if child and not child.__rb_parent_color.value_() & 1:
                raise ValidationError(f"red node {node.value_():#x} has red child")
    left = _validate(node.rb_left.read_(), node.value_(), black_height, cmp_entry, entries)
    if cmp_entry is not None:
        entries.append(node)
    right = _validate(node.rb_right.read_(), node.value_(), black_height, cmp_entry, entries)
    if left != right:
        raise ValidationError(f"rbtree is not black height balanced at {node.value_():#x}")
    return left + black


def validate_rbtree(type, root, member, cmp, allow_equal):
    """Raise ValidationError unless the tree is well formed and ordered by cmp."""
    for _ in validate_rbtree_inorder_for_each_entry(type, root, member, cmp, allow_equal):
        pass


def validate_rbtree_inorder_for_each_entry(type, root, member, cmp, allow_equal):
    """rbtree_inorder_for_each_entry() after checking parents, colours and order."""
    nodes = []
    _validate(root.rb_node.read_(), 0, 0, True, nodes)
    prev = None
    for node in nodes:
        entry = container_of(node, type, member)
        if prev is not None:
            c = cmp(prev, entry)
            if c > 0 or (c == 0 and not allow_equal):
                raise ValidationError(f"{prev.format_(type_name=False)} and "
                                      f"{entry.format_(type_name=False)} are out of order")
        yield entry
        prev = entry


__getattr__ = _fallback.module_getattr(__name__)
