// XArray lookup and walk on a crafted two-level xarray in a byte buffer (the xa_node
// layout of include/linux/xarray.h: shift, offset, parent, slots[64]): plain entries,
// a value entry covering a whole top-level slot, a multi-index entry made of sibling
// slots, indices beyond the tree, and corrupted node pointers.
#include "linux/xarray.h"

#include <gtest/gtest.h>

#include <vector>

#include "kdive/error.h"
#include "unit/linux/byte_buffer_memory.h"

namespace kdive {
namespace {

using testing::ByteBufferMemory;

constexpr uint64_t kXa = 0x30000;     // struct xarray; xa_head at offset 0 here
constexpr uint64_t kTop = 0x31000;    // xa_node, shift 6
constexpr uint64_t kLeaf = 0x32000;   // xa_node, shift 0, at offset 1 of kTop
uint64_t internal(uint64_t v) { return (v << 2) | 2; }

ByteBufferMemory make_xarray() {
  ByteBufferMemory m;
  m.map(kXa, 0x3000);
  XArrayLayout lay;
  m.put64(kXa + lay.head, kTop + 2);
  m.put8(kTop + lay.node_shift, 6);
  m.put64(kTop + lay.node_parent, 0);
  m.put64(kTop + lay.node_slots + 0 * 8, (5 << 1) | 1);  // value 5 for indices 0..63
  m.put64(kTop + lay.node_slots + 1 * 8, kLeaf + 2);
  m.put8(kLeaf + lay.node_shift, 0);
  m.put8(kLeaf + lay.node_offset, 1);
  m.put64(kLeaf + lay.node_parent, kTop);
  m.put64(kLeaf + lay.node_slots + 3 * 8, 0x7000);  // index 67
  m.put64(kLeaf + lay.node_slots + 8 * 8, 0x8000);  // indices 72..75
  for (int i = 9; i < 12; ++i) m.put64(kLeaf + lay.node_slots + i * 8, internal(8));
  m.put64(kLeaf + lay.node_slots + 20 * 8, kXaZeroEntry);  // index 84 reserved
  return m;
}

TEST(XArray, Load) {
  ByteBufferMemory m = make_xarray();
  XArrayLayout lay;
  EXPECT_EQ(xa_load(m, lay, kXa, 0), 11u);
  EXPECT_EQ(xa_load(m, lay, kXa, 63), 11u);
  EXPECT_EQ(xa_load(m, lay, kXa, 67), 0x7000u);
  EXPECT_EQ(xa_load(m, lay, kXa, 68), 0u);
  EXPECT_EQ(xa_load(m, lay, kXa, 72), 0x8000u);
  EXPECT_EQ(xa_load(m, lay, kXa, 75), 0x8000u);
  EXPECT_EQ(xa_load(m, lay, kXa, 76), 0u);
  EXPECT_EQ(xa_load(m, lay, kXa, 84), 0u);
  EXPECT_EQ(xa_load(m, lay, kXa, 84, /*advanced=*/true), kXaZeroEntry);
  EXPECT_EQ(xa_load(m, lay, kXa, 4096), 0u);  // beyond what a shift-6 root covers
}

TEST(XArray, WalkWithIndicesAndSpans) {
  ByteBufferMemory m = make_xarray();
  std::vector<std::tuple<uint64_t, uint64_t, uint64_t>> got;
  WalkStatus st = walk_xarray(m, XArrayLayout{}, kXa, [&](const XArrayEntry& e) {
    got.emplace_back(e.index, e.entry, e.span);
    return true;
  });
  EXPECT_TRUE(st.ok()) << st.message();
  using T = std::tuple<uint64_t, uint64_t, uint64_t>;
  EXPECT_EQ(got, (std::vector<T>{T{0, 11, 64}, T{67, 0x7000, 1}, T{72, 0x8000, 4}}));
}

TEST(XArray, SingleEntryAtHead) {
  ByteBufferMemory m;
  m.map(kXa, 8);
  m.put64(kXa, 0x9000);
  EXPECT_EQ(xa_load(m, XArrayLayout{}, kXa, 0), 0x9000u);
  EXPECT_EQ(xa_load(m, XArrayLayout{}, kXa, 1), 0u);
}

TEST(XArray, NodePointingBackToRootStops) {
  ByteBufferMemory m = make_xarray();
  XArrayLayout lay;
  // The leaf's slot 13 claims the root node as a child: the root's parent is NULL.
  m.put8(kLeaf + lay.node_shift, 3);
  m.put64(kLeaf + lay.node_slots + 13 * 8, kTop + 2);
  std::vector<uint64_t> idx;
  WalkStatus st = walk_xarray(m, lay, kXa, [&](const XArrayEntry& e) { idx.push_back(e.index); return true; });
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.problem, "xarray 0x30000: corrupt: node 0x31000 has parent 0x0, expected 0x32000");
  EXPECT_THROW(xa_load(m, lay, kXa, 104), BadDataError);  // 104 = 64 + (13 << 3)
}

TEST(XArray, GarbageNodePointerReportsFault) {
  ByteBufferMemory m = make_xarray();
  XArrayLayout lay;
  m.put64(kTop + lay.node_slots + 2 * 8, 0x5555000000000002);
  WalkStatus st = walk_xarray(m, lay, kXa, [](const XArrayEntry&) { return true; });
  EXPECT_EQ(st.visited, 3u);
  EXPECT_EQ(st.message(), "xarray 0x30000: could not read 0x5555000000000000: not in test memory (after 3 entries)");
}

}  // namespace
}  // namespace kdive
