// MemoryModel implementation (memory_model.h). The bases are variables of the dumped
// kernel when it randomizes its memory layout (page_offset_base, vmemmap_base); a
// kernel without CONFIG_RANDOMIZE_MEMORY has neither and uses the fixed x86-64 4-level
// layout of Documentation/x86/x86_64/mm.rst (__PAGE_OFFSET_BASE_L4, VMEMMAP_START).
#include "linux/memory_model.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "base/byte_cursor.h"
#include "kdive/error.h"
#include "linux/kernel_layout.h"
#include "program/program.h"
#include "target/kernel_virtual_memory.h"

namespace kdive {

namespace {

constexpr uint64_t kFixedPageOffset = 0xffff888000000000;  // __PAGE_OFFSET_BASE_L4
constexpr uint64_t kFixedVmemmap = 0xffffea0000000000;     // VMEMMAP_START (4-level)

std::optional<uint64_t> read_global(Program& program, std::string_view name) {
  std::optional<Object> o = program.find_object(name);
  if (!o) return std::nullopt;
  return o->read().as_unsigned();
}

}  // namespace

MemoryModel::MemoryModel(Program& program, const MemoryReader* memory)
    : mem_(memory ? *memory : program.memory()), program_memory_(program.memory()) {
  KernelLayout layout(program);
  struct_page_size_ = layout.size_of("struct page");
  off_flags_ = layout.offset("struct page", "flags");
  if (const Vmcoreinfo* vi = program.vmcoreinfo()) {
    if (std::optional<uint64_t> ps = vi->page_size(); ps && *ps && (*ps & (*ps - 1)) == 0) {
      page_shift_ = 0;
      while ((uint64_t(1) << page_shift_) < *ps) ++page_shift_;
    }
  }
  page_offset_ = read_global(program, "page_offset_base").value_or(kFixedPageOffset);
  vmemmap_ = read_global(program, "vmemmap_base").value_or(kFixedVmemmap);
  std::optional<uint64_t> max = read_global(program, "max_pfn");
  if (!max) throw LookupError("could not find 'max_pfn'");
  max_pfn_ = *max;
  min_low_pfn_ = read_global(program, "min_low_pfn").value_or(0);
  if (min_low_pfn_ > max_pfn_) throw BadDataError(fmt::format("min_low_pfn {} > max_pfn {}", min_low_pfn_, max_pfn_));
}

MemoryModel::MemoryModel(const MemoryReader& memory, const Geometry& g)
    : mem_(memory), program_memory_(memory), page_offset_(g.page_offset), vmemmap_(g.vmemmap),
      page_shift_(g.page_shift), struct_page_size_(g.struct_page_size), off_flags_(g.off_flags),
      min_low_pfn_(g.min_pfn), max_pfn_(g.max_pfn) {
  if (struct_page_size_ == 0) throw BadDataError("struct page of size 0");
  if (min_low_pfn_ > max_pfn_) throw BadDataError(fmt::format("min_low_pfn {} > max_pfn {}", min_low_pfn_, max_pfn_));
}

bool MemoryModel::is_page_address(uint64_t page) const {
  if (page < vmemmap_) return false;
  uint64_t delta = page - vmemmap_;
  return delta % struct_page_size_ == 0 && delta / struct_page_size_ < max_pfn_;
}

uint64_t MemoryModel::page_to_pfn(uint64_t page) const {
  if (page < vmemmap_ || (page - vmemmap_) % struct_page_size_ != 0)
    throw BadDataError(fmt::format("{:#x} is not a struct page address (vmemmap is {:#x}, struct page is {} bytes)",
                                   page, vmemmap_, struct_page_size_));
  return (page - vmemmap_) / struct_page_size_;
}

bool MemoryModel::is_direct_map(uint64_t virt) const {
  if (virt < page_offset_) return false;
  uint64_t pfn = (virt - page_offset_) >> page_shift_;
  return pfn >= min_low_pfn_ && pfn < max_pfn_;
}

uint64_t MemoryModel::virt_to_phys(uint64_t virt) const {
  if (is_direct_map(virt)) return virt - page_offset_;
  if (const auto* kvm = dynamic_cast<const KernelVirtualMemory*>(&program_memory_)) return kvm->walker().translate(virt).physical;
  throw FaultError(virt, "not a direct-map address and no page tables to translate it");
}

WalkStatus MemoryModel::for_each_page(const PageVisitor& visit, uint64_t* unreadable) const {
  WalkStatus st;
  if (unreadable) *unreadable = 0;
  // One dump page of struct pages per read: the vmemmap is virtually contiguous, and a
  // batch that is not in the dump is skipped as a whole.
  const uint64_t batch = std::max<uint64_t>(1, page_size() / struct_page_size_);
  std::vector<uint8_t> buf(batch * struct_page_size_);
  uint64_t pfn = min_low_pfn_;
  while (pfn < max_pfn_) {
    // Align batches to vmemmap pages so that a hole costs exactly its pages.
    uint64_t addr = pfn_to_page(pfn);
    uint64_t in_page = (addr & (page_size() - 1)) / struct_page_size_;
    uint64_t n = std::min(batch - std::min(batch - 1, in_page), max_pfn_ - pfn);
    try {
      mem_.read(addr, buf.data(), n * struct_page_size_);
    } catch (const FaultError& e) {
      if (unreadable) *unreadable += n;
      if (st.ok()) {
        st.problem = fmt::format("struct page of pfn {} at {:#x}: {}", pfn, e.address(), e.reason());
        st.problem_address = e.address();
      }
      pfn += n;
      continue;
    }
    ByteCursor c(std::span<const uint8_t>(buf.data(), n * struct_page_size_), "memory", "vmemmap", true, addr);
    for (uint64_t i = 0; i < n; ++i) {
      c.seek(i * struct_page_size_ + off_flags_);
      uint64_t flags = c.u64();
      ++st.visited;
      if (!visit(pfn + i, addr + i * struct_page_size_, flags)) {
        st.stopped_early = true;
        return st;
      }
    }
    pfn += n;
  }
  return st;
}

}  // namespace kdive
