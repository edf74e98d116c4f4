// VmaWalk: every VMA of an mm_struct in address order, whichever way the kernel keeps
// them — the maple tree mm->mm_mt (6.1+, commit d4af56c5c7c6) or the list threaded
// through vm_area_struct.vm_next from mm->mmap (before) — chosen by which member the
// debug info has. Bounded and cycle-safe: a list that does not ascend is a problem.
//
//   walk_vmas(mem, layout, mm, [&](const Vma& v) { ...; return true; });
#pragma once

#include <cstdint>
#include <functional>

#include "kdive/memory_reader.h"
#include "linux/walk_status.h"

namespace kdive {

class KernelLayout;

struct Vma {
  uint64_t address = 0;  // the struct vm_area_struct
  uint64_t start = 0;    // vm_start
  uint64_t end = 0;      // vm_end (exclusive)
};

// LookupError when the mm_struct has neither mm_mt nor mmap.
WalkStatus walk_vmas(const MemoryReader& mem, KernelLayout& layout, uint64_t mm,
                     const std::function<bool(const Vma&)>& visit, const WalkLimits& limits = {});

}  // namespace kdive
