// Walking the `modules` list with bounded steps and a visited set.
#include "program/loaded_kernel_modules.h"

#include <unordered_set>

#include <fmt/format.h>

#include "kdive/error.h"
#include "types/type_layout.h"

namespace kdive {

namespace {

bool has_member(QualifiedType t, std::string_view name) { return find_member(t, name).has_value(); }

void read_layout(const Object& mod, LoadedKernelModule& out) {
  QualifiedType t = mod.type();
  if (has_member(t, "core_layout")) {  // up to 6.3
    Object layout = mod.member("core_layout");
    out.base = layout.member("base").read().as_unsigned();
    out.size = layout.member("size").as_unsigned();
  } else if (has_member(t, "mem")) {  // 6.4+: mem[MOD_TEXT] is first
    Object text = mod.member("mem").subscript(0);
    out.base = text.member("base").read().as_unsigned();
    out.size = text.member("size").as_unsigned();
  }
}

void read_sections(const Object& mod, LoadedKernelModule& out) {
  if (!has_member(mod.type(), "sect_attrs")) return;
  Object attrs_ptr = mod.member("sect_attrs").read();
  if (attrs_ptr.as_unsigned() == 0) return;
  Object attrs = attrs_ptr.dereference();
  uint64_t n = attrs.member("nsections").as_unsigned();
  if (n > 4096) throw BadDataError(fmt::format("module {}: implausible section count {}", out.name, n));
  Object array = attrs.member("attrs");
  for (uint64_t i = 0; i < n; ++i) {
    Object a = array.subscript(static_cast<int64_t>(i));
    std::string name = a.member("battr").member("attr").member("name").read().read_c_string(256);
    out.sections[name] = a.member("address").as_unsigned();
  }
}

}  // namespace

std::vector<LoadedKernelModule> loaded_kernel_modules(EvalEnvironment& env, std::vector<std::string>& warnings) {
  std::vector<LoadedKernelModule> result;
  std::optional<Object> head = env.find_object("modules");
  if (!head) return result;
  QualifiedType module_type = env.type_finder().find_type(TypeKind::Struct, "module");
  if (!module_type.type) throw LookupError("could not find 'struct module'");
  uint64_t list_offset = offset_of(module_type, "list");
  uint64_t head_addr = head->address();
  std::unordered_set<uint64_t> seen;
  uint64_t node = head->member("next").read().as_unsigned();
  while (node != head_addr) {
    if (result.size() >= kMaxKernelModules || !seen.insert(node).second) {
      warnings.push_back(fmt::format("module list: stopped at {:#x} (cycle or too many entries)", node));
      break;
    }
    LoadedKernelModule m;
    m.address = node - list_offset;
    try {
      Object mod = Object::reference(env.object_env(), module_type, m.address);
      m.name = mod.member("name").read_c_string(64);
      read_layout(mod, m);
      read_sections(mod, m);
      node = mod.member("list").member("next").read().as_unsigned();
    } catch (const Error& e) {
      warnings.push_back(fmt::format("module list: struct module at {:#x}: {}", m.address, e.what()));
      break;
    }
    result.push_back(std::move(m));
  }
  return result;
}

}  // namespace kdive
