// Vmcoreinfo parsing. Values are parsed strictly (the whole value must be a number of
// the documented base) so that a corrupt line yields "absent", not a wrong number.
#include "target/vmcoreinfo.h"

#include <charconv>

namespace kdive {

namespace {
template <typename T>
std::optional<T> parse_number(std::string_view v, int base) {
  if (base == 16 && v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) v.remove_prefix(2);
  if (v.empty()) return std::nullopt;
  T out{};
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out, base);
  if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  return out;
}

std::string keyed(std::string_view kind, std::string_view name) {
  std::string k(kind);
  k += '(';
  k += name;
  k += ')';
  return k;
}
}  // namespace

Vmcoreinfo Vmcoreinfo::parse(std::string_view text) {
  Vmcoreinfo vi;
  vi.text_ = std::string(text);
  size_t pos = 0;
  size_t line_no = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      vi.warnings_.push_back("VMCOREINFO line " + std::to_string(line_no) + " has no KEY=VALUE");
      continue;
    }
    vi.entries_.emplace_back(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  return vi;
}

std::optional<std::string_view> Vmcoreinfo::get(std::string_view key) const {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->first == key) return std::string_view(it->second);
  }
  return std::nullopt;
}

std::optional<uint64_t> Vmcoreinfo::hex(std::string_view key) const {
  auto v = get(key);
  return v ? parse_number<uint64_t>(*v, 16) : std::nullopt;
}

std::optional<uint64_t> Vmcoreinfo::unsigned_decimal(std::string_view key) const {
  auto v = get(key);
  return v ? parse_number<uint64_t>(*v, 10) : std::nullopt;
}

std::string Vmcoreinfo::osrelease() const {
  auto v = get("OSRELEASE");
  return v ? std::string(*v) : std::string();
}

std::string Vmcoreinfo::build_id() const {
  auto v = get("BUILD-ID");
  return v ? std::string(*v) : std::string();
}

std::optional<uint64_t> Vmcoreinfo::page_size() const { return unsigned_decimal("PAGESIZE"); }
std::optional<uint64_t> Vmcoreinfo::kernel_offset() const { return hex("KERNELOFFSET"); }

std::optional<int64_t> Vmcoreinfo::crash_time() const {
  auto v = get("CRASHTIME");
  return v ? parse_number<int64_t>(*v, 10) : std::nullopt;
}

std::optional<uint64_t> Vmcoreinfo::symbol(std::string_view name) const {
  return hex(keyed("SYMBOL", name));
}

std::optional<int64_t> Vmcoreinfo::number(std::string_view name) const {
  auto v = get(keyed("NUMBER", name));
  if (!v) return std::nullopt;
  if (auto d = parse_number<int64_t>(*v, 10)) return d;
  // A few architectures print NUMBER()s in hex with 0x.
  if (v->size() > 2 && (*v)[0] == '0' && ((*v)[1] == 'x' || (*v)[1] == 'X')) {
    if (auto h = parse_number<uint64_t>(*v, 16)) return static_cast<int64_t>(*h);
  }
  return std::nullopt;
}

std::optional<uint64_t> Vmcoreinfo::size(std::string_view name) const {
  return unsigned_decimal(keyed("SIZE", name));
}
std::optional<uint64_t> Vmcoreinfo::offset(std::string_view name) const {
  return unsigned_decimal(keyed("OFFSET", name));
}
std::optional<uint64_t> Vmcoreinfo::length(std::string_view name) const {
  return unsigned_decimal(keyed("LENGTH", name));
}

}  // namespace kdive
