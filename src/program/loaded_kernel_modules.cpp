// Walking the `modules` list with bounded steps and a visited set.
#include "program/loaded_kernel_modules.h"

#include <algorithm>
#include <unordered_set>

#include <fmt/format.h>

#include "kdive/error.h"
#include "types/type_layout.h"

namespace kdive {

namespace {

bool has_member(QualifiedType t, std::string_view name) { return find_member(t, name).has_value(); }

// Returns whether the init layout has been freed (its base is NULL).
bool read_layout(EvalEnvironment& env, const Object& mod, LoadedKernelModule& out) {
  QualifiedType t = mod.type();
  bool init_freed = false;
  if (has_member(t, "core_layout")) {  // up to 6.3
    Object layout = mod.member("core_layout");
    out.base = layout.member("base").read().as_unsigned();
    out.size = layout.member("size").as_unsigned();
    out.core_regions = {{out.base, out.size}};
    if (has_member(t, "init_layout")) init_freed = mod.member("init_layout").member("base").read().as_unsigned() == 0;
  } else if (has_member(t, "mem")) {  // 6.4+: mem[MOD_TEXT] is first
    Object text = mod.member("mem").subscript(0);
    out.base = text.member("base").read().as_unsigned();
    out.size = text.member("size").as_unsigned();
    // The init regions are NULL once do_init_module() freed them; the rest stay.
    Object mem = mod.member("mem");
    uint64_t n = type_sizeof(mem.type()) / std::max<uint64_t>(type_sizeof(text.type()), 1);
    for (uint64_t i = 0; i < n; ++i) {
      Object region = mem.subscript(static_cast<int64_t>(i));
      uint64_t base = region.member("base").read().as_unsigned();
      if (base) out.core_regions.emplace_back(base, region.member("size").as_unsigned());
    }
    // do_init_module() clears every mem[MOD_INIT_*]; MOD_INIT_TEXT is the one that
    // always exists when the module has init code.
    if (std::optional<Object> init_text = env.find_object("MOD_INIT_TEXT"); init_text && !init_text->is_absent())
      init_freed = mod.member("mem").subscript(init_text->as_signed()).member("base").read().as_unsigned() == 0;
  }
  return init_freed;
}

// Where each section of the module was loaded, from mod->sect_attrs (the sysfs
// /sys/module/NAME/sections/ files). Two layouts, told apart by the array's element:
//   struct module_sect_attr { battr; address; } with module_sect_attrs.nsections
//     (up to 6.13);
//   struct bin_attribute with the address in .private, counted by the
//     NULL-terminated grp.bin_attrs (6.14+, the series "module: sysfs: Drop member
//     'module_sect_attrs::nsections'" / "Drop 'struct module_sect_attr'").
void read_sections(const Object& mod, LoadedKernelModule& out) {
  constexpr uint64_t kMaxSections = 4096;
  if (!has_member(mod.type(), "sect_attrs")) return;
  Object attrs_ptr = mod.member("sect_attrs").read();
  if (attrs_ptr.as_unsigned() == 0) return;
  Object attrs = attrs_ptr.dereference();
  uint64_t n = 0;
  if (has_member(attrs.type(), "nsections")) {
    n = attrs.member("nsections").as_unsigned();
  } else {
    Object list = attrs.member("grp").member("bin_attrs").read();
    if (list.as_unsigned() == 0) return;
    while (n <= kMaxSections && list.subscript(static_cast<int64_t>(n)).read().as_unsigned() != 0) ++n;
  }
  if (n > kMaxSections) throw BadDataError(fmt::format("module {}: implausible section count {}", out.name, n));
  Object array = attrs.member("attrs");
  for (uint64_t i = 0; i < n; ++i) {
    Object a = array.subscript(static_cast<int64_t>(i));
    bool wrapped = has_member(a.type(), "battr");
    Object battr = wrapped ? a.member("battr") : a;
    std::string name = battr.member("attr").member("name").read().read_c_string(256);
    out.sections[name] = wrapped && has_member(a.type(), "address") ? a.member("address").as_unsigned()
                                                                     : battr.member("private").read().as_unsigned();
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
    bool init_freed = false;
    try {
      Object mod = Object::reference(env.object_env(), module_type, m.address);
      m.name = mod.member("name").read_c_string(64);
      init_freed = read_layout(env, mod, m);
      node = mod.member("list").member("next").read().as_unsigned();
    } catch (const Error& e) {
      warnings.push_back(fmt::format("module list: struct module at {:#x}: {}", m.address, e.what()));
      break;
    }
    // Without section addresses the module's debug info cannot be relocated, but the
    // module itself (name, base, size) is still worth listing.
    try {
      read_sections(Object::reference(env.object_env(), module_type, m.address), m);
    } catch (const Error& e) {
      warnings.push_back(fmt::format("module {}: section addresses: {}", m.name, e.what()));
    }
    if (init_freed)
      for (const auto& [name, address] : m.sections)
        if (name.starts_with(".init")) m.freed_sections.push_back(name);
    result.push_back(std::move(m));
  }
  return result;
}

}  // namespace kdive
