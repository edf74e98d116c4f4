// Maple trees (include/linux/maple_tree.h, 6.1+; mm->mm_mt holds the VMAs): mt_load
// and a bounded walk over every (first, last, entry) range. Node layouts — pivots and
// slots of maple_range_64 (also leaf_64) and maple_arange_64, dense nodes' slots — come
// from DWARF, as do the node type numbers (enum maple_type). The pointer encoding is
// the kernel's and not in DWARF: a node entry is an internal entry (low bits 10) above
// 4096; its node is at entry & ~0xff (MAPLE_NODE_MASK) and its type in bits 3..6
// (MAPLE_NODE_TYPE_SHIFT 3, MAPLE_NODE_TYPE_MASK 0xf).
//
// The walk checks that each child's parent pointer (without its encoded slot and type
// bits) names the node it hangs from, that pivots ascend, and that depth stays under
// 32 (MAPLE_HEIGHT_MAX is 31), so corruption is reported instead of looping.
//
//   MapleLayout lay = MapleLayout::of(layout);
//   walk_maple_tree(mem, lay, mm + mm_mt_off, [&](const MapleEntry& e) { ...; return true; });
#pragma once

#include <cstdint>
#include <functional>

#include "kdive/memory_reader.h"
#include "linux/walk_status.h"

namespace kdive {

class KernelLayout;

struct MapleLayout {
  uint64_t root = 8;              // offsetof(struct maple_tree, ma_root)
  uint64_t parent = 0;            // offsetof(struct maple_node, parent)
  uint64_t r64_pivot = 8, r64_slot = 128;   // struct maple_range_64 within maple_node
  uint64_t r64_pivots = 15, r64_slots = 16;
  uint64_t a64_pivot = 8, a64_slot = 80;    // struct maple_arange_64 within maple_node
  uint64_t a64_pivots = 9, a64_slots = 10;
  uint64_t dense_slot = 8, dense_slots = 31;  // maple_node.slot
  uint64_t type_dense = 0, type_leaf64 = 1, type_range64 = 2, type_arange64 = 3;
  static MapleLayout of(KernelLayout& layout);
};

struct MapleEntry {
  uint64_t first = 0, last = 0;  // the index range [first, last] the entry covers
  uint64_t entry = 0;
};

// The entry covering `index`, 0 when none. BadDataError for inconsistent nodes.
uint64_t mt_load(const MemoryReader& mem, const MapleLayout& layout, uint64_t tree, uint64_t index);

// Every non-NULL entry by ascending range.
WalkStatus walk_maple_tree(const MemoryReader& mem, const MapleLayout& layout, uint64_t tree,
                           const std::function<bool(const MapleEntry&)>& visit, const WalkLimits& limits = {});

}  // namespace kdive
