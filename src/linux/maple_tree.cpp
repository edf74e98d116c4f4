// Maple tree walk and lookup (maple_tree.h). A node's pivots and slots are each read
// in one read; ranges are computed as lib/maple_tree.c does: slot i covers
// (pivot[i-1], pivot[i]], the last slot up to the node's max, and a zero pivot after
// the first marks the end of the node's data.
#include "linux/maple_tree.h"

#include <vector>

#include <fmt/format.h>

#include "base/byte_cursor.h"
#include "kdive/error.h"
#include "linux/kernel_layout.h"
#include "linux/target_words.h"
#include "program/program.h"

namespace kdive {

namespace {

constexpr uint64_t kNodeMask = 0xff;   // MAPLE_NODE_MASK
constexpr unsigned kTypeShift = 3;     // MAPLE_NODE_TYPE_SHIFT
constexpr uint64_t kTypeMask = 0xf;    // MAPLE_NODE_TYPE_MASK
constexpr unsigned kMaxHeight = 32;    // MAPLE_HEIGHT_MAX is 31

// The root pointer of a tree that has nodes is tagged as an XArray-style node
// (mte_mk_root: low bits 10). Children in an internal node's slots are encoded nodes
// (mt_mk_node: address | type << 3 | MAPLE_ENODE_NULL 0x4), low two bits 00.
bool is_node(uint64_t entry) { return (entry & 3) == 2 && entry > 4096; }
bool is_child_node(uint64_t entry) { return (entry & 3) == 0 && (entry & ~kNodeMask) >= 4096; }

std::vector<uint64_t> read_words(const MemoryReader& mem, uint64_t address, uint64_t count) {
  std::vector<uint8_t> bytes(count * 8);
  mem.read(address, bytes.data(), bytes.size());
  ByteCursor c(bytes, "memory", "maple node", true, address);
  std::vector<uint64_t> out(count);
  for (uint64_t& v : out) v = c.u64();
  return out;
}

uint64_t enumerator(KernelLayout& layout, const char* name, uint64_t fallback) {
  std::optional<Object> o = layout.program().find_object(name);
  return o && !o->is_reference() ? o->as_unsigned() : fallback;
}

struct Walker {
  const MemoryReader& mem;
  const MapleLayout& lay;
  uint64_t tree;
  const std::function<bool(const MapleEntry&)>& visit;
  WalkStatus& st;
  const WalkLimits& limits;

  // Returns false to stop.
  bool node(uint64_t enode, uint64_t parent, uint64_t min, uint64_t max, unsigned depth) {
    uint64_t addr = enode & ~kNodeMask;
    uint64_t type = (enode >> kTypeShift) & kTypeMask;
    if (depth >= kMaxHeight)
      throw BadDataError(fmt::format("maple tree {:#x}: deeper than {} levels at {:#x}", tree, kMaxHeight, addr));
    uint64_t p = read_u64(mem, addr + lay.parent) & ~kNodeMask;
    if (parent && p != parent)
      throw BadDataError(fmt::format("maple tree {:#x}: corrupt or cyclic: node {:#x} has parent {:#x}, expected {:#x}",
                                     tree, addr, p, parent));
    if (type == lay.type_dense) {
      std::vector<uint64_t> slots = read_words(mem, addr + lay.dense_slot, lay.dense_slots);
      for (uint64_t i = 0; i < slots.size() && min + i <= max; ++i)
        if (slots[i] && !emit({min + i, min + i, slots[i]})) return false;
      return true;
    }
    bool leaf = type == lay.type_leaf64;
    uint64_t piv_off, slot_off, npiv, nslot;
    if (type == lay.type_leaf64 || type == lay.type_range64) {
      piv_off = lay.r64_pivot, slot_off = lay.r64_slot, npiv = lay.r64_pivots, nslot = lay.r64_slots;
    } else if (type == lay.type_arange64) {
      piv_off = lay.a64_pivot, slot_off = lay.a64_slot, npiv = lay.a64_pivots, nslot = lay.a64_slots;
    } else {
      throw BadDataError(fmt::format("maple tree {:#x}: node {:#x} has unknown type {}", tree, addr, type));
    }
    std::vector<uint64_t> pivots = read_words(mem, addr + piv_off, npiv);
    std::vector<uint64_t> slots = read_words(mem, addr + slot_off, nslot);
    uint64_t lo = min;
    for (uint64_t i = 0; i < nslot; ++i) {
      uint64_t hi = i < npiv ? pivots[i] : max;
      if (i > 0 && i < npiv && hi == 0) break;  // no more data in this node
      if (hi < lo || hi > max)
        throw BadDataError(fmt::format("maple tree {:#x}: node {:#x}: pivot {} ({:#x}) out of order", tree, addr, i, hi));
      uint64_t e = slots[i];
      if (e) {
        if (leaf) {
          if (!emit({lo, hi, e})) return false;
        } else {
          if (!is_child_node(e))
            throw BadDataError(fmt::format("maple tree {:#x}: node {:#x}: slot {} is not a node ({:#x})", tree, addr, i, e));
          if (!node(e, addr, lo, hi, depth + 1)) return false;
        }
      }
      if (hi >= max) break;
      lo = hi + 1;
    }
    return true;
  }

