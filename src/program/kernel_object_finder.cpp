// Values come from where the kernel publishes them, never from a version number:
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
  if (name == "vmemmap") {
    uint64_t base = kFixedVmemmap;
    if (std::optional<Object> var = program.find_object("vmemmap_base", kGlobalVariable); var && !var->is_absent())
      base = var->read().as_unsigned();
    return Object::unsigned_value(env, program.find_type("struct page *"), base);
  }
  return std::nullopt;
}

}  // namespace kdive
