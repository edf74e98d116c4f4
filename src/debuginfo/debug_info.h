// DebugInfo: the debug files of one program (vmlinux and kernel modules, or an
// executable and its libraries), each a DebugModule with its load bias, symbol table,
// lazily built name index and type translator; answers name → type / global DIE and
// address → symbol across all of them. Implements the Symbolizer used by the formatter.
//
//   DebugInfo dbg(arena);
//   dbg.add_file("vmlinux", kaslr_offset);
//   QualifiedType t = dbg.find_type(TypeKind::Struct, "task_struct");
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "debuginfo/dump_debug_info.h"
#include "debuginfo/dwarf_index.h"
#include "debuginfo/dwarf_type_translator.h"
#include "debuginfo/elf_file.h"
#include "debuginfo/symbol_table.h"
#include "kdive/type.h"
#include "object/object_env.h"

namespace kdive {

class DebugModule {
 public:
  enum class Kind : uint8_t { Kernel, KernelModule, User };
  // `freed_sections`: sections of a kernel module that the kernel freed after init
  // (see LoadedKernelModule::freed_sections). Their symbols are still found by name but
  // name no address, and no run-time address maps back into them: the memory may hold
  // another module's code by now.
  DebugModule(std::string path, std::string name, Kind kind, uint64_t bias, TypeArena& arena,
              DwarfTypeTranslator::CompleteTypeFinder complete,
              const SectionAddresses* sections = nullptr,
              const std::vector<std::string>& freed_sections = {});
  Kind kind() const { return kind_; }

  const std::string& name() const { return name_; }
  const ElfFile& elf() const { return *elf_; }
  uint64_t bias() const { return bias_; }
  // The run-time address of a file address. For vmlinux (kind Kernel) only the kernel
  // image mapping moves with KASLR: per-CPU variables are linked at small offsets of the
  // zero-based .data..percpu section and stay as they are.
  // For a kernel module, "file address" means libdwfl's offline layout of its sections
  // (what its relocated DWARF holds), mapped section by section to the dump's addresses.
  uint64_t relocate(uint64_t file_address) const;
  // The inverse, for looking up DWARF by a run-time PC; nullopt when no section of this
  // module contains the address.
  std::optional<uint64_t> unrelocate(uint64_t runtime_address) const;
  // Whether a run-time address lies in this module's loaded image.
  bool covers(uint64_t runtime_address) const;
  // Whether the address lies in a section freed after init (kernel modules).
  bool in_freed_section(uint64_t runtime_address) const;
  bool has_dwarf() const { return elf_->has_dwarf(); }
  // Built on first use (in parallel over CUs); warnings go to warnings().
  const DwarfIndex& index() const;
  const SymbolTable& symbols() const { return symbols_; }
  DwarfTypeTranslator& types() { return *translator_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  std::string name_;
  Kind kind_;
  std::unique_ptr<ElfFile> elf_;
  uint64_t bias_;
  SymbolTable symbols_;
  std::unique_ptr<DwarfTypeTranslator> translator_;
  std::vector<ElfFile::PlacedSection> placed_;  // kernel modules: sections with run-time addresses
  std::vector<bool> freed_;  // per placed_ entry: freed after init
  mutable std::once_flag index_once_;
  mutable DwarfIndex index_;
  mutable std::vector<std::string> warnings_;
};

// A global found by name: its module and index entry.
struct GlobalDie {
  DebugModule* module = nullptr;
  IndexEntry entry;
};

class DebugInfo : public Symbolizer {
 public:
  explicit DebugInfo(TypeArena& arena) : arena_(arena) {}

  // Opens an ELF debug file; `bias` is added to its addresses (KASLR offset for
  // vmlinux, load address for a shared library). Throws OsError/BadDataError.
  // `sections` places a relocatable file's sections (kernel modules).
  DebugModule& add_file(const std::string& path, DebugModule::Kind kind, uint64_t bias,
                        const std::string& name = "", const SectionAddresses* sections = nullptr,
                        const std::vector<std::string>& freed_sections = {});
  const std::vector<std::unique_ptr<DebugModule>>& modules() const { return modules_; }

  // A type by tag kind (Struct/Union/Class/Enum), typedef name (Typedef) or base-type
  // name (Int/Bool/Float: canonical C spelling). {nullptr} when not found.
  QualifiedType find_type(TypeKind kind, std::string_view name);
  // Variables, functions and enumerators named `name`, definitions first.
  std::vector<GlobalDie> find_globals(std::string_view name) const;

  std::optional<SymbolInfo> symbolize(uint64_t address) const override;

  // No-debuginfo mode: what the dump says of itself, asked when no debug file answers
  // (types, symbols). Null when a vmlinux with DWARF was loaded.
  void set_dump_debug_info(std::unique_ptr<DumpDebugInfo> dump) { dump_ = std::move(dump); }
  DumpDebugInfo* dump_debug_info() const { return dump_.get(); }

 private:
  QualifiedType find_dump_type(TypeKind kind, std::string_view name);

  TypeArena& arena_;
  std::unique_ptr<DumpDebugInfo> dump_;
  std::vector<std::unique_ptr<DebugModule>> modules_;
};

}  // namespace kdive
