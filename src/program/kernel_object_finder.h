// drgn's Linux kernel object finder: the names a kernel program answers that are not
// DWARF globals — macros the kernel exports through VMCOREINFO or its linker script
// (PAGE_SHIFT, PAGE_SIZE, PAGE_MASK, UTS_RELEASE, THREAD_SIZE, vmemmap, SPARSEMEM's
// NR_SECTION_ROOTS, SECTIONS_PER_ROOT, SECTION_SIZE_BITS, MAX_PHYSMEM_BITS) and VMCOREINFO.
#pragma once

#include <optional>
#include <string_view>

#include "object/object.h"

namespace kdive {

class Program;

// The constant `name` of a kernel program, as drgn's kernel object finder makes it
// (same C types: PAGE_SHIFT, SECTION_SIZE_BITS, MAX_PHYSMEM_BITS int; PAGE_SIZE,
// PAGE_MASK, THREAD_SIZE, NR_SECTION_ROOTS, SECTIONS_PER_ROOT unsigned long;
// UTS_RELEASE and VMCOREINFO const char [N], vmemmap struct page *); nullopt for any other name or when
// the dump does not say.
std::optional<Object> find_kernel_constant(Program& program, std::string_view name);

}  // namespace kdive
