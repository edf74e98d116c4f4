// Walks of the kernel's linked lists — `struct list_head` (circular, doubly linked),
// `struct hlist_head`/`hlist_node` (NULL-terminated, with pprev back-pointers) and
// `struct llist_head`/`llist_node` (NULL-terminated, singly linked) — over raw
// addresses. Each walk is bounded and detects cycles:
//   - list_head: every step checks next->prev == current (as CONFIG_DEBUG_LIST does).
//     When every back-link agrees the walk must return to the head, so this check alone
//     catches any cycle that does not pass through the head, in O(1) memory.
//   - hlist: the same with next->pprev == &current->next.
//   - llist: no back-links, so the addresses seen are remembered (bounded by the limit).
// The visitor gets the address of each node (the list_head / hlist_node / llist_node,
// not the containing struct: subtract the member offset, as container_of does).
//
//   ListLayout lay = ListLayout::of(layout);      // offsets of next/prev from DWARF
//   walk_list(mem, lay, head, [&](uint64_t node) { tasks.push_back(node - off); return true; });
#pragma once

#include <cstdint>
#include <functional>

#include "kdive/memory_reader.h"
#include "linux/walk_status.h"

namespace kdive {

class KernelLayout;

// Return false to stop the walk.
using NodeVisitor = std::function<bool(uint64_t node)>;

struct ListLayout {
  uint64_t next = 0;  // offsetof(struct list_head, next)
  uint64_t prev = 8;  // offsetof(struct list_head, prev)
  static ListLayout of(KernelLayout& layout);
};

struct HlistLayout {
  uint64_t first = 0;  // offsetof(struct hlist_head, first)
  uint64_t next = 0;   // offsetof(struct hlist_node, next)
  uint64_t pprev = 8;  // offsetof(struct hlist_node, pprev)
  static HlistLayout of(KernelLayout& layout);
};

struct LlistLayout {
  uint64_t first = 0;  // offsetof(struct llist_head, first)
  uint64_t next = 0;   // offsetof(struct llist_node, next)
  static LlistLayout of(KernelLayout& layout);
};

// The entries of the list whose head is the list_head at `head`, first to last (or
// last to first with `reverse`), head excluded.
WalkStatus walk_list(const MemoryReader& mem, const ListLayout& layout, uint64_t head,
                     const NodeVisitor& visit, const WalkLimits& limits = {}, bool reverse = false);
// The nodes of the hlist whose hlist_head is at `head`.
WalkStatus walk_hlist(const MemoryReader& mem, const HlistLayout& layout, uint64_t head,
                      const NodeVisitor& visit, const WalkLimits& limits = {});
// The nodes of the llist whose llist_head is at `head`.
WalkStatus walk_llist(const MemoryReader& mem, const LlistLayout& layout, uint64_t head,
                      const NodeVisitor& visit, const WalkLimits& limits = {});
// The nodes of an llist starting at the llist_node `first` (as llist_for_each does
// after llist_del_all()); 0 is an empty list.
WalkStatus walk_llist_nodes(const MemoryReader& mem, const LlistLayout& layout, uint64_t first,
                            const NodeVisitor& visit, const WalkLimits& limits = {});

}  // namespace kdive
