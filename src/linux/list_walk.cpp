// List walks (list_walk.h). A failed read stops the walk with the fault's reason, so
// callers keep the entries found before it.
#include "linux/list_walk.h"

#include <unordered_set>

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/kernel_layout.h"
#include "linux/target_words.h"

namespace kdive {

ListLayout ListLayout::of(KernelLayout& layout) {
  return {layout.offset("struct list_head", "next"), layout.offset("struct list_head", "prev")};
}

HlistLayout HlistLayout::of(KernelLayout& layout) {
  return {layout.offset("struct hlist_head", "first"), layout.offset("struct hlist_node", "next"),
          layout.offset("struct hlist_node", "pprev")};
}

LlistLayout LlistLayout::of(KernelLayout& layout) {
  return {layout.offset("struct llist_head", "first"), layout.offset("struct llist_node", "next")};
}

namespace {

void note_fault(WalkStatus& st, const char* what, uint64_t start, const FaultError& e) {
  st.problem = fmt::format("{} {:#x}: could not read {:#x}: {}", what, start, e.address(), e.reason());
  st.problem_address = e.address();
}

bool over_limit(WalkStatus& st, const char* what, uint64_t start, uint64_t node, const WalkLimits& limits) {
  if (st.visited < limits.max_entries) return false;
  st.problem = fmt::format("{} {:#x}: stopped at the limit of {} entries", what, start, limits.max_entries);
  st.problem_address = node;
  return true;
}

}  // namespace

WalkStatus walk_list(const MemoryReader& mem, const ListLayout& layout, uint64_t head,
                     const NodeVisitor& visit, const WalkLimits& limits, bool reverse) {
  WalkStatus st;
  const uint64_t fwd = reverse ? layout.prev : layout.next;
  const uint64_t back = reverse ? layout.next : layout.prev;
  const char* fwd_name = reverse ? "prev" : "next";
  const char* back_name = reverse ? "next" : "prev";
  try {
    uint64_t cur = head;
    uint64_t node = read_u64(mem, head + fwd);
    while (node != head) {
      if (node == 0) {
        st.problem = fmt::format("list {:#x}: {:#x}->{} is NULL", head, cur, fwd_name);
        st.problem_address = cur;
        return st;
      }
      uint64_t back_link = read_u64(mem, node + back);
      if (back_link != cur) {
        st.problem = fmt::format("list {:#x}: corrupt or cyclic: {:#x}->{} is {:#x}, but its ->{} is {:#x}",
                                 head, cur, fwd_name, node, back_name, back_link);
        st.problem_address = node;
        return st;
      }
      if (over_limit(st, "list", head, node, limits)) return st;
      ++st.visited;
      if (!visit(node)) {
        st.stopped_early = true;
        return st;
      }
      cur = node;
      node = read_u64(mem, node + fwd);
    }
  } catch (const FaultError& e) {
    note_fault(st, "list", head, e);
  }
  return st;
}

WalkStatus walk_hlist(const MemoryReader& mem, const HlistLayout& layout, uint64_t head,
                      const NodeVisitor& visit, const WalkLimits& limits) {
  WalkStatus st;
  try {
    uint64_t link = head + layout.first;  // address of the pointer that points at `node`
    uint64_t node = read_u64(mem, link);
    while (node != 0) {
      uint64_t pprev = read_u64(mem, node + layout.pprev);
      if (pprev != link) {
        st.problem = fmt::format("hlist {:#x}: corrupt or cyclic: node {:#x} has pprev {:#x}, expected {:#x}",
                                 head, node, pprev, link);
        st.problem_address = node;
        return st;
      }
      if (over_limit(st, "hlist", head, node, limits)) return st;
      ++st.visited;
      if (!visit(node)) {
        st.stopped_early = true;
        return st;
      }
      link = node + layout.next;
      node = read_u64(mem, link);
    }
  } catch (const FaultError& e) {
    note_fault(st, "hlist", head, e);
  }
  return st;
}

WalkStatus walk_llist_nodes(const MemoryReader& mem, const LlistLayout& layout, uint64_t first,
                            const NodeVisitor& visit, const WalkLimits& limits) {
  WalkStatus st;
  std::unordered_set<uint64_t> seen;
  try {
    uint64_t node = first;
    while (node != 0) {
      if (!seen.insert(node).second) {
        st.problem = fmt::format("llist {:#x}: cycle: node {:#x} seen twice", first, node);
        st.problem_address = node;
        return st;
      }
      if (over_limit(st, "llist", first, node, limits)) return st;
      ++st.visited;
      if (!visit(node)) {
        st.stopped_early = true;
        return st;
      }
      node = read_u64(mem, node + layout.next);
    }
  } catch (const FaultError& e) {
    note_fault(st, "llist", first, e);
  }
  return st;
}

WalkStatus walk_llist(const MemoryReader& mem, const LlistLayout& layout, uint64_t head,
                      const NodeVisitor& visit, const WalkLimits& limits) {
  uint64_t first = 0;
  try {
    first = read_u64(mem, head + layout.first);
  } catch (const FaultError& e) {
    WalkStatus st;
    note_fault(st, "llist", head, e);
    return st;
  }
  return walk_llist_nodes(mem, layout, first, visit, limits);
}

}  // namespace kdive
