// PageTableWalker: x86-64 virtual → physical translation by walking the page tables
// in a dump's physical memory (4-level, and 5-level with LA57), including 1 GiB and
// 2 MiB pages. A small direct-mapped cache remembers recent page translations.
//
//   PageTableWalker walker(*core->physical_memory(), paging.root, paging.levels);
//   uint64_t phys = walker.translate(0xffffffff82a12940);   // FaultError if unmapped
//   for (VirtualRange r : walker.mapped_ranges(0, ~0ull)) ...   // what is mapped
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <vector>

#include "kdive/memory_reader.h"

namespace kdive {

struct Translation {
  uint64_t physical = 0;   // physical address of the translated byte
  uint64_t page_size = 0;  // 4 KiB, 2 MiB or 1 GiB: the mapping this came from
};

struct VirtualRange {
  uint64_t start = 0;
  uint64_t size = 0;
};

class PageTableWalker {
 public:
  // `root` is the physical address of the top-level table (CR3; PCID and flag bits
  // are masked off); `levels` is 4 or 5. Reads tables through `physical`, which must
  // outlive the walker.
  PageTableWalker(const MemoryReader& physical, uint64_t root, int levels);
  PageTableWalker(const PageTableWalker& other);

  // Throws FaultError(vaddr, "not mapped in page table") for a non-present entry or
  // a non-canonical address, and FaultError(vaddr, "page table unreadable: ...") when
  // a table page itself cannot be read from the dump.
  Translation translate(uint64_t vaddr) const;

  // The mapped virtual ranges within [min, max] (inclusive), in address order, with
  // virtually adjacent mappings merged: the walk visits only present entries and skips
  // table pages the dump cannot give. BadDataError after more than kMaxMappedLeaves
  // leaf entries (page tables of garbage would otherwise mean 2^36 of them).
  std::vector<VirtualRange> mapped_ranges(uint64_t min, uint64_t max) const;
  static constexpr uint64_t kMaxMappedLeaves = uint64_t{1} << 26;

  uint64_t root() const { return root_; }
  int levels() const { return levels_; }

 private:
  Translation walk(uint64_t vaddr) const;
  struct RangeWalk;
  void walk_table(RangeWalk& w, uint64_t table, int level, uint64_t base) const;

  const MemoryReader& physical_;
  uint64_t root_;
  int levels_;

  // Direct-mapped translation cache of 4 KiB virtual pages.
  static constexpr size_t kCacheSize = 1024;
  struct CacheEntry {
    uint64_t vpage = ~uint64_t{0};  // vaddr >> 12, or all ones when empty
    uint64_t ppage = 0;             // physical address of that 4 KiB page
    uint64_t page_size = 0;
  };
  mutable std::array<CacheEntry, kCacheSize> cache_{};
  mutable std::mutex mu_;
};

}  // namespace kdive
