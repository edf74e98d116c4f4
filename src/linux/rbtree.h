// Red-black trees (`struct rb_root` / `struct rb_node`, include/linux/rbtree.h) over
// raw addresses: first/last, next/prev (in-order successor and predecessor through the
// parent pointers kept in __rb_parent_color), and a bounded in-order walk.
//
// The walk reads each node once and checks that every child's parent pointer names
// the node it hangs from, and that the root's parent is NULL: with those links
// consistent the structure is a tree, so a corrupted pointer that would make a cycle
// is reported instead of followed. Depth is bounded too (a red-black tree of 2^64
// nodes is at most 128 deep).
//
//   RbLayout lay = RbLayout::of(layout);
//   walk_rbtree(mem, lay, root, [&](uint64_t node) { ...; return true; });
//   uint64_t n = rb_first(mem, lay, root);  while (n) n = rb_next(mem, lay, n);
#pragma once

#include <cstdint>

#include "kdive/memory_reader.h"
#include "linux/list_walk.h"
#include "linux/walk_status.h"

namespace kdive {

struct RbLayout {
  uint64_t root_node = 0;     // offsetof(struct rb_root, rb_node)
  uint64_t parent_color = 0;  // offsetof(struct rb_node, __rb_parent_color)
  uint64_t right = 8;         // offsetof(struct rb_node, rb_right)
  uint64_t left = 16;         // offsetof(struct rb_node, rb_left)
  static RbLayout of(KernelLayout& layout);
};

// The deepest a valid red-black tree can be on a 64-bit machine (2 log2(n + 1)).
inline constexpr unsigned kMaxRbDepth = 128;

// In-order (ascending) walk of the tree at the rb_root `root`; `reverse` descends.
WalkStatus walk_rbtree(const MemoryReader& mem, const RbLayout& layout, uint64_t root,
                       const NodeVisitor& visit, const WalkLimits& limits = {}, bool reverse = false);

// The parent of `node` (its __rb_parent_color without the colour bit).
uint64_t rb_parent(const MemoryReader& mem, const RbLayout& layout, uint64_t node);
// The leftmost / rightmost node of the tree at the rb_root `root`, 0 when empty.
// BadDataError when deeper than kMaxRbDepth.
uint64_t rb_first(const MemoryReader& mem, const RbLayout& layout, uint64_t root);
uint64_t rb_last(const MemoryReader& mem, const RbLayout& layout, uint64_t root);
// The in-order successor / predecessor of `node`, 0 at the end.
uint64_t rb_next(const MemoryReader& mem, const RbLayout& layout, uint64_t node);
uint64_t rb_prev(const MemoryReader& mem, const RbLayout& layout, uint64_t node);

}  // namespace kdive
