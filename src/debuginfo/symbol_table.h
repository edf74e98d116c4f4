// SymbolTable: an ELF file's function and object symbols (.symtab, else .dynsym),
// sorted for address → symbol+offset/size lookups (kallsyms style) and indexed by name.
// Addresses include the load bias given at construction (KASLR offset, module base).
//
//   SymbolTable syms(vmlinux, kaslr_offset);
//   if (auto s = syms.symbolize(pc)) fmt::print("{}+{:#x}/{:#x}", s->name, s->offset, s->size);
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kdive {

class ElfFile;

struct Symbol {
  std::string_view name;  // points into the ELF file's string table
  uint64_t address = 0;
  uint64_t size = 0;
  bool is_function = false;
  bool is_global = false;
  // False for symbols that are offsets rather than addresses (vmlinux per-CPU
  // variables): found by name, never used to symbolize an address.
  bool symbolizable = true;
  uint32_t table_index = 0;  // position in the ELF symbol table (ties between aliases)
  // The ELF symbol's STB_* binding and STT_* type, as the file has them.
  uint8_t elf_binding = 0;
  uint8_t elf_type = 0;
};

struct SymbolizedAddress {
  std::string_view name;
  uint64_t symbol_address = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
};

class SymbolTable {
 public:
  SymbolTable() = default;
  // The ElfFile must outlive the table (names point into it). `relocate` maps a
  // file address to its run-time address (see DebugModule::relocate); `symbolizable`,
  // given a symbol's run-time address, says whether it may name addresses.
  SymbolTable(const ElfFile& file, std::function<uint64_t(uint64_t)> relocate,
              std::function<bool(uint64_t)> symbolizable = nullptr);

  // The symbol containing `address` (address in [start, start+size), or for
  // size-0 symbols only the exact address), preferring global
  // function symbols when several start at the same address.
  std::optional<SymbolizedAddress> symbolize(uint64_t address) const;
  // When symbolize() finds nothing: the closest symbol at or below `address` if it has
  // size 0 (a label such as ".LC0"), with the offset from it.
  std::optional<SymbolizedAddress> symbolize_after_sizeless(uint64_t address) const;
  // All symbols with this name (duplicates exist: static functions in several files).
  std::vector<Symbol> lookup(std::string_view name) const;
  size_t size() const { return by_address_.size(); }
  const std::vector<Symbol>& symbols() const { return by_address_; }

 private:
  std::vector<Symbol> by_address_;
  // Name → positions in by_address_: open addressing with linear probing, a 32-bit hash
  // and the position + 1 per slot (0: empty), equal names in one probe run. Built in one
  // pass at open: a node-based multimap cost ~90,000 allocations for a vmlinux.
  struct NameSlot {
    uint32_t hash = 0;
    uint32_t position_plus_one = 0;
  };
  std::vector<NameSlot> by_name_;
};

}  // namespace kdive
