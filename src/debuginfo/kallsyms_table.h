// KallsymsTable: the kernel's own symbol table (kallsyms), decoded from the tables a
// crash dump carries, for when no vmlinux with DWARF is at hand (issue 15). VMCOREINFO
// (Linux >= 6.0) gives the tables' addresses; this file owns decoding them: the
// token-compressed names (1- or 2-byte lengths), the type letters, and the addresses
// (absolute kallsyms_addresses; 32-bit kallsyms_offsets from kallsyms_relative_base,
// with or without the "absolute per-CPU" negative encoding; or, since Linux 7.0,
// place-relative kallsyms_offsets). The encoding is chosen by which one puts `_stext`
// and the other VMCOREINFO symbols where VMCOREINFO says they are, never by kernel
// version.
//
// Memory is read only through the function given (debuginfo does not know targets).
//
//   KallsymsLocations loc = ...;  // from VMCOREINFO's SYMBOL(...) lines
//   KallsymsTable t = KallsymsTable::read(loc, [&](uint64_t a, std::span<uint8_t> out) {
//     reader.read(a, out); });
//   for (auto& s : t.lookup("init_task")) ...
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kdive {

// Virtual addresses of the kallsyms tables; 0 = not listed in VMCOREINFO.
struct KallsymsLocations {
  uint64_t num_syms = 0;
  uint64_t names = 0;
  uint64_t token_table = 0;
  uint64_t token_index = 0;
  uint64_t offsets = 0;        // kallsyms_offsets (CONFIG_KALLSYMS_BASE_RELATIVE, always since 6.11)
  uint64_t relative_base = 0;  // kallsyms_relative_base (gone since 7.0: offsets are place-relative)
  uint64_t addresses = 0;      // kallsyms_addresses (absolute, older configurations)
  uint64_t stext = 0;          // SYMBOL(_stext): the check that picks the encoding
  // Other VMCOREINFO symbols (name, address): an encoding must place these too, so an
  // inferred base that only fits _stext is refused.
  std::vector<std::pair<std::string, uint64_t>> known;
};

// Reads `out.size()` bytes at a kernel virtual address or throws (FaultError).
using KernelReadFunction = std::function<void(uint64_t address, std::span<uint8_t> out)>;

struct KallsymsSymbol {
  std::string name;
  uint64_t address = 0;
  char type = '?';  // nm-style letter: T/t text, D/d data, B/b bss, R/r rodata, A/a absolute, ...
};

class KallsymsTable {
 public:
  // Which address encoding the tables turned out to use (reported by `info`):
  //   Absolute       kallsyms_addresses[i] is the address
  //   Relative       kallsyms_relative_base + (u32)kallsyms_offsets[i]
  //   AbsolutePercpu kallsyms_offsets[i] >= 0: the address; else relative_base - 1 - it
  //   PlaceRelative  &kallsyms_offsets[i] + (s32)kallsyms_offsets[i] (Linux 7.0+)
  //   SymbolFile     not decoded from a dump: from_symbols() (a symbol pack's table)
  enum class Encoding { Absolute, Relative, AbsolutePercpu, PlaceRelative, SymbolFile };

  // Throws MissingDebugInfoError when VMCOREINFO lacks the tables (Linux < 6.0) and
  // BadDataError when they do not decode (bounded: never loops or allocates past
  // what the symbol count allows).
  static KallsymsTable read(const KallsymsLocations& loc, const KernelReadFunction& read);
  // A table of symbols from elsewhere (a symbol pack's ELF symbol table, already at
  // their run-time addresses), ordered as scripts/kallsyms orders the kernel's: by
  // address, then non-weak before weak, then fewer leading underscores, then as given.
  // `source` says where they came from ("symbol pack /tmp/v.kdsym"), for `info`.
  static KallsymsTable from_symbols(std::vector<KallsymsSymbol> symbols, std::string source);

  // by_name_ views the names in by_address_: a move keeps them valid, a copy would not.
  KallsymsTable(KallsymsTable&&) noexcept = default;
  KallsymsTable& operator=(KallsymsTable&&) noexcept = default;
  KallsymsTable(const KallsymsTable&) = delete;
  KallsymsTable& operator=(const KallsymsTable&) = delete;

  const std::vector<KallsymsSymbol>& symbols() const { return by_address_; }
  size_t size() const { return by_address_.size(); }
  Encoding encoding() const { return encoding_; }
  // Where the symbols came from: "kallsyms (VMCOREINFO)" for read(), else from_symbols()'s.
  const std::string& source() const { return source_; }
  // The anchor of the offsets: kallsyms_relative_base (Relative, AbsolutePercpu), the
  // address of kallsyms_offsets (PlaceRelative: entry i is relative to base + 4 * i),
  // 0 for Absolute.
  uint64_t base() const { return base_; }
  // Every symbol with this name (static functions repeat).
  std::vector<const KallsymsSymbol*> lookup(std::string_view name) const;
  // The symbol at or below `address` and the next symbol's address (its size
  // is implied, as in /proc/kallsyms): {symbol, end}.
  std::optional<std::pair<const KallsymsSymbol*, uint64_t>> symbolize(uint64_t address) const;

 private:
  KallsymsTable() = default;
  std::vector<KallsymsSymbol> by_address_;
  std::unordered_multimap<std::string_view, size_t> by_name_;
  Encoding encoding_ = Encoding::Absolute;
  uint64_t base_ = 0;
  std::string source_ = "kallsyms (VMCOREINFO)";
};

const char* to_string(KallsymsTable::Encoding e);

}  // namespace kdive
