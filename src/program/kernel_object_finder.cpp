// Values come from where the kernel publishes them, never from a version number
// (the one default: x86-64's SECTION_SIZE_BITS for kernels older than its export):
// VMCOREINFO's PAGESIZE and OSRELEASE and the note's text itself (kernel/crash_core.c), the vmemmap_base variable of
// x86-64 kernels that randomize their memory layout (arch/x86/mm/kaslr.c), and for
// THREAD_SIZE the init task's stack, which the linker script lays out as exactly
// THREAD_SIZE bytes between its start and end symbols
// (include/asm-generic/vmlinux.lds.h, INIT_TASK_DATA).
#include "program/kernel_object_finder.h"

#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "program/program.h"

namespace kdive {
namespace {

// x86-64's vmemmap without memory-layout randomization (Documentation/x86/x86_64/mm.rst).
constexpr uint64_t kFixedVmemmap = 0xffffea0000000000ull;

std::optional<uint64_t> page_size(const Program& program) {
  const Vmcoreinfo* vi = program.vmcoreinfo();
  if (!vi) return std::nullopt;
  std::optional<uint64_t> size = vi->page_size();
  if (!size || !std::has_single_bit(*size)) return std::nullopt;
  return size;
}

std::optional<uint64_t> elf_symbol(Program& program, std::string_view name) {
  for (const auto& module : program.debug_info().modules()) {
    if (module->kind() != DebugModule::Kind::Kernel) continue;
    for (const Symbol& s : module->symbols().lookup(name)) return s.address;
  }
  return std::nullopt;
}

std::optional<uint64_t> thread_size(Program& program) {
  // The linker script's names for the bounds: __start_init_task/__end_init_task, renamed
  // __start_init_stack/__end_init_stack by newer kernels.
  for (const char* prefix : {"init_task", "init_stack"}) {
    std::optional<uint64_t> start = elf_symbol(program, fmt::format("__start_{}", prefix));
    std::optional<uint64_t> end = elf_symbol(program, fmt::format("__end_{}", prefix));
    if (start && end && *end > *start && std::has_single_bit(*end - *start)) return *end - *start;
  }
  return std::nullopt;
}

// SPARSEMEM's geometry (include/linux/mmzone.h), from VMCOREINFO where the kernel
// exports it: LENGTH(mem_section) = NR_SECTION_ROOTS; NUMBER(SECTION_SIZE_BITS) since
// 5.13 (commit 4f5aecdff25f) and NUMBER(MAX_PHYSMEM_BITS) since 5.9 (1d50e5d0c505).
// SECTIONS_PER_ROOT is 1 when mem_section is a 2-D array (SPARSEMEM_STATIC), else
// PAGE_SIZE / sizeof(struct mem_section) (SPARSEMEM_EXTREME).
std::optional<uint64_t> sections_per_root(Program& program) {
  std::optional<Object> var = program.find_object("mem_section", kGlobalVariable);
  std::optional<uint64_t> page = page_size(program);
  if (!var || !page) return std::nullopt;
  QualifiedType outer = var->underlying();
  if (!outer.type || (outer.type->kind() != TypeKind::Pointer && outer.type->kind() != TypeKind::Array))
    return std::nullopt;
  QualifiedType inner = underlying_type(outer.type->target());
  if (!inner.type) return std::nullopt;
  if (outer.type->kind() == TypeKind::Array && inner.type->kind() == TypeKind::Array) return 1;
  if (inner.type->kind() != TypeKind::Pointer) return std::nullopt;
  QualifiedType section = underlying_type(inner.type->target());
  if (!section.type || !section.type->is_complete()) return std::nullopt;
  uint64_t size = section.type->size();
  if (!std::has_single_bit(size) || size > *page) return std::nullopt;
  return *page / size;
}

std::optional<int64_t> section_size_bits(const Program& program) {
  const Vmcoreinfo* vi = program.vmcoreinfo();
  if (!vi || !vi->length("mem_section")) return std::nullopt;  // not SPARSEMEM
  if (std::optional<int64_t> n = vi->number("SECTION_SIZE_BITS")) return n;
  return 27;  // x86-64's value before 5.13 exported it (arch/x86/include/asm/sparsemem.h)
}

std::optional<int64_t> max_physmem_bits(Program& program) {
  const Vmcoreinfo* vi = program.vmcoreinfo();
  if (!vi || !vi->length("mem_section")) return std::nullopt;
  if (std::optional<int64_t> n = vi->number("MAX_PHYSMEM_BITS")) return n;
  // NR_SECTION_ROOTS * SECTIONS_PER_ROOT = 1 << (MAX_PHYSMEM_BITS - SECTION_SIZE_BITS).
  std::optional<uint64_t> per_root = sections_per_root(program);
  std::optional<int64_t> bits = section_size_bits(program);
  uint64_t roots = *vi->length("mem_section");
  if (!per_root || !bits || !std::has_single_bit(roots)) return std::nullopt;
  return std::countr_zero(roots) + std::countr_zero(*per_root) + *bits;
}

}  // namespace

std::optional<Object> find_kernel_constant(Program& program, std::string_view name) {
  if (!program.is_kernel()) return std::nullopt;
  const ObjectEnv& env = program.object_env();
  if (name == "PAGE_SIZE" || name == "PAGE_SHIFT" || name == "PAGE_MASK") {
    std::optional<uint64_t> size = page_size(program);
    if (!size) return std::nullopt;
    if (name == "PAGE_SHIFT")
      return Object::signed_value(env, program.find_type("int"), std::countr_zero(*size));
    return Object::unsigned_value(env, program.find_type("unsigned long"), name == "PAGE_SIZE" ? *size : ~(*size - 1));
  }
  if (name == "THREAD_SIZE") {
    std::optional<uint64_t> size = thread_size(program);
    if (!size) return std::nullopt;
    return Object::unsigned_value(env, program.find_type("unsigned long"), *size);
  }
  if (name == "UTS_RELEASE") {
    const Vmcoreinfo* vi = program.vmcoreinfo();
    std::string release = program.kernel_release();
    if (!vi || release.empty()) return std::nullopt;
    QualifiedType type = program.find_type(fmt::format("const char [{}]", release.size() + 1));
    return Object::from_bytes(env, type, reinterpret_cast<const uint8_t*>(release.c_str()), release.size() + 1);
  }
  if (name == "VMCOREINFO") {
    // drgn's object for the note's raw text: a const char array of its exact size.
    const Vmcoreinfo* vi = program.vmcoreinfo();
    if (!vi || vi->text().empty()) return std::nullopt;
    const std::string& text = vi->text();
    QualifiedType type = program.find_type(fmt::format("const char [{}]", text.size()));
    return Object::from_bytes(env, type, reinterpret_cast<const uint8_t*>(text.data()), text.size());
  }
  if (name == "NR_SECTION_ROOTS" || name == "SECTIONS_PER_ROOT") {
    const Vmcoreinfo* vi = program.vmcoreinfo();
    if (!vi || !vi->length("mem_section")) return std::nullopt;
    std::optional<uint64_t> v = name == "NR_SECTION_ROOTS" ? vi->length("mem_section") : sections_per_root(program);
    if (!v) return std::nullopt;
    return Object::unsigned_value(env, program.find_type("unsigned long"), *v);
  }
  if (name == "SECTION_SIZE_BITS" || name == "MAX_PHYSMEM_BITS") {
    std::optional<int64_t> v = name == "SECTION_SIZE_BITS" ? section_size_bits(program) : max_physmem_bits(program);
    if (!v) return std::nullopt;
    return Object::signed_value(env, program.find_type("int"), *v);
  }
  if (name == "vmemmap") {
    uint64_t base = kFixedVmemmap;
    if (std::optional<Object> var = program.find_object("vmemmap_base", kGlobalVariable); var && !var->is_absent())
      base = var->read().as_unsigned();
    return Object::unsigned_value(env, program.find_type("struct page *"), base);
  }
  return std::nullopt;
}

}  // namespace kdive
