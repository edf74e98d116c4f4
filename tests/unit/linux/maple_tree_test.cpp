// Maple tree walk and lookup on a crafted two-level tree in a byte buffer (the 6.1
// x86-64 maple_node layout: parent, pivot[15], slot[16] for range/leaf nodes): ranges
// from pivots, empty slots, lookup, and a child whose parent pointer is wrong.
#include "linux/maple_tree.h"

#include <gtest/gtest.h>

#include <vector>

#include "kdive/error.h"
#include "unit/linux/byte_buffer_memory.h"

namespace kdive {
namespace {

using testing::ByteBufferMemory;

constexpr uint64_t kTree = 0x40000;  // struct maple_tree; ma_root at offset 8
constexpr uint64_t kRoot = 0x40100, kLeafA = 0x40200, kLeafB = 0x40300;

// lib/maple_tree.c: a child in a slot is mt_mk_node() = node | type << 3 | MAPLE_ENODE_NULL
// (0x4); the tree's root pointer is that ORed with MAPLE_ROOT_NODE (0x2).
uint64_t enode(const MapleLayout& l, uint64_t node, uint64_t type) { return node | (type << 3) | 4; }
uint64_t root_enode(const MapleLayout& l, uint64_t node, uint64_t type) { return enode(l, node, type) | 2; }

ByteBufferMemory make_tree() {
  MapleLayout l;
  ByteBufferMemory m;
  m.map(kTree, 0x400);
  m.put64(kTree + l.root, root_enode(l, kRoot, l.type_range64));
  m.put64(kRoot + l.parent, kTree | 1);  // the root's parent is the tree, marked
  m.put64(kRoot + l.r64_pivot, 99);
  m.put64(kRoot + l.r64_pivot + 8, UINT64_MAX);
  m.put64(kRoot + l.r64_slot, enode(l, kLeafA, l.type_leaf64));
  m.put64(kRoot + l.r64_slot + 8, enode(l, kLeafB, l.type_leaf64));
  m.put64(kLeafA + l.parent, kRoot | 0x4);
  const uint64_t pivots[] = {9, 19, 99};
  for (uint64_t i = 0; i < 3; ++i) m.put64(kLeafA + l.r64_pivot + 8 * i, pivots[i]);
  m.put64(kLeafA + l.r64_slot + 8, 0xA000);  // [10, 19]
  m.put64(kLeafB + l.parent, kRoot | 0xc);
  m.put64(kLeafB + l.r64_pivot, 199);
  m.put64(kLeafB + l.r64_pivot + 8, UINT64_MAX);
  m.put64(kLeafB + l.r64_slot, 0xB000);  // [100, 199]
  return m;
}

TEST(MapleTree, WalkRanges) {
  ByteBufferMemory m = make_tree();
  std::vector<std::tuple<uint64_t, uint64_t, uint64_t>> got;
  WalkStatus st = walk_maple_tree(m, MapleLayout{}, kTree, [&](const MapleEntry& e) {
    got.emplace_back(e.first, e.last, e.entry);
    return true;
  });
  EXPECT_TRUE(st.ok()) << st.message();
  using T = std::tuple<uint64_t, uint64_t, uint64_t>;
  EXPECT_EQ(got, (std::vector<T>{T{10, 19, 0xA000}, T{100, 199, 0xB000}}));
}

TEST(MapleTree, Load) {
  ByteBufferMemory m = make_tree();
  MapleLayout l;
  EXPECT_EQ(mt_load(m, l, kTree, 15), 0xA000u);
  EXPECT_EQ(mt_load(m, l, kTree, 150), 0xB000u);
  EXPECT_EQ(mt_load(m, l, kTree, 50), 0u);
  EXPECT_EQ(mt_load(m, l, kTree, 1000), 0u);
}

TEST(MapleTree, WrongParentStops) {
  ByteBufferMemory m = make_tree();
  MapleLayout l;
  m.put64(kLeafB + l.parent, kLeafA);
  size_t n = 0;
  WalkStatus st = walk_maple_tree(m, l, kTree, [&](const MapleEntry&) { ++n; return true; });
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(st.problem, "maple tree 0x40000: corrupt or cyclic: node 0x40300 has parent 0x40200, expected 0x40100");
  EXPECT_THROW(mt_load(m, l, kTree, 150), BadDataError);
}

}  // namespace
}  // namespace kdive
