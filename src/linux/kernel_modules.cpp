// Loaded kernel modules (kernel_modules.h).
#include "linux/kernel_modules.h"

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/kernel_layout.h"
#include "linux/list_walk.h"
#include "linux/target_words.h"
#include "program/program.h"

namespace kdive {

std::vector<KernelModuleInfo> kernel_modules(Program& program, WalkStatus* status) {
  KernelLayout layout(program);
  const MemoryReader& mem = program.memory();
  std::optional<Object> head = program.find_object("modules");
  if (!head || !head->is_reference()) throw LookupError("could not find 'modules' (the module list)");
  const char* mod = "struct module";
  uint64_t off_list = layout.offset(mod, "list");
  uint64_t off_name = layout.offset(mod, "name");
  uint64_t name_size = layout.member_size(mod, "name");
  uint64_t off_base = 0, off_size = 0, size_bytes = 4;
  if (layout.has_member(mod, "mem")) {
    uint64_t text = 0;
    if (std::optional<Object> e = program.find_object("MOD_TEXT")) text = e->as_unsigned();
    uint64_t elem = layout.size_of("struct module_memory");
    off_base = layout.offset(mod, "mem") + text * elem + layout.offset("struct module_memory", "base");
    off_size = layout.offset(mod, "mem") + text * elem + layout.offset("struct module_memory", "size");
    size_bytes = layout.member_size("struct module_memory", "size");
  } else if (layout.has_member(mod, "core_layout")) {
    off_base = layout.offset(mod, "core_layout.base");
    off_size = layout.offset(mod, "core_layout.size");
    size_bytes = layout.member_size(mod, "core_layout.size");
  } else {
    off_base = layout.offset(mod, "module_core");
    off_size = layout.offset(mod, "core_size");
    size_bytes = layout.member_size(mod, "core_size");
  }
  std::vector<KernelModuleInfo> out;
  WalkLimits limits;
  limits.max_entries = 65536;
  WalkStatus st = walk_list(mem, ListLayout::of(layout), head->address(), [&](uint64_t node) {
    KernelModuleInfo m;
    m.address = node - off_list;
    m.name = read_char_array(mem, m.address + off_name, name_size);
    m.base = read_u64(mem, m.address + off_base);
    m.size = read_unsigned(mem, m.address + off_size, size_bytes);
    for (const auto& dm : program.debug_info().modules()) {
      if (dm->kind() == DebugModule::Kind::KernelModule && dm->name() == m.name) {
        m.has_debug_info = dm->has_dwarf();
        m.debug_file = dm->elf().path();
      }
    }
    out.push_back(std::move(m));
    return true;
  }, limits);
  if (status) *status = st;
  return out;
}

std::string format_kernel_modules(const std::vector<KernelModuleInfo>& modules) {
  std::string out = fmt::format("{:<16}  {:<24}  {:<16}  {:>8}  {}\n", "MODULE", "NAME", "BASE", "SIZE", "OBJECT FILE");
  for (const KernelModuleInfo& m : modules) {
    out += fmt::format("{:016x}  {:<24}  {:016x}  {:>8}  {}\n", m.address, m.name, m.base, m.size,
                       m.debug_file.empty() ? "(not loaded)" : m.debug_file);
  }
  return out;
}

}  // namespace kdive
