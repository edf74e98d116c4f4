// Red-black tree walks on a crafted tree in a byte buffer: in-order and reverse order,
// first/last/next/prev, and a corrupted child pointer that would make a cycle.
#include "linux/rbtree.h"

#include <gtest/gtest.h>

#include <vector>

#include "unit/linux/byte_buffer_memory.h"

namespace kdive {
namespace {

using testing::ByteBufferMemory;

constexpr uint64_t kRoot = 0x20000;  // struct rb_root
uint64_t node(int i) { return 0x20000 + 0x40 * static_cast<uint64_t>(i + 1); }

// rb_node at default layout: __rb_parent_color 0, rb_right 8, rb_left 16.
void set(ByteBufferMemory& m, uint64_t n, uint64_t parent, uint64_t left, uint64_t right, bool black) {
  m.put64(n, parent | (black ? 1 : 0));
  m.put64(n + 8, right);
  m.put64(n + 16, left);
}

// The tree: n3 at the root; n3.left = n1, n3.right = n5; n1.left = n0,
// n1.right = n2; n5.right = n6 (no n4).
ByteBufferMemory make_tree() {
  ByteBufferMemory m;
  m.map(kRoot, 0x400);
  m.put64(kRoot, node(3));
  set(m, node(3), 0, node(1), node(5), true);
  set(m, node(1), node(3), node(0), node(2), false);
  set(m, node(0), node(1), 0, 0, true);
  set(m, node(2), node(1), 0, 0, true);
  set(m, node(5), node(3), 0, node(6), true);
  set(m, node(6), node(5), 0, 0, false);
  return m;
}

std::vector<uint64_t> walk(const ByteBufferMemory& m, WalkStatus* st, bool reverse = false) {
  std::vector<uint64_t> out;
  *st = walk_rbtree(m, RbLayout{}, kRoot, [&](uint64_t n) { out.push_back(n); return true; }, {}, reverse);
  return out;
}

TEST(RbTree, InOrderAndReverse) {
  ByteBufferMemory m = make_tree();
  WalkStatus st;
  EXPECT_EQ(walk(m, &st), (std::vector<uint64_t>{node(0), node(1), node(2), node(3), node(5), node(6)}));
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(walk(m, &st, true), (std::vector<uint64_t>{node(6), node(5), node(3), node(2), node(1), node(0)}));
  EXPECT_TRUE(st.ok());
}

TEST(RbTree, FirstLastNextPrev) {
  ByteBufferMemory m = make_tree();
  RbLayout lay;
  EXPECT_EQ(rb_first(m, lay, kRoot), node(0));
  EXPECT_EQ(rb_last(m, lay, kRoot), node(6));
  std::vector<uint64_t> fwd;
  for (uint64_t n = rb_first(m, lay, kRoot); n; n = rb_next(m, lay, n)) fwd.push_back(n);
  EXPECT_EQ(fwd, (std::vector<uint64_t>{node(0), node(1), node(2), node(3), node(5), node(6)}));
  EXPECT_EQ(rb_prev(m, lay, node(3)), node(2));
  EXPECT_EQ(rb_prev(m, lay, node(0)), 0u);
  EXPECT_EQ(rb_parent(m, lay, node(1)), node(3));  // colour bit masked off
}

TEST(RbTree, EmptyTree) {
  ByteBufferMemory m;
  m.map(kRoot, 8);
  WalkStatus st;
  EXPECT_TRUE(walk(m, &st).empty());
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(rb_first(m, RbLayout{}, kRoot), 0u);
}

TEST(RbTree, CyclicChildPointerStops) {
  ByteBufferMemory m = make_tree();
  // n6->rb_left = n3: the root reappears below itself.
  m.put64(node(6) + 16, node(3));
  WalkStatus st;
  std::vector<uint64_t> got = walk(m, &st);
  EXPECT_EQ(got, (std::vector<uint64_t>{node(0), node(1), node(2), node(3), node(5)}));
  EXPECT_EQ(st.message(),
            "rbtree 0x20000: corrupt or cyclic: node 0x20100 has parent 0x0, expected 0x201c0 (after 5 entries)");
}

TEST(RbTree, GarbagePointerReportsFault) {
  ByteBufferMemory m = make_tree();
  m.put64(node(5) + 8, 0x4141414141414140);
  WalkStatus st;
  EXPECT_EQ(walk(m, &st).size(), 5u);
  EXPECT_EQ(st.message(), "rbtree 0x20000: could not read 0x4141414141414140: not in test memory (after 5 entries)");
}

}  // namespace
}  // namespace kdive
