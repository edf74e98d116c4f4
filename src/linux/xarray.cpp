// XArray / radix tree lookup and walk (xarray.h).
#include "linux/xarray.h"

#include <vector>

#include <fmt/format.h>

#include "base/byte_cursor.h"
#include "kdive/error.h"
#include "linux/kernel_layout.h"
#include "linux/target_words.h"

namespace kdive {

XArrayLayout XArrayLayout::of(KernelLayout& layout) {
  XArrayLayout x;
  if (auto head = layout.find_offset("struct xarray", "xa_head")) {
    x.head = *head;
    const char* node = "struct xa_node";
    x.node_shift = layout.offset(node, "shift");
    x.node_offset = layout.offset(node, "offset");
    x.node_parent = layout.offset(node, "parent");
    x.node_slots = layout.offset(node, "slots");
    x.chunk_size = layout.array_length(node, "slots");
    return x;
  }
  const char* node = "struct radix_tree_node";
  x.radix_tree = true;
  x.head = layout.offset("struct radix_tree_root", "rnode");
  x.node_shift = layout.offset(node, "shift");
  x.node_offset = layout.offset(node, "offset");
  x.node_parent = layout.offset(node, "parent");
  x.node_slots = layout.offset(node, "slots");
  x.chunk_size = layout.array_length(node, "slots");
  return x;
}

namespace {

enum class Kind { Plain, Node, Sibling, Internal };

struct Classified {
  Kind kind;
  uint64_t value;  // node address for Node, slot offset for Sibling
};

// What an entry found in slot `slots` (0 for the head) is.
Classified classify(const XArrayLayout& lay, uint64_t entry, uint64_t slots) {
  if (!lay.radix_tree) {
    if ((entry & 3) != 2) return {Kind::Plain, entry};
    if (entry > 4096) return {Kind::Node, entry - 2};
    if ((entry >> 2) < lay.chunk_size) return {Kind::Sibling, entry >> 2};
    return {Kind::Internal, entry};
  }
  if ((entry & 3) != 1) return {Kind::Plain, entry};
  uint64_t ptr = entry & ~uint64_t(1);
  if (slots && ptr >= slots && ptr < slots + lay.chunk_size * 8) return {Kind::Sibling, (ptr - slots) / 8};
  return {Kind::Node, ptr};
}

unsigned chunk_shift(const XArrayLayout& lay) {
  unsigned s = 0;
  while ((uint64_t(1) << s) < lay.chunk_size) ++s;
  return s;
}

// Reads a node's shift and verifies it hangs where we found it.
unsigned read_node(const MemoryReader& mem, const XArrayLayout& lay, uint64_t xa, uint64_t node,
                   uint64_t parent, uint64_t offset, int parent_shift) {
  unsigned shift = read_u8(mem, node + lay.node_shift);
  uint64_t p = read_u64(mem, node + lay.node_parent);
  if (p != parent)
    throw BadDataError(fmt::format("xarray {:#x}: corrupt: node {:#x} has parent {:#x}, expected {:#x}", xa, node, p, parent));
  if (parent && read_u8(mem, node + lay.node_offset) != offset)
    throw BadDataError(fmt::format("xarray {:#x}: corrupt: node {:#x} is not at offset {} of its parent", xa, node, offset));
  if (parent_shift >= 0 && static_cast<int>(shift) >= parent_shift)
    throw BadDataError(fmt::format("xarray {:#x}: corrupt: node {:#x} has shift {} under shift {}", xa, node, shift, parent_shift));
  if (shift >= 64) throw BadDataError(fmt::format("xarray {:#x}: corrupt: node {:#x} has shift {}", xa, node, shift));
  return shift;
}

std::vector<uint64_t> read_slots(const MemoryReader& mem, uint64_t slots, uint64_t count) {
  std::vector<uint8_t> bytes(count * 8);
  mem.read(slots, bytes.data(), bytes.size());
  ByteCursor cur(bytes, "memory", "xarray node slots", true, slots);
  std::vector<uint64_t> out(count);
  for (uint64_t& v : out) v = cur.u64();
  return out;
}

uint64_t plain(const Classified& c, bool advanced) {
  if (c.kind == Kind::Plain) return c.value;
  if (advanced && c.kind == Kind::Internal && c.value == kXaZeroEntry) return c.value;
  return 0;
}

}  // namespace

uint64_t xa_load(const MemoryReader& mem, const XArrayLayout& lay, uint64_t xa, uint64_t index, bool advanced) {
  uint64_t entry = read_u64(mem, xa + lay.head);
  Classified c = classify(lay, entry, 0);
  if (c.kind != Kind::Node) return index == 0 ? plain(c, advanced) : 0;
  const uint64_t mask = lay.chunk_size - 1;
  uint64_t node = c.value, parent = 0, offset = 0;
  int parent_shift = -1;
  for (;;) {
    unsigned shift = read_node(mem, lay, xa, node, parent, offset, parent_shift);
    if (parent == 0 && shift + chunk_shift(lay) < 64 && (index >> shift) > mask) return 0;  // beyond the tree
    uint64_t slots = node + lay.node_slots;
    offset = (index >> shift) & mask;
    entry = read_u64(mem, slots + offset * 8);
    c = classify(lay, entry, slots);
    if (c.kind == Kind::Sibling) {
      offset = c.value;
      entry = read_u64(mem, slots + offset * 8);
      c = classify(lay, entry, slots);
    }
    if (c.kind != Kind::Node || shift == 0) return plain(c, advanced);
    parent = node;
    parent_shift = static_cast<int>(shift);
    node = c.value;
  }
}

WalkStatus walk_xarray(const MemoryReader& mem, const XArrayLayout& lay, uint64_t xa,
                       const XArrayVisitor& visit, const WalkLimits& limits, bool advanced) {
  WalkStatus st;
  struct Frame {
    uint64_t node, slots, index;
    unsigned shift;
    std::vector<uint64_t> entries;  // the node's slots, read at once
    uint64_t next = 0;
  };
  auto emit = [&](const XArrayEntry& e) {
    if (st.visited >= limits.max_entries) {
      st.problem = fmt::format("xarray {:#x}: stopped at the limit of {} entries", xa, limits.max_entries);
      st.problem_address = e.entry;
      return false;
    }
    ++st.visited;
    if (!visit(e)) {
      st.stopped_early = true;
      return false;
    }
    return true;
  };
  try {
    uint64_t head = read_u64(mem, xa + lay.head);
    Classified c = classify(lay, head, 0);
    if (c.kind != Kind::Node) {
      if (uint64_t v = plain(c, advanced)) emit({0, v, 1});
      return st;
    }
    std::vector<Frame> stack;
    stack.push_back({c.value, c.value + lay.node_slots, 0, read_node(mem, lay, xa, c.value, 0, 0, -1),
                     read_slots(mem, c.value + lay.node_slots, lay.chunk_size)});
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.next >= lay.chunk_size) {
        stack.pop_back();
        continue;
      }
      uint64_t i = f.next++;
      Classified e = classify(lay, f.entries[i], f.slots);
      uint64_t index = f.index + (i << f.shift);
      if (e.kind == Kind::Node && f.shift > 0) {
        unsigned shift = read_node(mem, lay, xa, e.value, f.node, i, static_cast<int>(f.shift));
        uint64_t slots = e.value + lay.node_slots;
        stack.push_back({e.value, slots, index, shift, read_slots(mem, slots, lay.chunk_size)});
        continue;
      }
      uint64_t v = plain(e, advanced);
      if (!v) continue;
      // A multi-index entry: its sibling slots follow it in the same node.
      uint64_t n = 1;
      while (i + n < lay.chunk_size) {
        Classified s = classify(lay, f.entries[i + n], f.slots);
        if (s.kind != Kind::Sibling || s.value != i) break;
        ++n;
      }
      if (!emit({index, v, n << f.shift})) return st;
    }
  } catch (const FaultError& e) {
    st.problem = fmt::format("xarray {:#x}: could not read {:#x}: {}", xa, e.address(), e.reason());
    st.problem_address = e.address();
  } catch (const BadDataError& e) {
    st.problem = e.what();
  }
  return st;
}

}  // namespace kdive
