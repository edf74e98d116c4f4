// drgn's Linux kernel object finder: the names a kernel program answers that are not
// DWARF globals — macros the kernel exports through VMCOREINFO or its linker script
// (PAGE_SHIFT, PAGE_SIZE, PAGE_MASK, UTS_RELEASE, THREAD_SIZE, vmemmap) and VMCOREINFO itself.
#pragma once

#include <optional>
#include <string_view>

#include "object/object.h"

namespace kdive {

class Program;

// The constant `name` of a kernel program, as drgn's kernel object finder makes it
// (same C types: PAGE_SHIFT int, PAGE_SIZE/PAGE_MASK/THREAD_SIZE unsigned long,
// UTS_RELEASE and VMCOREINFO const char [N], vmemmap struct page *); nullopt for any other name or when
// the dump does not say.
std::optional<Object> find_kernel_constant(Program& program, std::string_view name);

}  // namespace kdive
