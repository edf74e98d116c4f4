// VmaWalk: the maple-tree and linked-list VMA walks behind one visitor.
#include "linux/vma_walk.h"

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/kernel_layout.h"
#include "linux/maple_tree.h"
#include "linux/target_words.h"

namespace kdive {

WalkStatus walk_vmas(const MemoryReader& mem, KernelLayout& layout, uint64_t mm,
                     const std::function<bool(const Vma&)>& visit, const WalkLimits& limits) {
  constexpr const char* kMm = "struct mm_struct";
  constexpr const char* kVma = "struct vm_area_struct";
  uint64_t start_off = layout.offset(kVma, "vm_start");
  uint64_t end_off = layout.offset(kVma, "vm_end");
  auto vma_at = [&](uint64_t address) {
    return Vma{address, read_u64(mem, address + start_off), read_u64(mem, address + end_off)};
  };
  if (auto mt = layout.find_offset(kMm, "mm_mt")) {
    MapleLayout ml = MapleLayout::of(layout);
    return walk_maple_tree(mem, ml, mm + *mt, [&](const MapleEntry& e) { return visit(vma_at(e.entry)); },
                           limits);
  }
  auto head = layout.find_offset(kMm, "mmap");
  if (!head) throw LookupError("struct mm_struct has neither mm_mt (maple tree) nor mmap (VMA list)");
  uint64_t next_off = layout.offset(kVma, "vm_next");
  WalkStatus st;
  uint64_t prev_end = 0;
  for (uint64_t v = read_u64(mem, mm + *head); v != 0; v = read_u64(mem, v + next_off)) {
    if (st.visited >= limits.max_entries) {
      st.problem = fmt::format("VMA list of mm {:#x}: more than {} entries", mm, limits.max_entries);
      st.problem_address = v;
      return st;
    }
    Vma vma = vma_at(v);
    // The list is sorted by address and VMAs do not overlap: anything else is a cycle
    // or corruption, reported where it showed.
    if (vma.start < prev_end || vma.end <= vma.start) {
      st.problem = fmt::format("VMA list of mm {:#x}: VMA {:#x} [{:#x}, {:#x}) out of order", mm, v, vma.start,
                               vma.end);
      st.problem_address = v;
      return st;
    }
    prev_end = vma.end;
    ++st.visited;
    if (!visit(vma)) {
      st.stopped_early = true;
      return st;
    }
  }
  return st;
}

}  // namespace kdive
