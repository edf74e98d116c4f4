#include "target/page_table_walker.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "kdive/error.h"
#include "target/kernel_virtual_memory.h"
#include "target/segmented_memory.h"

namespace kdive {
namespace {

// Physical memory of 64 pages in a vector, with helpers to write page-table entries.
struct Phys {
  std::vector<uint8_t> bytes = std::vector<uint8_t>(64 * 4096);
  SegmentedMemory mem;
  Phys() { mem.add({.start = 0, .size = bytes.size(), .backed_size = bytes.size(), .data = bytes.data(), .read = {}}); }
  void entry(uint64_t table, uint64_t index, uint64_t value) {
    std::memcpy(&bytes[table + index * 8], &value, 8);
  }
  void fill(uint64_t addr, uint64_t seed, size_t n) {
    for (size_t i = 0; i < n; i += 8) {
      uint64_t w = seed + i / 8;
      std::memcpy(&bytes[addr + i], &w, 8);
    }
  }
};

constexpr uint64_t P = 1;          // present
constexpr uint64_t RW = 2;         // writable (ignored by translation)
constexpr uint64_t PS = 1 << 7;    // page size
constexpr uint64_t NX = 1ull << 63;  // no-execute (must be masked off)

uint64_t idx(uint64_t va, int level) { return (va >> (12 + 9 * (level - 1))) & 511; }

std::string fault_of(const MemoryReader& m, uint64_t addr, size_t n) {
  std::vector<uint8_t> buf(n);
  try {
    m.read(addr, buf.data(), n);
  } catch (const FaultError& e) {
    return e.what();
  }
  return "no fault";
}

TEST(PageTableWalker, FourLevelWith4KAnd2MAnd1GPages) {
  Phys ph;
  const uint64_t pml4 = 0x1000, pdpt = 0x2000, pd = 0x3000, pt = 0x4000;
  const uint64_t va4k = 0xffffffff81234000;  // → phys 0x9000
  ph.entry(pml4, idx(va4k, 4), pdpt | P | RW);
  ph.entry(pdpt, idx(va4k, 3), pd | P | RW);
  ph.entry(pd, idx(va4k, 2), pt | P | RW);
  ph.entry(pt, idx(va4k, 1), 0x9000 | P | NX);
  ph.entry(pt, idx(va4k, 1) + 1, 0x5000 | P);    // next virtual page → phys 0x5000
  ph.entry(pt, idx(va4k, 1) + 2, 0x6000);        // not present
  const uint64_t va2m = 0xffffffff81400000 + 0x1234;  // next PD entry: 2 MiB page at 0x200000
  ph.entry(pd, idx(va2m, 2), 0x200000 | P | PS);
  const uint64_t va1g = 0xffff888040000000 + 0x1234567;  // 1 GiB page at phys 0x80000000
  ph.entry(pml4, idx(va1g, 4), 0x7000 | P);
  ph.entry(0x7000, idx(va1g, 3), 0x80000000 | P | PS | NX);

  PageTableWalker w(ph.mem, pml4 | 0x5 /* PCID bits ignored */, 4);
  EXPECT_EQ(w.translate(va4k + 0x18).physical, 0x9018u);
  EXPECT_EQ(w.translate(va4k + 0x18).page_size, 4096u);
  EXPECT_EQ(w.translate(va2m).physical, 0x201234u);
  EXPECT_EQ(w.translate(va2m).page_size, 2u << 20);
  EXPECT_EQ(w.translate(va1g).physical, 0x81234567u);
  EXPECT_EQ(w.translate(va1g).page_size, 1u << 30);
  try {
    w.translate(va4k + 0x2000);
    FAIL();
  } catch (const FaultError& e) {
    EXPECT_EQ(std::string(e.what()), "not mapped in page table: 0xffffffff81236000");
  }
  EXPECT_THROW(w.translate(0x0000900000000000), FaultError);  // non-canonical
  EXPECT_THROW(w.translate(0xffff800000000000), FaultError);  // canonical but unmapped

  // Virtual reads: a read crossing from phys 0x9000's page into phys 0x5000's page.
  ph.fill(0x9000, 0x90000, 4096);
  ph.fill(0x5000, 0x50000, 4096);
  KernelVirtualMemory kv(ph.mem, w);
  uint64_t pair[2];
  kv.read(va4k + 0xff8, pair, 16);
  EXPECT_EQ(pair[0], 0x90000u + 511);
  EXPECT_EQ(pair[1], 0x50000u);
  uint64_t phys_word = 0;
  kv.read(0x5008, &phys_word, 8, AddressSpace::Physical);
  EXPECT_EQ(phys_word, 0x50001u);
  EXPECT_EQ(fault_of(kv, va4k + 0x1ff8, 16), "not mapped in page table: 0xffffffff81236000");
  // A page mapped beyond physical memory: the fault names the virtual address.
  ph.entry(pt, idx(va4k, 1) + 3, 0x7000000 | P);
  EXPECT_EQ(fault_of(kv, va4k + 0x3010, 8), "address not in dump: 0xffffffff81237010");
}

TEST(PageTableWalker, MappedRanges) {
  Phys ph;
  const uint64_t pml4 = 0x1000, pdpt = 0x2000, pd = 0x3000, pt = 0x4000;
  const uint64_t va = 0xffffffff81234000;
  ph.entry(pml4, idx(va, 4), pdpt | P);
  ph.entry(pdpt, idx(va, 3), pd | P);
  ph.entry(pd, idx(va, 2), pt | P);
  ph.entry(pt, idx(va, 1), 0x9000 | P);
  ph.entry(pt, idx(va, 1) + 1, 0x5000 | P);  // virtually adjacent: merged
  ph.entry(pt, idx(va, 1) + 3, 0x6000 | P);  // after a hole
  ph.entry(pd, idx(va, 2) + 1, 0x200000 | P | PS);  // the next 2 MiB region
  ph.entry(pml4, 1, 0x7000 | P);                     // a lower-half table pointing at a table
  ph.entry(0x7000, 0, 0x40000000 | P | PS);          // 1 GiB page at 0x8000000000
  ph.entry(pml4, 300, 0x3f000000 | P);               // a table page outside physical memory: skipped
  PageTableWalker w(ph.mem, pml4, 4);
  std::vector<VirtualRange> all = w.mapped_ranges(0, UINT64_MAX);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].start, 0x8000000000u);
  EXPECT_EQ(all[0].size, 1u << 30);
  EXPECT_EQ(all[1].start, va);
  EXPECT_EQ(all[1].size, 0x2000u);
  EXPECT_EQ(all[2].start, va + 0x3000);
  EXPECT_EQ(all[2].size, 0x1000u);
  EXPECT_EQ(all[3].start, 0xffffffff81400000u);
  EXPECT_EQ(all[3].size, 2u << 20);
  // Clipped to [min, max].
  std::vector<VirtualRange> some = w.mapped_ranges(va + 0x1800, 0xffffffff81400fff);
  ASSERT_EQ(some.size(), 3u);
  EXPECT_EQ(some[0].start, va + 0x1800);
  EXPECT_EQ(some[0].size, 0x800u);
  EXPECT_EQ(some[2].start, 0xffffffff81400000u);
  EXPECT_EQ(some[2].size, 0x1000u);
}

