// SLUB freelist decoding and walking on slabs built byte by byte in test memory: plain
// and hardened (CONFIG_SLAB_FREELIST_HARDENED) free pointers, and the corruptions a
// walk must stop at with a message — a cycle, a pointer outside the slab, a pointer
// between objects, an unreadable object.
#include <gtest/gtest.h>

#include <unordered_set>

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/slab.h"
#include "unit/linux/byte_buffer_memory.h"

namespace kdive {
namespace {

constexpr uint64_t kSlab = 0xffff888000100000;
constexpr uint64_t kSize = 64;     // object stride
constexpr uint64_t kOffset = 32;   // free pointer in the middle of the object
constexpr uint64_t kRandom = 0x1234567890abcdef;

uint64_t obj(uint64_t i) { return kSlab + i * kSize; }

// The kernel's freelist_ptr() encoding: ptr ^ random ^ swab(address it is stored at).
uint64_t encode(uint64_t ptr, uint64_t at) {
  uint64_t swapped = 0;
  for (int i = 0; i < 8; ++i) swapped = (swapped << 8) | ((at >> (8 * i)) & 0xff);
  return ptr ^ kRandom ^ swapped;
}

struct SlabFixture {
  testing::ByteBufferMemory mem;
  SlabGeometry g{kSlab, 8, kSize, kOffset, kRandom};
  SlabFixture() { mem.map(kSlab, 8 * kSize); }
  // Object i's free pointer -> `next` (0 ends the list).
  void link(uint64_t i, uint64_t next) { mem.put64(obj(i) + kOffset, encode(next, obj(i) + kOffset)); }
  std::string walk_error(uint64_t first) {
    std::unordered_set<uint64_t> out;
    try {
      walk_slub_freelist(mem, g, first, out, "slab X");
    } catch (const BadDataError& e) {
      return e.what();
    }
    return "no error";
  }
};

TEST(SlubFreelist, DecodesHardenedPointers) {
  EXPECT_EQ(slub_decode_free_pointer(encode(obj(3), obj(1) + kOffset), obj(1) + kOffset, kRandom), obj(3));
  EXPECT_EQ(slub_decode_free_pointer(obj(3), obj(1) + kOffset, std::nullopt), obj(3));
  // NULL (the end of a list) is stored encoded too.
  EXPECT_EQ(slub_decode_free_pointer(encode(0, obj(5) + kOffset), obj(5) + kOffset, kRandom), 0u);
}

TEST(SlubFreelist, WalksAHardenedList) {
  SlabFixture s;
  s.link(1, obj(4));
  s.link(4, obj(6));
  s.link(6, 0);
  std::unordered_set<uint64_t> out;
  walk_slub_freelist(s.mem, s.g, obj(1), out, "slab X");
  EXPECT_EQ(out, (std::unordered_set<uint64_t>{obj(1), obj(4), obj(6)}));
  out.clear();
  walk_slub_freelist(s.mem, s.g, 0, out, "slab X");
  EXPECT_TRUE(out.empty());
}

TEST(SlubFreelist, WalksAPlainList) {
  SlabFixture s;
  s.g.random.reset();
  s.mem.put64(obj(2) + kOffset, obj(7));
  s.mem.put64(obj(7) + kOffset, 0);
  std::unordered_set<uint64_t> out;
  walk_slub_freelist(s.mem, s.g, obj(2), out, "slab X");
  EXPECT_EQ(out, (std::unordered_set<uint64_t>{obj(2), obj(7)}));
}

TEST(SlubFreelist, StopsAtACycle) {
  SlabFixture s;
  s.link(1, obj(4));
  s.link(4, obj(1));
  EXPECT_EQ(s.walk_error(obj(1)), fmt::format("slab X: cyclic freelist at {:#x} (after 2 entries)", obj(1)));
}

TEST(SlubFreelist, StopsAtPointersThatAreNotObjects) {
  SlabFixture s;
  s.link(1, 0xdead000000000100);
  EXPECT_EQ(s.walk_error(obj(1)),
            "slab X: freelist entry 0xdead000000000100 is not an object of the slab (after 1 entries)");
  s.link(1, obj(2) + 8);  // inside an object
  EXPECT_EQ(s.walk_error(obj(1)),
            fmt::format("slab X: freelist entry {:#x} is not an object of the slab (after 1 entries)", obj(2) + 8));
  s.link(1, obj(8));  // one past the last object
  EXPECT_NE(s.walk_error(obj(1)).find("is not an object of the slab"), std::string::npos);
}

TEST(SlubFreelist, UnreadableObjectFaults) {
  SlabFixture s;
  s.g.first_object = kSlab - 8 * kSize;  // the geometry claims objects the memory lacks
  s.g.objects = 16;
  std::unordered_set<uint64_t> out;
  EXPECT_THROW(walk_slub_freelist(s.mem, s.g, kSlab - kSize, out, "slab X"), FaultError);
}

}  // namespace
}  // namespace kdive
