// KernelLayout implementation: type_layout.h's designator resolution over the
// program's types, memoized by "type\0designator" (walkers ask for the same few
// members millions of times).
#include "linux/kernel_layout.h"

#include <fmt/format.h>

#include "kdive/error.h"
#include "program/program.h"
#include "types/type_layout.h"

namespace kdive {

QualifiedType KernelLayout::type(std::string_view type_name) {
  auto it = types_.find(type_name);
  if (it != types_.end()) return it->second;
  QualifiedType t = program_.find_type(type_name);
  if (!t.type) throw LookupError(fmt::format("could not find '{}'", type_name));
  types_.emplace(std::string(type_name), t);
  return t;
}

std::optional<uint64_t> KernelLayout::find_offset(std::string_view type_name,
                                                  std::string_view designator) {
  std::string key = fmt::format("{}\n{}", type_name, designator);
  auto it = offsets_.find(key);
  if (it != offsets_.end()) return it->second;
  std::optional<uint64_t> result;
  try {
    result = bit_offset_of(type(type_name), designator) / 8;
  } catch (const LookupError&) {
  } catch (const TypeError&) {
    // A designator that goes through a member of another kind ("rss_stat.count" where
    // rss_stat became an array) names no member of this kernel's layout either.
  }
  offsets_.emplace(std::move(key), result);
  return result;
}

uint64_t KernelLayout::offset(std::string_view type_name, std::string_view designator) {
  std::optional<uint64_t> off = find_offset(type_name, designator);
  if (!off) throw LookupError(fmt::format("'{}' has no member '{}'", type_name, designator));
  return *off;
}

std::string_view KernelLayout::first_member(std::string_view type_name,
                                            std::initializer_list<std::string_view> designators) {
  std::string names;
  for (std::string_view d : designators) {
    if (has_member(type_name, d)) return d;
    names += fmt::format("{}'{}'", names.empty() ? "" : " or ", d);
  }
  std::string release = program_.kernel_release();
  throw LookupError(fmt::format("kernel {}: '{}' has no member {}", release.empty() ? "(release unknown)" : release,
                                type_name, names));
}

uint64_t KernelLayout::size_of(std::string_view type_name) { return type_sizeof(type(type_name)); }

uint64_t KernelLayout::member_size(std::string_view type_name, std::string_view designator) {
  return type_sizeof(resolve_designator(type(type_name), designator).type);
}

uint64_t KernelLayout::array_length(std::string_view type_name, std::string_view designator) {
  QualifiedType t = underlying_type(resolve_designator(type(type_name), designator).type);
  if (t.type->kind() != TypeKind::Array || !t.type->length())
    throw TypeError(fmt::format("'{}.{}' is not an array of known length", type_name, designator));
  return *t.type->length();
}

}  // namespace kdive
