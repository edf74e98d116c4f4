// PageTableWalker: Intel SDM vol. 3A §4.5 (4-level and 5-level paging). Each level
// indexes 9 bits of the address; bit 0 of an entry is Present, bit 7 (PS) in a PDPTE
// or PDE maps a 1 GiB or 2 MiB page; bits 12..51 hold the next physical address.
#include "target/page_table_walker.h"

#include <algorithm>
#include <bit>

#include <fmt/format.h>

#include "base/byte_cursor.h"
#include "kdive/error.h"
#include "target/segmented_memory.h"

namespace kdive {

namespace {
constexpr uint64_t kAddrMask = 0x000ffffffffff000ull;  // bits 12..51
constexpr uint64_t kPresent = 1;
constexpr uint64_t kPageSizeBit = 1ull << 7;
}  // namespace

PageTableWalker::PageTableWalker(const MemoryReader& physical, uint64_t root, int levels)
    : physical_(physical), root_(root & kAddrMask), levels_(levels == 5 ? 5 : 4) {}

PageTableWalker::PageTableWalker(const PageTableWalker& other)
    : physical_(other.physical_), root_(other.root_), levels_(other.levels_) {}

Translation PageTableWalker::translate(uint64_t vaddr) const {
  const uint64_t vpage = vaddr >> 12;
  CacheEntry& slot = cache_[vpage % kCacheSize];
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (slot.vpage == vpage) return {slot.ppage | (vaddr & 0xfff), slot.page_size};
  }
  Translation t = walk(vaddr);
  std::lock_guard<std::mutex> lock(mu_);
  slot.vpage = vpage;
  slot.ppage = t.physical & ~uint64_t{0xfff};
  slot.page_size = t.page_size;
  return t;
}

Translation PageTableWalker::walk(uint64_t vaddr) const {
  // Canonical: bits 63..(47 or 56) equal the top implemented bit.
  const unsigned top = levels_ == 5 ? 56 : 47;
  const uint64_t high = vaddr >> top;
  const uint64_t ones = (~uint64_t{0}) >> top;
  if (high != 0 && high != ones) throw FaultError(vaddr, kReasonNotMapped);

  uint64_t table = root_;
  for (int level = levels_; level >= 1; --level) {
    const unsigned shift = 12 + 9 * static_cast<unsigned>(level - 1);
    const uint64_t index = (vaddr >> shift) & 511;
    const uint64_t entry_addr = table + index * 8;
    uint8_t raw[8];
    try {
      physical_.read(entry_addr, raw, sizeof raw, AddressSpace::Physical);
    } catch (const FaultError& e) {
      // makedumpfile's filters (-d: zero, cache, user, free pages) can only drop a
      // page-table page because it is all zeros — no entry is present.
      if (e.reason() == kReasonFiltered) throw FaultError(vaddr, kReasonNotMapped);
      throw FaultError(vaddr, fmt::format("page table unreadable ({} at physical {:#x})",
                                          e.reason(), e.address()));
    }
    // Page-table entries are little-endian 64-bit words; the 8 bytes are in hand.
    uint64_t entry = load_unaligned<uint64_t>(raw);
    if constexpr (std::endian::native == std::endian::big) entry = __builtin_bswap64(entry);
    if (!(entry & kPresent)) throw FaultError(vaddr, kReasonNotMapped);
    if ((level == 3 || level == 2) && (entry & kPageSizeBit)) {
      const uint64_t size = uint64_t{1} << shift;
      const uint64_t base = entry & kAddrMask & ~(size - 1);
      return {base | (vaddr & (size - 1)), size};
    }
    table = entry & kAddrMask;
  }
  return {table | (vaddr & 0xfff), 4096};
}

struct PageTableWalker::RangeWalk {
  uint64_t min = 0, max = 0;
  unsigned top = 47;  // the highest implemented address bit, sign-extended above
  uint64_t leaves = 0;
  std::vector<VirtualRange> out;

  void add(uint64_t start, uint64_t size) {
    // Clip to [min, max]; the mapping may start below min or end above max.
    uint64_t last = start + (size - 1);
    if (last < min || start > max) return;
    start = std::max(start, min);
    last = std::min(last, max);
    if (!out.empty() && out.back().start + out.back().size == start) {
      out.back().size += last - start + 1;
    } else {
      out.push_back({start, last - start + 1});
    }
  }
};

void PageTableWalker::walk_table(RangeWalk& w, uint64_t table, int level, uint64_t base) const {
  const unsigned shift = 12 + 9 * static_cast<unsigned>(level - 1);
  const uint64_t span = uint64_t{1} << shift;
  uint8_t raw[4096];
  try {
    physical_.read(table, raw, sizeof raw, AddressSpace::Physical);
  } catch (const FaultError&) {
    return;  // a table page the dump lacks maps nothing we can read
  }
  for (uint64_t index = 0; index < 512; ++index) {
    uint64_t vaddr = base + index * span;
    if (level == levels_) {
      // The top level's upper half is the sign-extended (kernel) half.
      const uint64_t half = uint64_t{1} << w.top;
      if (vaddr & half) vaddr |= ~(half - 1) ;
    }
    uint64_t last = vaddr + (span - 1);
    if (last < w.min || vaddr > w.max) continue;
    uint64_t entry = load_unaligned<uint64_t>(raw + index * 8);
    if constexpr (std::endian::native == std::endian::big) entry = __builtin_bswap64(entry);
    if (!(entry & kPresent)) continue;
    if (level == 1 || ((level == 3 || level == 2) && (entry & kPageSizeBit))) {
      if (++w.leaves > kMaxMappedLeaves)
        throw BadDataError(fmt::format("page tables at {:#x} map more than {} pages: not a real page table", root_,
                                       kMaxMappedLeaves));
      w.add(vaddr, span);
      continue;
    }
    walk_table(w, entry & kAddrMask, level - 1, vaddr);
  }
}

std::vector<VirtualRange> PageTableWalker::mapped_ranges(uint64_t min, uint64_t max) const {
  RangeWalk w;
  w.min = min;
  w.max = max;
  w.top = levels_ == 5 ? 56 : 47;
  walk_table(w, root_, levels_, 0);
  return std::move(w.out);
}

}  // namespace kdive
