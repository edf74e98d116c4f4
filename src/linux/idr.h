// IDRs (include/linux/idr.h, 4.11+): an xarray/radix tree `idr_rt` whose indices are
// ids minus `idr_base` (the base member exists since 4.16; absent means 0). The PID
// allocator keeps every `struct pid` in one (pid_namespace.idr).
//
//   IdrLayout lay = IdrLayout::of(layout);
//   uint64_t pid = idr_find(mem, lay, ns + idr_off, 104);
//   walk_idr(mem, lay, idr, [&](uint64_t id, uint64_t ptr) { ...; return true; });
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "linux/xarray.h"

namespace kdive {

struct IdrLayout {
  uint64_t rt = 0;                    // offsetof(struct idr, idr_rt)
  std::optional<uint64_t> base;       // offsetof(struct idr, idr_base), if present
  XArrayLayout xa;
  static IdrLayout of(KernelLayout& layout);
};

// The pointer stored for `id`, 0 when none.
uint64_t idr_find(const MemoryReader& mem, const IdrLayout& layout, uint64_t idr, uint64_t id);
// Every (id, pointer), by ascending id.
WalkStatus walk_idr(const MemoryReader& mem, const IdrLayout& layout, uint64_t idr,
                    const std::function<bool(uint64_t id, uint64_t ptr)>& visit,
                    const WalkLimits& limits = {});

}  // namespace kdive
