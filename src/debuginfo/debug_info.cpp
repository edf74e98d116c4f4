// DebugInfo / DebugModule implementation: module bookkeeping and cross-module lookups.
#include "debuginfo/debug_info.h"

#include <algorithm>
#include <filesystem>

#include "types/type_name_parser.h"

namespace kdive {

namespace {
// x86-64 __START_KERNEL_map: below it, vmlinux symbols are per-CPU offsets.
constexpr uint64_t kStartKernelMap = 0xffffffff80000000ull;
}  // namespace

DebugModule::DebugModule(std::string path, std::string name, Kind kind, uint64_t bias, TypeArena& arena,
                         DwarfTypeTranslator::CompleteTypeFinder complete, const SectionAddresses* sections,
                         const std::vector<std::string>& freed_sections)
    : name_(std::move(name)),
      kind_(kind),
      elf_(std::make_unique<ElfFile>(path, sections)),
      bias_(bias) {
  for (auto& sec : elf_->section_layout()) {
    if (!sec.runtime_address || !sec.size) continue;
    freed_.push_back(std::find(freed_sections.begin(), freed_sections.end(), sec.name) != freed_sections.end());
    placed_.push_back(sec);
  }
  // After placed_: relocate() needs it. Symbols in a freed section stay findable by
  // name but name nothing: drgn, whose module spans only the core layout, prints such
  // an address bare (`(int (*)(void))0xffffffffc042d000`, not `init_module+0x0`).
  symbols_ = SymbolTable(*elf_, [this](uint64_t a) { return relocate(a); },
                         [this, kind](uint64_t runtime_address) {
                           if (kind == Kind::Kernel) return runtime_address >= kStartKernelMap;
                           return !in_freed_section(runtime_address);
                         });
  translator_ = std::make_unique<DwarfTypeTranslator>(elf_->dwarf(), arena, path, std::move(complete));
}

uint64_t DebugModule::relocate(uint64_t file_address) const {
  for (const auto& sec : placed_) {
    if (file_address - sec.offline_address < sec.size) return *sec.runtime_address + (file_address - sec.offline_address);
  }
  // x86-64 __START_KERNEL_map: below it, vmlinux addresses are per-CPU offsets.
  if (kind_ == Kind::Kernel && file_address < kStartKernelMap) return file_address;
  return file_address + bias_;
}

bool DebugModule::in_freed_section(uint64_t runtime_address) const {
  for (size_t i = 0; i < placed_.size(); ++i)
    if (freed_[i] && runtime_address - *placed_[i].runtime_address < placed_[i].size) return true;
  return false;
}

std::optional<uint64_t> DebugModule::unrelocate(uint64_t runtime_address) const {
  if (!placed_.empty()) {
    for (size_t i = 0; i < placed_.size(); ++i) {
      const auto& sec = placed_[i];
      if (freed_[i]) continue;  // the address belongs to whatever was loaded there since
      if (runtime_address - *sec.runtime_address < sec.size) return sec.offline_address + (runtime_address - *sec.runtime_address);
    }
    return std::nullopt;
  }
  if (kind_ == Kind::Kernel && runtime_address < kStartKernelMap) return runtime_address;
  return runtime_address - bias_;
}

bool DebugModule::covers(uint64_t runtime_address) const {
  if (!placed_.empty() || elf_->is_relocatable()) return unrelocate(runtime_address).has_value();
  // Executables and shared objects: their loadable segments (for vmlinux, the image from
  // _text to _end).
  size_t n = 0;
  if (elf_getphdrnum(elf_->elf(), &n) != 0) return false;
  for (size_t i = 0; i < n; ++i) {
    GElf_Phdr ph;
    if (!gelf_getphdr(elf_->elf(), static_cast<int>(i), &ph) || ph.p_type != PT_LOAD) continue;
    if (runtime_address - bias_ - ph.p_vaddr < ph.p_memsz) return true;
  }
  return false;
}

const DwarfIndex& DebugModule::index() const {
  std::call_once(index_once_, [this] {
    index_ = DwarfIndex::load_or_build(*elf_, DwarfIndex::default_cache_dir(), &warnings_);
  });
  return index_;
}

DebugModule& DebugInfo::add_file(const std::string& path, DebugModule::Kind kind, uint64_t bias,
                                 const std::string& name, const SectionAddresses* sections,
                                 const std::vector<std::string>& freed_sections) {
  std::string n = name.empty() ? std::filesystem::path(path).filename().string() : name;
  auto complete = [this](TypeKind kind, const std::string& tag) -> const Type* {
    QualifiedType t = find_type(kind, tag);
    return t.type && t.type->is_complete() ? t.type : nullptr;
  };
  modules_.push_back(std::make_unique<DebugModule>(path, n, kind, bias, arena_, complete, sections, freed_sections));
  return *modules_.back();
}

namespace {
bool tag_matches(TypeKind kind, IndexTag tag) {
  switch (kind) {
    case TypeKind::Struct: return tag == IndexTag::Struct;
    case TypeKind::Union: return tag == IndexTag::Union;
    case TypeKind::Class: return tag == IndexTag::Class;
    case TypeKind::Enum: return tag == IndexTag::Enum;
    case TypeKind::Typedef: return tag == IndexTag::Typedef;
    case TypeKind::Int: case TypeKind::Bool: case TypeKind::Float: return tag == IndexTag::BaseType;
    default: return false;
  }
}
// DWARF (and BTF, which pahole makes from it) names base types in gcc's spelling
// ("long unsigned int"); the parser asks in canonical form ("unsigned long").
const char* gcc_base_type_spelling(std::string_view canonical) {
  static const std::pair<const char*, const char*> gcc_names[] = {
      {"unsigned long", "long unsigned int"}, {"long", "long int"},
      {"unsigned short", "short unsigned int"}, {"short", "short int"},
      {"long long", "long long int"}, {"unsigned long long", "long long unsigned int"}};
  for (auto [canon, gcc] : gcc_names)
    if (canonical == canon) return gcc;
  return nullptr;
}
}  // namespace

QualifiedType DebugInfo::find_dump_type(TypeKind kind, std::string_view name) {
  if (QualifiedType t = dump_->find_type(kind, name); t.type) return t;
  if (kind == TypeKind::Int || kind == TypeKind::Bool || kind == TypeKind::Float)
    if (const char* gcc = gcc_base_type_spelling(name)) return dump_->find_type(kind, gcc);
  return {};
}

QualifiedType DebugInfo::find_type(TypeKind kind, std::string_view name) {
  if (dump_) return find_dump_type(kind, name);
  bool primitive = kind == TypeKind::Int || kind == TypeKind::Bool || kind == TypeKind::Float;
  for (auto& m : modules_) {
    if (!m->has_dwarf()) continue;
    const DwarfIndex& idx = m->index();
    auto try_name = [&](std::string_view n) -> QualifiedType {
      for (const IndexEntry& e : idx.find(n)) {
        if (!tag_matches(kind, e.tag) || e.is_declaration) continue;
        QualifiedType t = m->types().type_at(e.die_offset);
        if (primitive && (!t.type || t.type->name() != name)) continue;
        return t;
      }
      return {};
    };
    if (QualifiedType t = try_name(name); t.type) return t;
    if (primitive)
      if (const char* gcc = gcc_base_type_spelling(name))
        if (QualifiedType t = try_name(gcc); t.type) return t;
  }
  return {};
}

std::vector<GlobalDie> DebugInfo::find_globals(std::string_view name) const {
  std::vector<GlobalDie> out;
  for (auto& m : modules_) {
    if (!m->has_dwarf()) continue;
    for (const IndexEntry& e : m->index().find(name)) {
      if (e.tag == IndexTag::Variable || e.tag == IndexTag::Function || e.tag == IndexTag::Enumerator)
        out.push_back({m.get(), e});
    }
  }
  return out;
}

std::optional<SymbolInfo> DebugInfo::symbolize(uint64_t address) const {
  if (dump_) return dump_->symbolize(address);
  for (auto& m : modules_) {
    if (auto s = m->symbols().symbolize(address)) {
      return SymbolInfo{std::string(s->name), s->symbol_address, s->size, {}};
    }
  }
  // No symbol contains it: like libdwfl (and so drgn), name it after the closest
  // preceding size-0 symbol (".LC0+0x6dd", "__start_static_call_sites+0x39"), but only
  // inside the module's own address range.
  for (auto& m : modules_) {
    if (!m->covers(address)) continue;
    if (auto s = m->symbols().symbolize_after_sizeless(address))
      return SymbolInfo{std::string(s->name), s->symbol_address, s->size, {}};
  }
  return std::nullopt;
}

}  // namespace kdive
