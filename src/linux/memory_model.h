// MemoryModel: the x86-64 kernel's memory model for SPARSEMEM_VMEMMAP — the arithmetic
// between page frame numbers, `struct page` addresses in the vmemmap array, physical
// addresses and direct-map virtual addresses — with the bases read from the dump
// (`page_offset_base`, `vmemmap_base`: KASLR'd by CONFIG_RANDOMIZE_MEMORY), and a
// bounded walk over every `struct page` from min_low_pfn to max_pfn.
//
//   MemoryModel mm(program);
//   uint64_t page = mm.pfn_to_page(mm.virt_to_pfn(addr));
//   uint64_t virt = mm.page_to_virt(page);
//   mm.for_each_page([&](uint64_t pfn, uint64_t page, uint64_t flags) { ...; return true; });
#pragma once

#include <cstdint>
#include <functional>

#include "kdive/memory_reader.h"
#include "linux/walk_status.h"

namespace kdive {

class Program;

// Return false to stop. `flags` is page->flags as read from the dump.
using PageVisitor = std::function<bool(uint64_t pfn, uint64_t page, uint64_t flags)>;

class MemoryModel {
 public:
  // LookupError when the debug info lacks struct page or max_pfn; FaultError when the
  // bases cannot be read. `memory` replaces the program's memory for every read (tests
  // read a patched copy); page-table translation still uses the program's tables.
  explicit MemoryModel(Program& program, const MemoryReader* memory = nullptr);

  // A model of known bases over `memory` (unit tests build one around crafted memory).
  // `memory` also stands for the program's: virt_to_phys translates only the direct map
  // unless `memory` is a KernelVirtualMemory.
  struct Geometry {
    uint64_t page_offset = 0, vmemmap = 0;
    uint64_t page_shift = 12, struct_page_size = 64;
    uint64_t off_flags = 0;  // offsetof(struct page, flags)
    uint64_t min_pfn = 0, max_pfn = 0;
  };
  MemoryModel(const MemoryReader& memory, const Geometry& geometry);

  const MemoryReader& memory() const { return mem_; }
  uint64_t page_offset() const { return page_offset_; }  // PAGE_OFFSET (direct map base)
  uint64_t vmemmap() const { return vmemmap_; }          // (struct page *)vmemmap
  uint64_t page_shift() const { return page_shift_; }
  uint64_t page_size() const { return uint64_t(1) << page_shift_; }
  uint64_t struct_page_size() const { return struct_page_size_; }
  uint64_t min_pfn() const { return min_low_pfn_; }
  uint64_t max_pfn() const { return max_pfn_; }  // one past the last pfn

  uint64_t pfn_to_page(uint64_t pfn) const { return vmemmap_ + pfn * struct_page_size_; }
  // BadDataError when `page` is not a struct page address of the vmemmap array.
  uint64_t page_to_pfn(uint64_t page) const;
  bool is_page_address(uint64_t page) const;
  uint64_t pfn_to_phys(uint64_t pfn) const { return pfn << page_shift_; }
  uint64_t phys_to_pfn(uint64_t phys) const { return phys >> page_shift_; }
  uint64_t phys_to_virt(uint64_t phys) const { return phys + page_offset_; }
  uint64_t pfn_to_virt(uint64_t pfn) const { return phys_to_virt(pfn_to_phys(pfn)); }
  uint64_t page_to_phys(uint64_t page) const { return pfn_to_phys(page_to_pfn(page)); }
  uint64_t page_to_virt(uint64_t page) const { return pfn_to_virt(page_to_pfn(page)); }
  // Direct-map addresses by arithmetic (as the kernel's __pa does); any other mapped
  // address (kernel image, vmalloc, modules) through the page tables. FaultError when
  // it is not mapped.
  uint64_t virt_to_phys(uint64_t virt) const;
  uint64_t virt_to_pfn(uint64_t virt) const { return phys_to_pfn(virt_to_phys(virt)); }
  uint64_t virt_to_page(uint64_t virt) const { return pfn_to_page(virt_to_pfn(virt)); }
  // Whether `virt` lies in the direct map of RAM [min_low_pfn, max_pfn).
  bool is_direct_map(uint64_t virt) const;

  // Every struct page from min_low_pfn to max_pfn (read in page-sized batches). A
  // batch the dump lacks is skipped and counted in `*unreadable` (when given); the
  // status reports the first such hole's fault.
  WalkStatus for_each_page(const PageVisitor& visit, uint64_t* unreadable = nullptr) const;

 private:
  const MemoryReader& mem_;
  const MemoryReader& program_memory_;
  uint64_t page_offset_ = 0, vmemmap_ = 0;
  uint64_t page_shift_ = 12;
  uint64_t struct_page_size_ = 64;
  uint64_t off_flags_ = 0;
  uint64_t min_low_pfn_ = 0, max_pfn_ = 0;
};

}  // namespace kdive
