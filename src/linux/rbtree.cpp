// Red-black tree walks (rbtree.h). The in-order walk keeps an explicit stack of the
// path (at most kMaxRbDepth entries) instead of climbing parent pointers, so each node
// is read once; the parent pointers are still read to verify the links.
#include "linux/rbtree.h"

#include <vector>

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/kernel_layout.h"
#include "linux/target_words.h"

namespace kdive {

RbLayout RbLayout::of(KernelLayout& layout) {
  return {layout.offset("struct rb_root", "rb_node"), layout.offset("struct rb_node", "__rb_parent_color"),
          layout.offset("struct rb_node", "rb_right"), layout.offset("struct rb_node", "rb_left")};
}

uint64_t rb_parent(const MemoryReader& mem, const RbLayout& layout, uint64_t node) {
  return read_u64(mem, node + layout.parent_color) & ~uint64_t(3);
}

namespace {

uint64_t extreme(const MemoryReader& mem, const RbLayout& layout, uint64_t node, uint64_t side) {
  if (node == 0) return 0;
  for (unsigned depth = 0; depth <= kMaxRbDepth; ++depth) {
    uint64_t child = read_u64(mem, node + side);
    if (child == 0) return node;
    node = child;
  }
  throw BadDataError(fmt::format("rbtree: deeper than {} levels at {:#x} (corrupt or cyclic)", kMaxRbDepth, node));
}

// Successor (dir = right) or predecessor (dir = left), as lib/rbtree.c's rb_next().
uint64_t step(const MemoryReader& mem, const RbLayout& layout, uint64_t node, uint64_t dir, uint64_t other) {
  uint64_t child = read_u64(mem, node + dir);
  if (child) return extreme(mem, layout, child, other);
  for (unsigned depth = 0; depth <= kMaxRbDepth; ++depth) {
    uint64_t parent = rb_parent(mem, layout, node);
    if (parent == 0) return 0;
    if (read_u64(mem, parent + dir) != node) return parent;
    node = parent;
  }
  throw BadDataError(fmt::format("rbtree: deeper than {} levels at {:#x} (corrupt or cyclic)", kMaxRbDepth, node));
}

}  // namespace

uint64_t rb_first(const MemoryReader& mem, const RbLayout& layout, uint64_t root) {
  return extreme(mem, layout, read_u64(mem, root + layout.root_node), layout.left);
}
uint64_t rb_last(const MemoryReader& mem, const RbLayout& layout, uint64_t root) {
  return extreme(mem, layout, read_u64(mem, root + layout.root_node), layout.right);
}
uint64_t rb_next(const MemoryReader& mem, const RbLayout& layout, uint64_t node) {
  return step(mem, layout, node, layout.right, layout.left);
}
uint64_t rb_prev(const MemoryReader& mem, const RbLayout& layout, uint64_t node) {
  return step(mem, layout, node, layout.left, layout.right);
}

WalkStatus walk_rbtree(const MemoryReader& mem, const RbLayout& layout, uint64_t root,
                       const NodeVisitor& visit, const WalkLimits& limits, bool reverse) {
  WalkStatus st;
  const uint64_t near = reverse ? layout.right : layout.left;
  const uint64_t far = reverse ? layout.left : layout.right;
  std::vector<uint64_t> path;
  // Descends from `node` (whose parent must be `parent`) along the near side.
  auto descend = [&](uint64_t node, uint64_t parent) -> bool {
    while (node) {
      uint64_t p = rb_parent(mem, layout, node);
      if (p != parent) {
        st.problem = fmt::format("rbtree {:#x}: corrupt or cyclic: node {:#x} has parent {:#x}, expected {:#x}",
                                 root, node, p, parent);
        st.problem_address = node;
        return false;
      }
      if (path.size() >= kMaxRbDepth) {
        st.problem = fmt::format("rbtree {:#x}: deeper than {} levels at {:#x}", root, kMaxRbDepth, node);
        st.problem_address = node;
        return false;
      }
      path.push_back(node);
      parent = node;
      node = read_u64(mem, node + near);
    }
    return true;
  };
  try {
    if (!descend(read_u64(mem, root + layout.root_node), 0)) return st;
    while (!path.empty()) {
      uint64_t node = path.back();
      path.pop_back();
      if (st.visited >= limits.max_entries) {
        st.problem = fmt::format("rbtree {:#x}: stopped at the limit of {} entries", root, limits.max_entries);
        st.problem_address = node;
        return st;
      }
      ++st.visited;
      if (!visit(node)) {
        st.stopped_early = true;
        return st;
      }
      if (!descend(read_u64(mem, node + far), node)) return st;
    }
  } catch (const FaultError& e) {
    st.problem = fmt::format("rbtree {:#x}: could not read {:#x}: {}", root, e.address(), e.reason());
    st.problem_address = e.address();
  }
  return st;
}

}  // namespace kdive
