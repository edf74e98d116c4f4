// Decoding of the kernel's kallsyms tables (format: scripts/kallsyms.c and
// kernel/kallsyms.c of the dumped kernel). See kallsyms_table.h for the contract.
#include "debuginfo/kallsyms_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "base/byte_cursor.h"
#include "kdive/error.h"

namespace kdive {
namespace {

// More symbols than any kernel has (a 7.x allyesconfig has ~1.5 M): beyond, the
// count is garbage and we refuse rather than allocate.
constexpr uint32_t kMaxSymbols = 8u << 20;
// Names are read from memory in chunks of this size as decoding advances.
constexpr size_t kNamesChunk = 64 * 1024;

std::vector<uint8_t> read_bytes(const KernelReadFunction& read, uint64_t address, size_t n) {
  std::vector<uint8_t> out(n);
  read(address, out);
  return out;
}

// kallsyms_names and the token table grow on demand: its length is not in VMCOREINFO, and the table may
// end right before an unreadable page, so a chunk that faults is retried exactly.
class NamesWindow {
 public:
  NamesWindow(const KernelReadFunction& read, uint64_t base) : read_(read), base_(base) {}
  uint8_t at(size_t pos) {
    if (pos >= buf_.size()) grow(pos + 1);
    return buf_[pos];
  }