TEST(PageTableWalker, MappedRangesOfGarbageAreBounded) {
  // Every entry of every level present, pointing at the same table: 512^4 leaves.
  Phys ph;
  for (uint64_t i = 0; i < 512; ++i) ph.entry(0x1000, i, 0x1000 | P);
  PageTableWalker w(ph.mem, 0x1000, 4);
  EXPECT_THROW(w.mapped_ranges(0, UINT64_MAX), BadDataError);
}

TEST(PageTableWalker, FiveLevel) {
  Phys ph;
  const uint64_t pml5 = 0x1000;
  const uint64_t va = 0xff11000012345678;  // 57-bit canonical
  ph.entry(pml5, idx(va, 5), 0x2000 | P);
  ph.entry(0x2000, idx(va, 4), 0x3000 | P);
  ph.entry(0x3000, idx(va, 3), 0x4000 | P);
  ph.entry(0x4000, idx(va, 2), 0x5000 | P);
  ph.entry(0x5000, idx(va, 1), 0xa000 | P);
  PageTableWalker w(ph.mem, pml5, 5);
  EXPECT_EQ(w.translate(va).physical, 0xa678u);
  // The same address is not canonical for 4-level paging.
  PageTableWalker w4(ph.mem, pml5, 4);
  EXPECT_THROW(w4.translate(va), FaultError);
}

TEST(PageTableWalker, UnreadableTablePage) {
  Phys ph;
  const uint64_t va = 0xffffffff81000000;
  ph.entry(0x1000, idx(va, 4), 0x90000000 | P);  // PDPT outside physical memory
  PageTableWalker w(ph.mem, 0x1000, 4);
  try {
    w.translate(va);
    FAIL();
  } catch (const FaultError& e) {
    EXPECT_EQ(e.address(), va);
    EXPECT_EQ(e.reason(), "page table unreadable (address not in dump at physical 0x90000ff0)");
  }
}

// makedumpfile -d 1 drops all-zero pages, which includes empty page tables: walking
// into one means "not mapped", not "unreadable".
TEST(PageTableWalker, FilteredTablePageMeansNotMapped) {
  Phys ph;
  SegmentedMemory mem;
  mem.add({.start = 0, .size = 0x2000, .backed_size = 0x2000, .data = ph.bytes.data(), .read = {}});
  mem.add({.start = 0x2000, .size = 0x1000, .backed_size = 0, .data = nullptr, .read = {},
           .tail = SegmentedMemory::Tail::Fault, .tail_reason = kReasonFiltered});
  const uint64_t va = 0xffffffff81000000;
  ph.entry(0x1000, idx(va, 4), 0x2000 | P);
  PageTableWalker w(mem, 0x1000, 4);
  try {
    w.translate(va);
    FAIL();
  } catch (const FaultError& e) {
    EXPECT_EQ(std::string(e.what()), "not mapped in page table: 0xffffffff81000000");
  }
}

}  // namespace
}  // namespace kdive