  bool emit(const MapleEntry& e) {
    if (st.visited >= limits.max_entries) {
      st.problem = fmt::format("maple tree {:#x}: stopped at the limit of {} entries", tree, limits.max_entries);
      return false;
    }
    ++st.visited;
    if (!visit(e)) {
      st.stopped_early = true;
      return false;
    }
    return true;
  }
};

}  // namespace

MapleLayout MapleLayout::of(KernelLayout& layout) {
  MapleLayout m;
  const char* node = "struct maple_node";
  m.root = layout.offset("struct maple_tree", "ma_root");
  m.parent = layout.offset(node, "parent");
  m.r64_pivot = layout.offset(node, "mr64.pivot");
  m.r64_slot = layout.offset(node, "mr64.slot");
  m.r64_pivots = layout.array_length(node, "mr64.pivot");
  m.r64_slots = layout.array_length(node, "mr64.slot");
  m.a64_pivot = layout.offset(node, "ma64.pivot");
  m.a64_slot = layout.offset(node, "ma64.slot");
  m.a64_pivots = layout.array_length(node, "ma64.pivot");
  m.a64_slots = layout.array_length(node, "ma64.slot");
  m.dense_slot = layout.offset(node, "slot");
  m.dense_slots = layout.array_length(node, "slot");
  m.type_dense = enumerator(layout, "maple_dense", 0);
  m.type_leaf64 = enumerator(layout, "maple_leaf_64", 1);
  m.type_range64 = enumerator(layout, "maple_range_64", 2);
  m.type_arange64 = enumerator(layout, "maple_arange_64", 3);
  return m;
}

WalkStatus walk_maple_tree(const MemoryReader& mem, const MapleLayout& lay, uint64_t tree,
                           const std::function<bool(const MapleEntry&)>& visit, const WalkLimits& limits) {
  WalkStatus st;
  Walker w{mem, lay, tree, visit, st, limits};
  try {
    uint64_t root = read_u64(mem, tree + lay.root);
    if (!is_node(root)) {
      if (root) w.emit({0, 0, root});
      return st;
    }
    w.node(root, 0, 0, UINT64_MAX, 0);
  } catch (const FaultError& e) {
    st.problem = fmt::format("maple tree {:#x}: could not read {:#x}: {}", tree, e.address(), e.reason());
    st.problem_address = e.address();
  } catch (const BadDataError& e) {
    st.problem = e.what();
  }
  return st;
}

uint64_t mt_load(const MemoryReader& mem, const MapleLayout& lay, uint64_t tree, uint64_t index) {
  uint64_t found = 0;
  WalkStatus st = walk_maple_tree(mem, lay, tree, [&](const MapleEntry& e) {
    if (index >= e.first && index <= e.last) found = e.entry;
    return e.last < index && !found;
  });
  if (!st.ok()) throw BadDataError(st.message());
  return found;
}

}  // namespace kdive
