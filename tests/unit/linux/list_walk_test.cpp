// Bounded list walks on crafted lists in a byte buffer: order, reverse, cycles that do
// not pass through the head, garbage pointers, NULL links, limits, hlist and llist.
#include "linux/list_walk.h"

#include <gtest/gtest.h>

#include <vector>

#include "unit/linux/byte_buffer_memory.h"

namespace kdive {
namespace {

using testing::ByteBufferMemory;

constexpr uint64_t kBase = 0x10000;
constexpr uint64_t kHead = kBase;
// Node i lives at kBase + 0x100 * (i + 1).
uint64_t node(int i) { return kBase + 0x100 * static_cast<uint64_t>(i + 1); }

// A well-formed circular list head -> n0 -> ... -> n(count-1) -> head.
ByteBufferMemory make_list(int count) {
  ByteBufferMemory mem;
  mem.map(kBase, 0x100 * static_cast<size_t>(count + 1));
  std::vector<uint64_t> ring{kHead};
  for (int i = 0; i < count; ++i) ring.push_back(node(i));
  for (size_t i = 0; i < ring.size(); ++i) {
    mem.put64(ring[i], ring[(i + 1) % ring.size()]);                    // next
    mem.put64(ring[i] + 8, ring[(i + ring.size() - 1) % ring.size()]);  // prev
  }
  return mem;
}

std::vector<uint64_t> collect(const MemoryReader& mem, WalkStatus* st, bool reverse = false, WalkLimits limits = {}) {
  std::vector<uint64_t> out;
  *st = walk_list(mem, ListLayout{}, kHead, [&](uint64_t n) { out.push_back(n); return true; }, limits, reverse);
  return out;
}

TEST(ListWalk, ForwardAndReverse) {
  ByteBufferMemory mem = make_list(3);
  WalkStatus st;
  EXPECT_EQ(collect(mem, &st), (std::vector<uint64_t>{node(0), node(1), node(2)}));
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(st.visited, 3u);
  EXPECT_EQ(collect(mem, &st, true), (std::vector<uint64_t>{node(2), node(1), node(0)}));
  EXPECT_TRUE(st.ok());
}

TEST(ListWalk, EmptyList) {
  ByteBufferMemory mem = make_list(0);
  WalkStatus st;
  EXPECT_TRUE(collect(mem, &st).empty());
  EXPECT_TRUE(st.ok());
}

TEST(ListWalk, CycleNotThroughHeadStops) {
  ByteBufferMemory mem = make_list(4);
  // n3->next = n1: a cycle n1 n2 n3 n1 ... that never returns to the head.
  mem.put64(node(3), node(1));
  WalkStatus st;
  std::vector<uint64_t> got = collect(mem, &st);
  EXPECT_EQ(got, (std::vector<uint64_t>{node(0), node(1), node(2), node(3)}));
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.problem_address, node(1));
  EXPECT_EQ(st.message(),
            "list 0x10000: corrupt or cyclic: 0x10400->next is 0x10200, but its ->prev is 0x10100 (after 4 entries)");
}

TEST(ListWalk, SelfLoopStops) {
  ByteBufferMemory mem = make_list(2);
  mem.put64(node(1), node(1));
  WalkStatus st;
  EXPECT_EQ(collect(mem, &st).size(), 2u);
  EXPECT_FALSE(st.ok());
}

TEST(ListWalk, GarbagePointerReportsFault) {
  ByteBufferMemory mem = make_list(3);
  mem.put64(node(1), 0xdead000000000100);
  WalkStatus st;
  EXPECT_EQ(collect(mem, &st).size(), 2u);
  EXPECT_EQ(st.message(), "list 0x10000: could not read 0xdead000000000108: not in test memory (after 2 entries)");
}

TEST(ListWalk, NullNextReported) {
  ByteBufferMemory mem = make_list(2);
  mem.put64(node(0), 0);
  WalkStatus st;
  EXPECT_EQ(collect(mem, &st).size(), 1u);
  EXPECT_EQ(st.message(), "list 0x10000: 0x10100->next is NULL (after 1 entry)");
}

TEST(ListWalk, LimitStops) {
  ByteBufferMemory mem = make_list(10);
  WalkStatus st;
  EXPECT_EQ(collect(mem, &st, false, WalkLimits{4}).size(), 4u);
  EXPECT_EQ(st.message(), "list 0x10000: stopped at the limit of 4 entries (after 4 entries)");
}

TEST(ListWalk, VisitorStopsEarly) {
  ByteBufferMemory mem = make_list(5);
  int n = 0;
  WalkStatus st = walk_list(mem, ListLayout{}, kHead, [&](uint64_t) { return ++n < 2; });
  EXPECT_TRUE(st.ok());
  EXPECT_TRUE(st.stopped_early);
  EXPECT_EQ(st.visited, 2u);
}

TEST(HlistWalk, OrderAndCorruptPprev) {
  ByteBufferMemory mem;
  mem.map(kBase, 0x1000);
  // head.first -> n0 -> n1 -> NULL; pprev points at the link that points to the node.
  mem.put64(kHead, node(0));
  mem.put64(node(0), node(1));
  mem.put64(node(0) + 8, kHead);
  mem.put64(node(1), 0);
  mem.put64(node(1) + 8, node(0));
  std::vector<uint64_t> got;
  WalkStatus st = walk_hlist(mem, HlistLayout{}, kHead, [&](uint64_t n) { got.push_back(n); return true; });
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(got, (std::vector<uint64_t>{node(0), node(1)}));
  // n1->next = n0: a cycle; n0's pprev is &head.first, not &n1->next.
  mem.put64(node(1), node(0));
  got.clear();
  st = walk_hlist(mem, HlistLayout{}, kHead, [&](uint64_t n) { got.push_back(n); return true; });
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(st.message(),
            "hlist 0x10000: corrupt or cyclic: node 0x10100 has pprev 0x10000, expected 0x10200 (after 2 entries)");
}

TEST(LlistWalk, OrderAndCycle) {
  ByteBufferMemory mem;
  mem.map(kBase, 0x1000);
  mem.put64(kHead, node(0));
  mem.put64(node(0), node(1));
  mem.put64(node(1), node(2));
  mem.put64(node(2), 0);
  std::vector<uint64_t> got;
  WalkStatus st = walk_llist(mem, LlistLayout{}, kHead, [&](uint64_t n) { got.push_back(n); return true; });
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(got, (std::vector<uint64_t>{node(0), node(1), node(2)}));
  mem.put64(node(2), node(0));
  got.clear();
  st = walk_llist(mem, LlistLayout{}, kHead, [&](uint64_t n) { got.push_back(n); return true; });
  EXPECT_EQ(got.size(), 3u);
  EXPECT_EQ(st.message(), "llist 0x10100: cycle: node 0x10100 seen twice (after 3 entries)");
}

}  // namespace
}  // namespace kdive
