#include "target/segmented_memory.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "kdive/error.h"

namespace kdive {
namespace {

std::string fault_text(const SegmentedMemory& m, uint64_t addr, size_t n) {
  std::vector<uint8_t> buf(n);
  try {
    m.read(addr, buf.data(), n);
  } catch (const FaultError& e) {
    return e.what();
  }
  return "no fault";
}

TEST(SegmentedMemory, ReadsWithinAndAcrossSegments) {
  std::vector<uint8_t> a(0x100), b(0x100);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<uint8_t>(i), b[i] = static_cast<uint8_t>(0x80 + i);
  SegmentedMemory m;
  m.add({.start = 0x1000, .size = 0x100, .backed_size = 0x100, .data = a.data(), .read = {}});
  m.add({.start = 0x1100, .size = 0x100, .backed_size = 0x100, .data = b.data(), .read = {}});
  uint8_t buf[4];
  m.read(0x10fe, buf, 4);  // last two bytes of a, first two of b
  EXPECT_EQ(buf[0], 0xfe);
  EXPECT_EQ(buf[1], 0xff);
  EXPECT_EQ(buf[2], 0x80);
  EXPECT_EQ(buf[3], 0x81);
  auto r = m.ranges();
  ASSERT_EQ(r.size(), 1u);  // adjacent segments merge
  EXPECT_EQ(r[0].start, 0x1000u);
  EXPECT_EQ(r[0].size, 0x200u);
  EXPECT_TRUE(m.contains(0x1000, 0x200));
  EXPECT_FALSE(m.contains(0x1000, 0x201));
}

TEST(SegmentedMemory, HoleFaultsAtFirstMissingByte) {
  std::vector<uint8_t> a(0x10, 0xaa);
  SegmentedMemory m;
  m.add({.start = 0x1000, .size = 0x10, .backed_size = 0x10, .data = a.data(), .read = {}});
  EXPECT_EQ(fault_text(m, 0x1008, 0x10), "address not in dump: 0x1010");
  EXPECT_EQ(fault_text(m, 0x0, 1), "address not in dump: 0x0");
  EXPECT_EQ(fault_text(SegmentedMemory(), 0x42, 1), "address not in dump: 0x42");
}

TEST(SegmentedMemory, EarlierSegmentWinsOverlap) {
  std::vector<uint8_t> a(0x10, 0xaa), b(0x30, 0xbb);
  SegmentedMemory m;
  m.add({.start = 0x1010, .size = 0x10, .backed_size = 0x10, .data = a.data(), .read = {}});
  m.add({.start = 0x1000, .size = 0x30, .backed_size = 0x30, .data = b.data(), .read = {}});
  uint8_t buf[0x30];
  m.read(0x1000, buf, sizeof buf);
  EXPECT_EQ(buf[0x0f], 0xbb);
  EXPECT_EQ(buf[0x10], 0xaa);
  EXPECT_EQ(buf[0x1f], 0xaa);
  EXPECT_EQ(buf[0x20], 0xbb);
}

// QEMU's paging dumps (dump-guest-memory -p) list one segment per mapped page, in
// descending address order, and map some physical pages many times: 65,741 segments on
// the 6.1-rt fixture. Registration must not be quadratic, reads after each add must see
// the new segments, and earlier segments still win where later ones overlap them.
TEST(SegmentedMemory, ManyPageSegmentsInDescendingOrder) {
  constexpr uint64_t kPages = 100000, kBase = 0xffffff0000000000;
  std::vector<uint8_t> page(0x1000);
  SegmentedMemory m;
  for (uint64_t i = kPages; i-- > 0;) {
    m.add({.start = kBase + i * 0x2000, .size = 0x1000, .backed_size = 0x1000, .data = page.data(), .read = {}});
    if (i == kPages / 2) {
      EXPECT_TRUE(m.contains(kBase + i * 0x2000, 0x1000));
    }
  }
  std::vector<uint8_t> other(0x3000, 0xcc);
  m.add({.start = kBase, .size = 0x3000, .backed_size = 0x3000, .data = other.data(), .read = {}});
  EXPECT_EQ(m.ranges().size(), kPages - 1);  // the last add filled the first hole
  page[5] = 0x5a;
  uint8_t b = 0;
  m.read(kBase + 0x2005, &b, 1);
  EXPECT_EQ(b, 0x5a);  // the page segment, added first, wins over `other`
  m.read(kBase + 0x1005, &b, 1);
  EXPECT_EQ(b, 0xcc);  // the hole between two pages is filled by `other`
  EXPECT_EQ(fault_text(m, kBase + 0x5000, 1), "address not in dump: 0xffffff0000005000");
  m.read(kBase + (kPages - 1) * 0x2000 + 5, &b, 1);
  EXPECT_EQ(b, 0x5a);
}

TEST(SegmentedMemory, TailsReadAsZerosOrFaultWithReason) {
  std::vector<uint8_t> a(0x8, 0x11);
  SegmentedMemory m;
  m.add({.start = 0x0, .size = 0x10, .backed_size = 0x8, .data = a.data(), .read = {},
         .tail = SegmentedMemory::Tail::Zeros, .tail_reason = ""});
  m.add({.start = 0x100, .size = 0x10, .backed_size = 0x8, .data = a.data(), .read = {},
         .tail = SegmentedMemory::Tail::Fault, .tail_reason = kReasonTruncated});
  uint8_t buf[0x10];
  m.read(0x0, buf, 0x10);
  EXPECT_EQ(buf[7], 0x11);
  EXPECT_EQ(buf[8], 0x00);
  EXPECT_EQ(fault_text(m, 0x104, 8), "truncated dump: 0x108");
}

TEST(SegmentedMemory, ReadFunctionGetsSegmentOffset) {
  SegmentedMemory m;
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  m.add({.start = 0x5000, .size = 0x1000, .backed_size = 0x1000, .data = nullptr,
         .read = [&](uint64_t addr, uint64_t off, void* buf, size_t n) {
           calls.emplace_back(addr, off);
           std::memset(buf, 0x5a, n);
         }});
  uint8_t buf[3];
  m.read(0x5123, buf, 3);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].first, 0x5123u);
  EXPECT_EQ(calls[0].second, 0x123u);
  EXPECT_EQ(buf[2], 0x5a);
}

TEST(SegmentedMemory, SegmentAtTopOfAddressSpace) {
  std::vector<uint8_t> a(0x1000, 0x77);
  SegmentedMemory m;
  m.add({.start = 0xfffffffffffff000, .size = 0x2000, .backed_size = 0x2000, .data = a.data(), .read = {}});
  uint8_t buf[0x10];
  m.read(0xfffffffffffffff0, buf, 0x10);
  EXPECT_EQ(buf[15], 0x77);
  EXPECT_TRUE(m.contains(0xfffffffffffff000, 0x1000));
}

}  // namespace
}  // namespace kdive
