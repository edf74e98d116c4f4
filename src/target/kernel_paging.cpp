// kernel_paging: x86-64 specifics. swapper_pg_dir is a kernel-image symbol, so its
// physical address is symbol - __START_KERNEL_map + phys_base (arch/x86/include/asm/
// page_64.h __phys_addr_symbol); VMCOREINFO symbols already include the KASLR slide.
#include "target/kernel_paging.h"

#include <fmt/format.h>

#include "kdive/error.h"

namespace kdive {

KernelPaging kernel_paging_from_cpu(const QemuCpuState& cpu, size_t cpu_index) {
  KernelPaging p;
  p.root = cpu.cr[3] & 0x000ffffffffff000ull;
  p.levels = (cpu.cr[4] & (1ull << 12)) ? 5 : 4;
  p.source = fmt::format("CR3 of CPU {} (QEMU note)", cpu_index);
  return p;
}

KernelPaging kernel_paging(const Vmcoreinfo& vi, const CoreDump& core) {
  std::optional<uint64_t> pgd = vi.symbol("swapper_pg_dir");
  const char* name = "swapper_pg_dir";
  if (!pgd) {
    pgd = vi.symbol("init_top_pgt");
    name = "init_top_pgt";
  }
  std::optional<uint64_t> phys_base;
  if (auto n = vi.number("phys_base")) phys_base = static_cast<uint64_t>(*n);
  else phys_base = core.header_phys_base();
  const int levels = vi.number("pgtable_l5_enabled").value_or(0) == 1 ? 5 : 4;

  if (pgd && phys_base) {
    KernelPaging p;
    p.phys_base = *phys_base;
    p.root = kernel_image_to_physical(*pgd, *phys_base);
    p.levels = levels;
    p.source = fmt::format("VMCOREINFO SYMBOL({})", name);
    return p;
  }
  if (!core.notes().qemu_cpus.empty()) {
    KernelPaging p = kernel_paging_from_cpu(core.notes().qemu_cpus[0], 0);
    if (phys_base) p.phys_base = *phys_base;
    return p;
  }
  throw LookupError(fmt::format("cannot find the kernel page tables: VMCOREINFO has no {}",
                                pgd ? "NUMBER(phys_base)" : "SYMBOL(swapper_pg_dir)"));
}

}  // namespace kdive
