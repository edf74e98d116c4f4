// XArrays (include/linux/xarray.h, 4.20+) and the radix trees before them, over raw
// addresses: xa_load(index) and a bounded walk over every present entry with its index.
// The node layout (shift, offset, parent, slots and the chunk size) comes from DWARF
// (`struct xa_node`, or `struct radix_tree_node` when the root has `rnode` instead of
// `xa_head`); the entry encoding is the kernel's:
//   xarray:      internal entries have low bits 10; a node pointer is internal and
//                > 4096 (node = entry - 2); a sibling (the tail slot of a multi-index
//                entry) is internal with value < chunk size (offset = entry >> 2);
//                256 ("retry") and 257 ("zero", a reserved slot) are internal too.
//   radix tree:  internal entries have low bits 01 (node = entry & ~1); a sibling is
//                an internal pointer into the same node's slots array.
// Value entries (low bit 1 in an xarray) are returned as they are.
//
// The walk checks each node's parent and offset against the slot it hangs from and
// that shifts decrease, so a corrupted node pointer cannot make it loop.
//
//   XArrayLayout lay = XArrayLayout::of(layout);
//   uint64_t page = xa_load(mem, lay, mapping + i_pages_off, 0);
//   walk_xarray(mem, lay, xa, [&](const XArrayEntry& e) { ...; return true; });
#pragma once

#include <cstdint>
#include <functional>

#include "kdive/memory_reader.h"
#include "linux/walk_status.h"

namespace kdive {

class KernelLayout;

struct XArrayLayout {
  uint64_t head = 0;         // offsetof(struct xarray, xa_head) / (radix_tree_root, rnode)
  uint64_t node_shift = 0;   // offsetof(struct xa_node, shift)
  uint64_t node_offset = 1;  // offsetof(struct xa_node, offset)
  uint64_t node_parent = 8;  // offsetof(struct xa_node, parent)
  uint64_t node_slots = 40;  // offsetof(struct xa_node, slots)
  uint64_t chunk_size = 64;  // XA_CHUNK_SIZE: the length of slots[]
  bool radix_tree = false;   // the pre-4.20 radix tree encoding
  static XArrayLayout of(KernelLayout& layout);
};

// drgn's xa_is_zero(): the "zero" entry marks a reserved index.
inline constexpr uint64_t kXaZeroEntry = (257 << 2) | 2;

struct XArrayEntry {
  uint64_t index = 0;  // first index of the entry
  uint64_t entry = 0;  // the slot's value (a pointer or a value entry)
  uint64_t span = 1;   // how many indices it covers (> 1 for multi-index entries)
};

using XArrayVisitor = std::function<bool(const XArrayEntry&)>;

// The entry at `index` of the xarray (or radix_tree_root) at `xa`, 0 when none. With
// `advanced`, the zero entry of a reserved index is returned instead of 0.
// BadDataError for an inconsistent tree; FaultError when a node cannot be read.
uint64_t xa_load(const MemoryReader& mem, const XArrayLayout& layout, uint64_t xa, uint64_t index,
                 bool advanced = false);

// Every present entry, by ascending index. Zero entries are skipped unless `advanced`.
WalkStatus walk_xarray(const MemoryReader& mem, const XArrayLayout& layout, uint64_t xa,
                       const XArrayVisitor& visit, const WalkLimits& limits = {}, bool advanced = false);

}  // namespace kdive
