// IDR lookups (idr.h) on top of the xarray walker.
#include "linux/idr.h"

#include "linux/kernel_layout.h"
#include "kdive/error.h"
#include "linux/target_words.h"

namespace kdive {

IdrLayout IdrLayout::of(KernelLayout& layout) {
  return {layout.offset("struct idr", "idr_rt"), layout.find_offset("struct idr", "idr_base"),
          XArrayLayout::of(layout)};
}

namespace {
uint64_t idr_base(const MemoryReader& mem, const IdrLayout& lay, uint64_t idr) {
  return lay.base ? read_u32(mem, idr + *lay.base) : 0;
}
}  // namespace

uint64_t idr_find(const MemoryReader& mem, const IdrLayout& lay, uint64_t idr, uint64_t id) {
  uint64_t base = idr_base(mem, lay, idr);
  if (id < base) return 0;
  return xa_load(mem, lay.xa, idr + lay.rt, id - base);
}

WalkStatus walk_idr(const MemoryReader& mem, const IdrLayout& lay, uint64_t idr,
                    const std::function<bool(uint64_t, uint64_t)>& visit, const WalkLimits& limits) {
  uint64_t base = 0;
  try {
    base = idr_base(mem, lay, idr);
  } catch (const FaultError& e) {
    WalkStatus st;
    st.problem = "idr: could not read its base";
    st.problem_address = e.address();
    return st;
  }
  return walk_xarray(mem, lay.xa, idr + lay.rt,
                     [&](const XArrayEntry& e) { return visit(e.index + base, e.entry); }, limits);
}

}  // namespace kdive
