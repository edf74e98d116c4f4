// DumpDebugInfo implementation. A global's type comes from the most specific source
// the dump has: BTF's VAR (per-CPU variables), FUNC and enumerators, then the root
// table; a symbol nothing types is a `void` object at its address (its address is
// still right, and `&name` works), never a guessed type.
#include "debuginfo/dump_debug_info.h"

#include <algorithm>
#include <cctype>

#include "debuginfo/kernel_root_types.h"
#include "kdive/error.h"
#include "types/type_layout.h"
#include "types/type_name_parser.h"

namespace kdive {

KallsymsLocations kallsyms_locations(const Vmcoreinfo& vi) {
  auto sym = [&](const char* n) { return vi.symbol(n).value_or(0); };
  KallsymsLocations loc;
  loc.num_syms = sym("kallsyms_num_syms");
  loc.names = sym("kallsyms_names");
  loc.token_table = sym("kallsyms_token_table");
  loc.token_index = sym("kallsyms_token_index");
  loc.offsets = sym("kallsyms_offsets");
  loc.relative_base = sym("kallsyms_relative_base");
  loc.addresses = sym("kallsyms_addresses");
  loc.stext = sym("_stext");
  // Other symbols VMCOREINFO lists by address (kernel/vmcore_info.c, arch/x86/kernel/
  // machine_kexec_64.c): a decoding must place them too. Not mem_section: its line
  // holds the pointer's value (VMCOREINFO_SYMBOL_ARRAY), not the variable's address.
  for (const char* n : {"init_uts_ns", "swapper_pg_dir", "prb", "node_data"})
    if (std::optional<uint64_t> a = vi.symbol(n)) loc.known.emplace_back(n, *a);
  return loc;
}

struct DumpDebugInfo::Module {
  std::string name;
  std::vector<KallsymsSymbol> symbols;  // sorted by address
  std::unique_ptr<BtfTypes> btf;
};

DumpDebugInfo::DumpDebugInfo(KallsymsTable kallsyms, std::unique_ptr<BtfTypes> btf, TypeArena& arena)
    : kallsyms_(std::move(kallsyms)), btf_(std::move(btf)), arena_(arena) {
  auto first = [&](const char* n) -> uint64_t {
    auto v = kallsyms_.lookup(n);
    return v.empty() ? 0 : v.front()->address;
  };
  image_start_ = first("_text") ? first("_text") : first("_stext");
  image_end_ = first("_end");
}

DumpDebugInfo::~DumpDebugInfo() = default;

void DumpDebugInfo::add_module(std::string name, std::vector<std::pair<uint64_t, uint64_t>> regions,
                               std::vector<KallsymsSymbol> symbols, std::unique_ptr<BtfTypes> btf) {
  auto m = std::make_unique<Module>();
  m->name = std::move(name);
  m->symbols = std::move(symbols);
  std::stable_sort(m->symbols.begin(), m->symbols.end(),
                   [](const KallsymsSymbol& a, const KallsymsSymbol& b) { return a.address < b.address; });
  m->btf = std::move(btf);
  for (const auto& [base, size] : regions) {
    if (!size) continue;
    Region r{base, size, m.get()};
    auto pos = std::upper_bound(regions_.begin(), regions_.end(), base,
                                [](uint64_t b, const Region& x) { return b < x.base; });
    regions_.insert(pos, r);
  }
  modules_.push_back(std::move(m));
}

const DumpDebugInfo::Region* DumpDebugInfo::region_of(uint64_t address) const {
  auto it = std::upper_bound(regions_.begin(), regions_.end(), address,
                             [](uint64_t a, const Region& r) { return a < r.base; });
  if (it == regions_.begin()) return nullptr;
  --it;
  return address - it->base < it->size ? &*it : nullptr;
}

size_t DumpDebugInfo::module_symbol_count() const {
  size_t n = 0;
  for (const auto& m : modules_) n += m->symbols.size();
  return n;
}

size_t DumpDebugInfo::modules_with_btf() const {
  size_t n = 0;
  for (const auto& m : modules_) n += m->btf != nullptr;
  return n;
}

QualifiedType DumpDebugInfo::find_type(TypeKind kind, std::string_view name) {
  if (btf_)
    if (QualifiedType t = btf_->find_type(kind, name); t.type) return t;
  for (const auto& m : modules_)
    if (m->btf)
      if (QualifiedType t = m->btf->find_type(kind, name); t.type) return t;
  return {};
}

namespace {
// Type names for the root table's spellings, answered from BTF alone.
class BtfTypeFinder final : public TypeFinder {
 public:
  explicit BtfTypeFinder(DumpDebugInfo& dump) : dump_(dump) {}
  QualifiedType find_type(TypeKind kind, std::string_view name) override { return dump_.find_type(kind, name); }

