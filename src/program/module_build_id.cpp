// Module build IDs from kernel memory. Every count and size that comes from the dump is
// bounded before it is used, and the note bytes go through the checked note parser.
#include "program/module_build_id.h"

#include <fmt/format.h>

#include "base/byte_cursor.h"
#include "debuginfo/debug_file_probe.h"
#include "kdive/error.h"
#include "target/elf_notes.h"
#include "types/type_layout.h"

namespace kdive {

namespace {

constexpr uint32_t kNtGnuBuildId = 3;
constexpr uint64_t kMaxNoteSections = 256;

bool has_member(QualifiedType t, std::string_view name) { return find_member(t, name).has_value(); }

// The notes_attrs' attribute count: ->notes (up to 6.13), else the entries of the
// NULL-terminated ->grp.bin_attrs (6.14's "module: sysfs: Add notes attributes through
// attribute_group").
uint64_t note_attribute_count(const Object& attrs) {
  if (has_member(attrs.type(), "notes")) return attrs.member("notes").as_unsigned();
  if (!has_member(attrs.type(), "grp")) return 0;
  Object list = attrs.member("grp").member("bin_attrs").read();
  if (list.as_unsigned() == 0) return 0;
  uint64_t n = 0;
  while (n <= kMaxNoteSections && list.subscript(static_cast<int64_t>(n)).read().as_unsigned() != 0) ++n;
  return n;
}

}  // namespace

std::string build_id_in_memory_notes(const MemoryReader& memory, uint64_t address, uint64_t size,
                                     const std::string& where) {
  if (size == 0) {
    // One note: its header (namesz, descsz, type) says how many bytes follow.
    uint8_t header[12];
    memory.read(address, header, sizeof header);
    ByteCursor c(header, where, "note header", true, address);
    uint32_t namesz = c.u32();
    uint32_t descsz = c.u32();
    size = sizeof header + ((uint64_t{namesz} + 3) & ~uint64_t{3}) + ((uint64_t{descsz} + 3) & ~uint64_t{3});
  }
  if (size > kMaxModuleNoteSection)
    throw BadDataError(fmt::format("{}: note section of {} bytes at {:#x} (more than {})", where, size, address,
                                   kMaxModuleNoteSection));
  std::vector<uint8_t> bytes(size);
  memory.read(address, bytes.data(), bytes.size());
  for (const ElfNote& n : parse_elf_notes(bytes, where, address))
    if (n.name == "GNU" && n.type == kNtGnuBuildId && !n.desc.empty()) return build_id_hex(n.desc);
  return "";
}

std::string module_build_id(const Object& module, const SectionAddresses* sections) {
  const MemoryReader* memory = module.env().memory;
  if (!memory) throw FaultError(module.address(), "no memory to read the module's notes from");
  std::string where = "module at " + fmt::format("{:#x}", module.address());
  if (has_member(module.type(), "name")) {
    try {
      where = "module " + module.member("name").read_c_string(64);
    } catch (const Error&) {
    }
  }
  // notes_attrs is NULL when the kernel made no sysfs files for the module (and absent
  // without CONFIG_SYSFS or CONFIG_KALLSYMS): then, or when its notes hold no build ID,
  // the build-ID section itself.
  Object attrs_ptr = has_member(module.type(), "notes_attrs") ? module.member("notes_attrs").read() : Object();
  if (attrs_ptr.has_env() && attrs_ptr.as_unsigned() != 0) {
    Object attrs = attrs_ptr.dereference();
    uint64_t n = note_attribute_count(attrs);
    if (n > kMaxNoteSections)
      throw BadDataError(fmt::format("{}: implausible note section count {}", where, n));
    Object array = attrs.member("attrs");
    for (uint64_t i = 0; i < n; ++i) {
      Object a = array.subscript(static_cast<int64_t>(i));
      uint64_t address = a.member("private").read().as_unsigned();
      uint64_t size = a.member("size").as_unsigned();
      if (address == 0 || size == 0) continue;
      std::string id = build_id_in_memory_notes(*memory, address, size, where + " notes");
      if (!id.empty()) return id;
    }
  }
  if (sections)
    if (auto it = sections->find(".note.gnu.build-id"); it != sections->end() && it->second != 0)
      return build_id_in_memory_notes(*memory, it->second, 0, where + " .note.gnu.build-id");
  return "";
}

std::vector<ModuleBuildId> loaded_module_build_ids(EvalEnvironment& env, const std::vector<LoadedKernelModule>& modules,
                                                   std::vector<std::string>& warnings) {
  std::vector<ModuleBuildId> out;
  out.reserve(modules.size());
  QualifiedType module_type = env.type_finder().find_type(TypeKind::Struct, "module");
  for (const LoadedKernelModule& m : modules) {
    ModuleBuildId b{m.name, ""};
    if (!module_type.type) {
      warnings.push_back(fmt::format("module {}: build ID unknown: no type 'struct module'", m.name));
    } else {
      try {
        b.build_id = module_build_id(Object::reference(env.object_env(), module_type, m.address), &m.sections);
      } catch (const Error& e) {
        warnings.push_back(fmt::format("module {}: build ID: {}", m.name, e.what()));
      }
    }
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace kdive