 private:
  void grow(size_t need) {
    size_t want = std::max(need, buf_.size() + kNamesChunk);
    std::vector<uint8_t> more(want - buf_.size());
    try {
      read_(base_ + buf_.size(), more);
    } catch (const Error&) {
      more.resize(need - buf_.size());
      read_(base_ + buf_.size(), more);
    }
    buf_.insert(buf_.end(), more.begin(), more.end());
  }
  const KernelReadFunction& read_;
  uint64_t base_;
  std::vector<uint8_t> buf_;
};

[[noreturn]] void bad(const std::string& what) { throw BadDataError("kallsyms: " + what); }

}  // namespace

const char* to_string(KallsymsTable::Encoding e) {
  switch (e) {
    case KallsymsTable::Encoding::Absolute: return "absolute addresses";
    case KallsymsTable::Encoding::Relative: return "offsets from a base";
    case KallsymsTable::Encoding::AbsolutePercpu: return "offsets from a base, absolute per-CPU";
    case KallsymsTable::Encoding::PlaceRelative: return "place-relative offsets";
    case KallsymsTable::Encoding::SymbolFile: return "ELF symbol table";
  }
  return "?";
}

KallsymsTable KallsymsTable::read(const KallsymsLocations& loc, const KernelReadFunction& read) {
  if (!loc.num_syms || !loc.names || !loc.token_table || !loc.token_index ||
      (!loc.offsets && !loc.addresses))
    throw MissingDebugInfoError(
        "no kallsyms in VMCOREINFO (Linux >= 6.0 lists kallsyms_names, kallsyms_num_syms, "
        "kallsyms_token_table, kallsyms_token_index and kallsyms_offsets or "
        "kallsyms_addresses); symbols need a vmlinux (-s)");
  if (!loc.stext) throw MissingDebugInfoError("kallsyms: VMCOREINFO lacks SYMBOL(_stext)");

  auto count_bytes = read_bytes(read, loc.num_syms, 4);
  uint32_t count = ByteCursor(count_bytes, "dump", "kallsyms_num_syms").u32();
  if (count == 0 || count > kMaxSymbols)
    bad(fmt::format("kallsyms_num_syms is {} (expected 1..{})", count, kMaxSymbols));

  // 256 token offsets (u16) into the token table; each token a NUL-terminated string.
  auto index_bytes = read_bytes(read, loc.token_index, 256 * 2);
  ByteCursor ic(index_bytes, "dump", "kallsyms_token_index");
  std::array<uint16_t, 256> token_offset{};
  for (auto& o : token_offset) o = ic.u16();
  // The tables' lengths are not in VMCOREINFO: read the token strings through a window
  // that grows as needed (bounded: a token longer than kMaxToken is garbage).
  constexpr size_t kMaxToken = 256;
  NamesWindow table(read, loc.token_table);
  std::array<std::string, 256> tokens;
  for (size_t i = 0; i < 256; i++) {
    for (size_t p = token_offset[i]; table.at(p) != 0; p++) {
      if (tokens[i].size() == kMaxToken) bad(fmt::format("token {} is not terminated", i));
      tokens[i] += static_cast<char>(table.at(p));
    }
  }

  // Names: a length (1 byte; since Linux 6.1, commit 73bbb94466fd, a first byte with
  // bit 7 set is the low 7 bits of a 2-byte little-endian base-128 length), then that
  // many token indexes. The expansion's first character is the type letter.
  // Grown as names decode, not sized from the (untrusted) count up front.
  std::vector<KallsymsSymbol> syms;
  syms.reserve(std::min<uint32_t>(count, 1u << 16));
  NamesWindow names(read, loc.names);
  size_t pos = 0;
  for (uint32_t i = 0; i < count; i++) {
    size_t len = names.at(pos++);
    if (len & 0x80) len = (len & 0x7f) | (size_t{names.at(pos++)} << 7);
    if (len == 0) bad(fmt::format("symbol {} has an empty name", i));
    std::string expanded;
    for (size_t k = 0; k < len; k++) expanded += tokens[names.at(pos++)];
    if (expanded.empty()) bad(fmt::format("symbol {} expands to nothing", i));
    syms.push_back({expanded.substr(1), 0, expanded[0]});
  }

  // Addresses. Every encoding the VMCOREINFO tables allow is decoded in turn; the first
  // that puts _stext and every other known VMCOREINFO symbol where VMCOREINFO says wins
  // (a wrong encoding misplaces them all: the check needs no kernel version).
  auto stext = std::find_if(syms.begin(), syms.end(), [](auto& s) { return s.name == "_stext"; });
  if (stext == syms.end()) bad("no _stext among the decoded names (wrong token table?)");
  const size_t si = static_cast<size_t>(stext - syms.begin());
  // Indexes of each known symbol's name (static symbols may repeat a name: one of
  // them at the listed address is enough).
  std::vector<std::vector<uint32_t>> known_at(loc.known.size());
  for (uint32_t i = 0; i < count; i++)
    for (size_t k = 0; k < loc.known.size(); k++)
      if (syms[i].name == loc.known[k].first) known_at[k].push_back(i);

  KallsymsTable t;
  std::vector<uint64_t> addrs(count);
  std::string tried;
  auto fits = [&](Encoding enc, uint64_t base) {
    tried += fmt::format(" {}: {:#x};", to_string(enc), addrs[si]);
    bool ok = addrs[si] == loc.stext;
    for (size_t k = 0; k < loc.known.size(); k++) {
      const auto& [name, address] = loc.known[k];
      if (known_at[k].empty() ||
          std::any_of(known_at[k].begin(), known_at[k].end(), [&](uint32_t i) { return addrs[i] == address; }))
        continue;
      ok = false;
      tried += fmt::format(" ({} at {:#x}, VMCOREINFO {:#x})", name, addrs[known_at[k][0]], address);
    }
    if (ok) {
      t.encoding_ = enc;
      t.base_ = base;
    }
    return ok;
  };

  bool found = false;
  if (loc.addresses) {
    auto raw = read_bytes(read, loc.addresses, size_t{count} * 8);
    ByteCursor c(raw, "dump", "kallsyms_addresses");
    for (auto& a : addrs) a = c.u64();
    found = fits(Encoding::Absolute, 0);
  }
  if (!found && loc.offsets) {
    auto raw = read_bytes(read, loc.offsets, size_t{count} * 4);
    ByteCursor c(raw, "dump", "kallsyms_offsets");
    std::vector<int32_t> off(count);
    for (auto& o : off) o = c.s32();
    // Place-relative (Linux 7.0, commit a081b5789255d "kallsyms: Get rid of kallsyms
    // relative base"): scripts/kallsyms emits each entry as `.long _text - . + offset`,
    // a PC32 reference the linker resolves, so an entry holds the signed distance from
    // its own address to the symbol (the kernel's offset_to_ptr()); symbols before _text
    // are negative. kallsyms_relative_base left VMCOREINFO in the same commit. (Only
    // 32-bit non-relocatable kernels store plain 32-bit addresses there instead.)
    for (uint32_t i = 0; i < count; i++)
      addrs[i] = loc.offsets + uint64_t{4} * i + static_cast<uint64_t>(int64_t{off[i]});
    found = fits(Encoding::PlaceRelative, loc.offsets);
    // From kallsyms_relative_base (CONFIG_KALLSYMS_BASE_RELATIVE, Linux 4.6 until 7.0).
    if (!found && loc.relative_base) {
      auto b = read_bytes(read, loc.relative_base, 8);
      const uint64_t base = ByteCursor(b, "dump", "kallsyms_relative_base").u64();
      for (uint32_t i = 0; i < count; i++) addrs[i] = base + static_cast<uint32_t>(off[i]);
      found = fits(Encoding::Relative, base);
      if (!found) {
        // Absolute per-CPU (CONFIG_KALLSYMS_ABSOLUTE_PERCPU, x86-64 SMP until the
        // per-CPU rework): non-negative offsets are absolute values, negative ones
        // are base - 1 - offset.
        for (uint32_t i = 0; i < count; i++)
          addrs[i] = off[i] >= 0 ? static_cast<uint64_t>(off[i])
                                 : base - 1 - static_cast<uint64_t>(int64_t{off[i]});
        found = fits(Encoding::AbsolutePercpu, base);
      }
    }
  }
  if (!found)
    bad(fmt::format("no address encoding puts _stext at {:#x} (VMCOREINFO); decoded:{}",
                    loc.stext, tried));
  for (uint32_t i = 0; i < count; i++) syms[i].address = addrs[i];

  std::stable_sort(syms.begin(), syms.end(),
                   [](auto& a, auto& b) { return a.address < b.address; });
  t.by_address_ = std::move(syms);
  t.by_name_.reserve(t.by_address_.size());
  for (size_t i = 0; i < t.by_address_.size(); i++)
    t.by_name_.emplace(t.by_address_[i].name, i);
  return t;
}

KallsymsTable KallsymsTable::from_symbols(std::vector<KallsymsSymbol> symbols, std::string source) {
  // scripts/kallsyms' compare_symbols(): which of several symbols at one address names
  // it follows from this order (DumpDebugInfo takes the first), so a table from an ELF
  // file names addresses as the kernel's own kallsyms would.
  auto weak = [](const KallsymsSymbol& s) { return s.type == 'W' || s.type == 'w' || s.type == 'V' || s.type == 'v'; };
  auto underscores = [](const KallsymsSymbol& s) {
    size_t n = 0;
    while (n < s.name.size() && s.name[n] == '_') ++n;
    return n;
  };
  std::stable_sort(symbols.begin(), symbols.end(), [&](const KallsymsSymbol& a, const KallsymsSymbol& b) {
    if (a.address != b.address) return a.address < b.address;
    if (weak(a) != weak(b)) return !weak(a);
    return underscores(a) < underscores(b);
  });
  KallsymsTable t;
  t.encoding_ = Encoding::SymbolFile;
  t.source_ = std::move(source);
  t.by_address_ = std::move(symbols);
  t.by_name_.reserve(t.by_address_.size());
  for (size_t i = 0; i < t.by_address_.size(); i++) t.by_name_.emplace(t.by_address_[i].name, i);
  return t;
}

std::vector<const KallsymsSymbol*> KallsymsTable::lookup(std::string_view name) const {
  std::vector<const KallsymsSymbol*> out;
  auto [b, e] = by_name_.equal_range(name);
  for (auto it = b; it != e; ++it) out.push_back(&by_address_[it->second]);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->address < b->address; });
  return out;
}

std::optional<std::pair<const KallsymsSymbol*, uint64_t>> KallsymsTable::symbolize(
    uint64_t address) const {
  auto it = std::upper_bound(by_address_.begin(), by_address_.end(), address,
                             [](uint64_t a, const KallsymsSymbol& s) { return a < s.address; });
  if (it == by_address_.begin()) return std::nullopt;
  const KallsymsSymbol* sym = &*(it - 1);
  // `it` is the first symbol past `address`, so past every alias of `sym`: the end.
  if (it == by_address_.end()) return std::nullopt;
  return std::make_pair(sym, it->address);
}

}  // namespace kdive
