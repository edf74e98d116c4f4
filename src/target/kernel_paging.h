// KernelPaging: where the kernel's page tables are in a dump and how deep they go —
// the root (physical address of swapper_pg_dir / init_top_pgt) and 4 or 5 levels —
// plus the x86-64 kernel-image address arithmetic it needs (KASLR-relocated virtual
// address → physical, via phys_base).
//
//   KernelPaging p = kernel_paging(vmcoreinfo, *core);   // throws LookupError
//   PageTableWalker walker(*core->physical_memory(), p.root, p.levels);
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "target/core_dump.h"
#include "target/vmcoreinfo.h"

namespace kdive {

// __START_KERNEL_map (arch/x86/include/asm/page_64_types.h): the kernel image's
// virtual base before the KASLR slide.
inline constexpr uint64_t kStartKernelMap = 0xffffffff80000000ull;

struct KernelPaging {
  uint64_t root = 0;       // physical address of the top-level page table
  int levels = 4;          // 4 or 5
  uint64_t phys_base = 0;  // physical load offset of the kernel image
  std::string source;      // how root was found, for `info`
};

// Physical address of an address in the kernel image (text, data, bss).
inline uint64_t kernel_image_to_physical(uint64_t vaddr, uint64_t phys_base) {
  return vaddr - kStartKernelMap + phys_base;
}

// From VMCOREINFO: SYMBOL(swapper_pg_dir) (or SYMBOL(init_top_pgt)), NUMBER(phys_base)
// (else the kdump header's phys_base), NUMBER(pgtable_l5_enabled). Falls back to a
// QEMU CPU state's CR3/CR4 when VMCOREINFO lacks the symbol. Throws LookupError
// naming what is missing.
KernelPaging kernel_paging(const Vmcoreinfo& vmcoreinfo, const CoreDump& core);

// From one CPU's control registers (QEMU note): root = CR3, LA57 (CR4 bit 12) = 5
// levels. phys_base stays 0 (unknown).
KernelPaging kernel_paging_from_cpu(const QemuCpuState& cpu, size_t cpu_index);

}  // namespace kdive