 private:
  DumpDebugInfo& dump_;
};

// Among symbols at one address, the kernel names an address after the first in table
// order (kallsyms_lookup()'s get_symbol_pos() walks back to it; scripts/kallsyms put
// weak and more-underscored names later; a module's find_kallsyms_symbol() keeps the
// first of equal addresses): `first` is the symbol found, `begin` the table's start.
const KallsymsSymbol* first_alias(const KallsymsSymbol* found, const KallsymsSymbol* begin) {
  while (found != begin && (found - 1)->address == found->address) --found;
  return found;
}
}  // namespace

// "struct { seq; timekeeper; }": the anonymous struct of vmlinux's BTF whose members
// have exactly these names (a variable declared with an unnamed struct type).
QualifiedType DumpDebugInfo::anonymous_struct(std::string_view spelling) {
  if (!btf_) return {};
  std::vector<std::string_view> names;
  size_t open = spelling.find('{'), close = spelling.rfind('}');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return {};
  std::string_view body = spelling.substr(open + 1, close - open - 1);
  while (!body.empty()) {
    size_t semi = body.find(';');
    std::string_view n = body.substr(0, semi);
    while (!n.empty() && n.front() == ' ') n.remove_prefix(1);
    while (!n.empty() && n.back() == ' ') n.remove_suffix(1);
    if (!n.empty()) names.push_back(n);
    if (semi == std::string_view::npos) break;
    body.remove_prefix(semi + 1);
  }
  for (uint32_t id = btf_->first_id(); id < btf_->type_count(); ++id) {
    if (btf_->kind_of(id) != BtfKind::Struct || !btf_->name_of(id).empty()) continue;
    QualifiedType t = btf_->type_by_id(id);
    const auto& members = t.type->members();
    if (members.size() != names.size()) continue;
    bool same = true;
    for (size_t i = 0; i < names.size() && same; ++i) same = members[i].name == names[i];
    if (same) return t;
  }
  return {};
}

QualifiedType DumpDebugInfo::root_type(std::string_view name) {
  if (auto it = root_types_.find(name); it != root_types_.end()) return it->second;
  QualifiedType t = parse_root_type(name);
  root_types_.emplace(std::string(name), t);
  return t;
}

QualifiedType DumpDebugInfo::parse_root_type(std::string_view name) {
  BtfTypeFinder finder(*this);
  TypeNameParser parser(arena_, finder);
  for (std::string_view spelling : kernel_root_type_spellings(name)) {
    if (spelling.starts_with("struct {")) {
      if (QualifiedType t = anonymous_struct(spelling); t.type) return t;
      continue;
    }
    // "[NR_VM_ZONE_STAT_ITEMS]": an enumerator as the length, its value from BTF.
    std::string text(spelling);
    size_t open = text.find('[');
    size_t close = open == std::string::npos ? open : text.find(']', open);
    if (close != std::string::npos && close > open + 1 && !isdigit(static_cast<unsigned char>(text[open + 1]))) {
      std::string enumerator = text.substr(open + 1, close - open - 1);
      std::optional<BtfTypes::Enumerator> e = btf_ ? btf_->find_enumerator(enumerator) : std::nullopt;
      if (!e) continue;
      text.replace(open + 1, close - open - 1, std::to_string(e->value));
    }
    try {
      return parser.parse(text);
    } catch (const Error&) {
      // This kernel's BTF lacks a type of this spelling: try the next one.
    }
  }
  return {};
}

std::optional<uint64_t> DumpDebugInfo::symbol_address(std::string_view name) const {
  auto v = kallsyms_.lookup(name);
  if (!v.empty()) return v.front()->address;
  for (const auto& m : modules_)
    for (const KallsymsSymbol& s : m->symbols)
      if (s.name == name) return s.address;
  return std::nullopt;
}

std::optional<DumpGlobal> DumpDebugInfo::find_global(std::string_view name) {
  std::optional<uint64_t> address = symbol_address(name);
  auto lookup_btf = [&](const BtfTypes& b) -> std::optional<DumpGlobal> {
    if (std::optional<BtfTypes::Variable> v = b.find_variable(name)) {
      DumpGlobal g{DumpGlobal::Kind::Variable, v->type, 0, 0, "BTF variable"};
      // A per-CPU variable's symbol is its per-CPU offset (absolute per-CPU kallsyms).
      // Without a symbol: the DATASEC offset from the section's start, __per_cpu_start
      // (0 where .data..percpu is linked at 0, as up to 6.x; not so on 7.x).
      if (!address && v->section != ".data..percpu") return std::nullopt;
      g.address = address ? *address : symbol_address("__per_cpu_start").value_or(0) + v->offset;
      return g;
    }
    if (address)
      if (QualifiedType f = b.find_function(name); f.type)
        return DumpGlobal{DumpGlobal::Kind::Function, f, *address, 0, "BTF function"};
    if (std::optional<BtfTypes::Enumerator> e = b.find_enumerator(name))
      return DumpGlobal{DumpGlobal::Kind::Constant, e->type, 0, e->value, "BTF enumerator"};
    return std::nullopt;
  };
  if (btf_)
    if (auto g = lookup_btf(*btf_)) return g;
  for (const auto& m : modules_)
    if (m->btf)
      if (auto g = lookup_btf(*m->btf)) return g;
  if (!address) return std::nullopt;
  if (QualifiedType t = root_type(name); t.type) {
    // An array whose length is a configuration constant (NR_CPUS, MAX_NUMNODES): the
    // distance to the next symbol bounds it, as the kernel's own kallsyms sizes
    // symbols. Code that bounds loops by the array's length (per-CPU offsets) needs one.
    const Type* u = underlying_type(t).type;
    if (u && u->kind() == TypeKind::Array && !u->length()) {
      uint64_t elem = type_sizeof(u->target());
      auto r = kallsyms_.symbolize(*address);
      if (elem && r && r->first->address == *address)
        t = {arena_.array_of(u->target(), (r->second - *address) / elem), t.qualifiers};
    }
    return DumpGlobal{DumpGlobal::Kind::Variable, t, *address, 0, "root table"};
  }
  DumpGlobal g{DumpGlobal::Kind::Variable, {arena_.void_type()}, *address, 0, "kallsyms only"};
  auto v = kallsyms_.lookup(name);
  if (!v.empty() && (v.front()->type == 't' || v.front()->type == 'T')) g.kind = DumpGlobal::Kind::Function;
  return g;
}

namespace {
// The size kallsyms implies for sorted[i]: the distance to the next higher address
// (0 for the last symbol), `end` bounding a module's last symbol.
template <typename Symbols>
uint64_t implied_size(const Symbols& sorted, size_t i, uint64_t end) {
  for (size_t j = i + 1; j < sorted.size(); ++j)
    if (sorted[j].address != sorted[i].address) return sorted[j].address - sorted[i].address;
  return end > sorted[i].address ? end - sorted[i].address : 0;
}
}  // namespace

std::vector<DumpSymbol> DumpDebugInfo::symbols_named(std::string_view name) const {
  std::vector<DumpSymbol> out;
  const auto& all = kallsyms_.symbols();
  auto add = [&](size_t i) { out.push_back({all[i].name, all[i].address, implied_size(all, i, 0), all[i].type, {}}); };
  if (name.empty()) {
    for (size_t i = 0; i < all.size(); ++i) add(i);
  } else {
    std::vector<size_t> found;
    for (const KallsymsSymbol* k : kallsyms_.lookup(name)) found.push_back(static_cast<size_t>(k - all.data()));
    std::sort(found.begin(), found.end());
    for (size_t i : found) add(i);
  }
  for (const auto& m : modules_)
    for (size_t i = 0; i < m->symbols.size(); ++i)
      if (name.empty() || m->symbols[i].name == name) {
        // Sized to the next symbol, but never past the end of its own region.
        const Region* r = region_of(m->symbols[i].address);
        uint64_t end = r ? r->base + r->size : 0;
        uint64_t size = implied_size(m->symbols, i, end);
        if (end && m->symbols[i].address + size > end) size = end - m->symbols[i].address;
        out.push_back({m->symbols[i].name, m->symbols[i].address, size, m->symbols[i].type, m->name});
      }
  return out;
}

std::optional<DumpSymbol> DumpDebugInfo::symbol_at(uint64_t address) const {
  std::optional<SymbolInfo> s = symbolize(address);
  if (!s) return std::nullopt;
  for (const DumpSymbol& d : symbols_named(s->name))
    if (d.address == s->address && d.module == s->module) return DumpSymbol{d.name, d.address, s->size, d.type, d.module};
  return std::nullopt;
}

bool DumpDebugInfo::is_text_symbol(const SymbolInfo& symbol) const {
  // What the types say first: nm's letter follows the section's flags, and some
  // kernels link data into executable sections (7.x: init_task is 'T').
  if (!kernel_root_type_spellings(symbol.name).empty()) return false;
  if (btf_ && btf_->find_function(symbol.name).type) return true;
  auto text = [](const KallsymsSymbol& k) { return k.type == 't' || k.type == 'T'; };
  if (symbol.module.empty()) {
    for (const KallsymsSymbol* k : kallsyms_.lookup(symbol.name))
      if (k->address == symbol.address) return text(*k);
    return false;
  }
  for (const auto& m : modules_)
    if (m->name == symbol.module)
      for (const KallsymsSymbol& k : m->symbols)
        if (k.address == symbol.address && k.name == symbol.name) return text(k);
  return false;
}

std::string DumpDebugInfo::module_of(uint64_t address) const {
  const Region* r = region_of(address);
  return r ? r->module->name : "";
}

std::optional<SymbolInfo> DumpDebugInfo::symbolize(uint64_t address) const {
  if (const Region* r = region_of(address)) {
    const Module& m = *r->module;
    // The kernel's find_kallsyms_symbol(): the closest symbol at or below the address,
    // sized up to the next symbol (or the end of the allocation), within the region.
    auto s = std::upper_bound(m.symbols.begin(), m.symbols.end(), address,
                              [](uint64_t a, const KallsymsSymbol& k) { return a < k.address; });
    if (s == m.symbols.begin() || std::prev(s)->address < r->base) return std::nullopt;
    const KallsymsSymbol* best = first_alias(&*std::prev(s), m.symbols.data());
    uint64_t start = best->address;
    uint64_t end = s != m.symbols.end() && s->address < r->base + r->size ? s->address : r->base + r->size;
    return SymbolInfo{best->name, start, end - start, m.name};
  }
  // Only the kernel image is named after vmlinux's symbols: kallsyms does not size
  // them, so a direct-map or vmalloc address must not become "last_symbol+0x...", nor
  // a small number a per-CPU symbol (those are offsets, not addresses).
  if (image_start_ && (address < image_start_ || (image_end_ && address >= image_end_))) return std::nullopt;
  auto r = kallsyms_.symbolize(address);
  if (!r) return std::nullopt;
  const KallsymsSymbol* first = first_alias(r->first, kallsyms_.symbols().data());
  return SymbolInfo{first->name, first->address, r->second - first->address, {}};
}

}  // namespace kdive
