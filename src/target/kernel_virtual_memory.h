// KernelVirtualMemory: the kernel's virtual address space of a dump — every virtual
// read is translated page by page through the page tables (PageTableWalker) and read
// from physical memory; physical reads pass straight through. Faults name the
// virtual address asked for.
//
//   KernelVirtualMemory mem(*core->physical_memory(), PageTableWalker(phys, root, 4));
//   mem.read(init_task_addr, buf, 16);                          // virtual
//   mem.read(0x1000, buf, 8, AddressSpace::Physical);            // physical
#pragma once

#include "kdive/memory_reader.h"
#include "target/page_table_walker.h"

namespace kdive {

class KernelVirtualMemory : public MemoryReader {
 public:
  // `physical` must outlive this object.
  KernelVirtualMemory(const MemoryReader& physical, PageTableWalker walker);

  void read(uint64_t address, void* buf, size_t size,
            AddressSpace space = AddressSpace::Virtual) const override;

  const PageTableWalker& walker() const { return walker_; }
  const MemoryReader& physical() const { return physical_; }

 private:
  // The page tables are the truth even when the dump lists virtual segments (QEMU
  // -p): those are QEMU's own walk at dump time. A later speed-up could translate the
  // direct map (page_offset_base + phys) arithmetically, but only after checking it
  // against the tables once.
  const MemoryReader& physical_;
  PageTableWalker walker_;
};

}  // namespace kdive
