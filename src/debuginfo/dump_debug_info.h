// DumpDebugInfo: what a kernel dump says about itself when no vmlinux with DWARF is at
// hand (issue 15): symbols from kallsyms (vmlinux's tables through VMCOREINFO, each
// module's own symbol table) and types from BTF (vmlinux's, and modules' split BTF).
// It answers name → type, name → typed global, and address → symbol+offset [module].
//
//   DumpDebugInfo d(std::move(kallsyms), std::move(btf), arena);
//   d.add_module("kdive_fixture", base, size, module_symbols, module_btf);
//   std::optional<DumpGlobal> g = d.find_global("init_task");   // struct task_struct at ...
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "debuginfo/btf_types.h"
#include "debuginfo/kallsyms_table.h"
#include "kdive/type.h"
#include "object/object_env.h"
#include "target/vmcoreinfo.h"

namespace kdive {

// Where VMCOREINFO says the kallsyms tables are (Linux >= 6.0 lists them), and the
// symbols it names that a decoding must place exactly.
KallsymsLocations kallsyms_locations(const Vmcoreinfo& vmcoreinfo);

// A global found in the dump's own debug info.
struct DumpGlobal {
  enum class Kind : uint8_t { Variable, Function, Constant };
  Kind kind = Kind::Variable;
  QualifiedType type;    // void when nothing says what the symbol's type is
  uint64_t address = 0;  // Variable / Function
  uint64_t value = 0;    // Constant (an enumerator; signed when the enum is)
  // What typed it: "BTF variable", "BTF function", "BTF enumerator", "root table",
  // or "kallsyms only" (an address without a type).
  const char* type_source = "";
};

// One kallsyms symbol with the size the kernel would give it (to the next symbol).
struct DumpSymbol {
  std::string_view name;
  uint64_t address = 0;
  uint64_t size = 0;
  char type = '?';              // nm letter
  std::string_view module;      // "" for vmlinux
};

class DumpDebugInfo : public Symbolizer {
 public:
  // `btf` may be null (a kernel without CONFIG_DEBUG_INFO_BTF): symbols only.
  DumpDebugInfo(KallsymsTable kallsyms, std::unique_ptr<BtfTypes> btf, TypeArena& arena);
  ~DumpDebugInfo() override;

  // A loaded module: its core allocations {base, size} (one up to 6.3; text, data,
  // rodata and ro_after_init apart since 6.4), its own symbols and, when the kernel
  // kept it, its split BTF.
  void add_module(std::string name, std::vector<std::pair<uint64_t, uint64_t>> regions,
                  std::vector<KallsymsSymbol> symbols, std::unique_ptr<BtfTypes> btf);

  const KallsymsTable& kallsyms() const { return kallsyms_; }
  const BtfTypes* btf() const { return btf_.get(); }
  size_t module_count() const { return modules_.size(); }
  size_t module_symbol_count() const;
  size_t modules_with_btf() const;

  // A named type from vmlinux's BTF, then the modules'. {nullptr} when none has it.
  QualifiedType find_type(TypeKind kind, std::string_view name);
  // A global by name: a BTF variable or function placed by its symbol, an enumerator,
  // a symbol typed by the root table (debuginfo/kernel_root_types.h), or a bare
  // symbol. nullopt when no symbol and no enumerator has the name.
  std::optional<DumpGlobal> find_global(std::string_view name);
  // The address of a symbol (vmlinux first, then modules); nullopt when none.
  std::optional<uint64_t> symbol_address(std::string_view name) const;

  // The symbol containing `address`, its size implied by the next symbol as in the
  // kernel's own kallsyms_lookup(); module symbols get " [module]"-free names, the
  // module is `module_of`.
  std::optional<SymbolInfo> symbolize(uint64_t address) const override;
  // Every symbol named `name` (every symbol when `name` is empty), vmlinux first.
  std::vector<DumpSymbol> symbols_named(std::string_view name) const;
  // The symbol symbolize() names `address` after, with its letter.
  std::optional<DumpSymbol> symbol_at(uint64_t address) const;
  // Whether a symbol symbolize() gave is code (nm letter t/T).
  bool is_text_symbol(const SymbolInfo& symbol) const;
  // The module whose core allocation holds `address`, or "" (vmlinux or none).
  std::string module_of(uint64_t address) const;

 private:
  struct Module;
  QualifiedType root_type(std::string_view name);
  QualifiedType parse_root_type(std::string_view name);
  QualifiedType anonymous_struct(std::string_view spelling);

  KallsymsTable kallsyms_;
  std::unique_ptr<BtfTypes> btf_;
  TypeArena& arena_;
  struct Region {
    uint64_t base = 0, size = 0;
    const Module* module = nullptr;
  };
  // The module region holding `address`, nullptr when none does.
  const Region* region_of(uint64_t address) const;

  std::vector<std::unique_ptr<Module>> modules_;
  std::vector<Region> regions_;  // every module's regions, sorted by base
  std::map<std::string, QualifiedType, std::less<>> root_types_;  // cache of root_type()
  uint64_t image_start_ = 0, image_end_ = 0;      // _text (or _stext) .. _end
};

}  // namespace kdive
