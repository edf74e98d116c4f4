// LayoutType implementation: each query answered from a DIE's attributes and children
// (constants read by debuginfo/dwarf_constant.h's rule) or from a Type, as pahole 1.24's
// btf_loader.c builds its tags from the BTF the Type was made from.
#include "layout/layout_type.h"

#include <dwarf.h>

#include <algorithm>

#include <fmt/format.h>

#include "debuginfo/dwarf_constant.h"

namespace kdive {

namespace {

constexpr int kMaxChain = 512;  // typedef/qualifier chains longer than this are corrupt

uint64_t die_udata(const Dwarf_Die& die, unsigned attr) {
  Dwarf_Die d = die;
  return die_unsigned(&d, attr, false).value_or(0);
}

uint64_t die_const(const Dwarf_Die& die, unsigned attr, bool value_is_signed, unsigned value_bits) {
  Dwarf_Die d = die;
  auto c = die_constant(&d, attr, {value_is_signed, value_bits}, false);
  return c ? c->bits : 0;
}

// Calls f(child) for each child DIE of `die`.
template <typename F>
void for_each_child(const Dwarf_Die& die, F f) {
  Dwarf_Die d = die, child;
  if (dwarf_child(&d, &child) != 0) return;
  do {
    f(child);
  } while (dwarf_siblingof(&child, &child) == 0);
}

// BTF keeps the base type names of the DWARF it was made from (gcc's "long unsigned
// int"); a Type holds the canonical C spelling. gcc's spellings are the ones Debian's
// kernels carry; a clang-built kernel's BTF spells "unsigned long" and differs here.
const char* compiler_spelling(const Type* t) {
  const std::string& n = t->name();
  if (n == "unsigned long") return "long unsigned int";
  if (n == "long") return "long int";
  if (n == "unsigned short") return "short unsigned int";
  if (n == "short") return "short int";
  if (n == "long long") return "long long int";
  if (n == "unsigned long long") return "long long unsigned int";
  return n.empty() ? nullptr : n.c_str();
}

}  // namespace

std::optional<LayoutType> strip_typedefs_and_modifiers(std::optional<LayoutType> type) {
  for (int i = 0; type && i < kMaxChain; ++i) {
    int tag = type->tag();
    if (tag != DW_TAG_typedef && tag != DW_TAG_const_type && tag != DW_TAG_volatile_type &&
        tag != DW_TAG_restrict_type)
      return type;
    type = type->target();
  }
  return std::nullopt;  // a chain longer than kMaxChain: corrupt
}

std::optional<LayoutType> LayoutType::of(QualifiedType type) {
  // A qualified void (`const void`) is a node; only void itself is "no type".
  if (!type.type || (type.type->kind() == TypeKind::Void && !type.qualifiers)) return std::nullopt;
  return LayoutType(type.type, type.qualifiers);
}

int LayoutType::tag() const {
  if (is_die()) {
    Dwarf_Die d = die_;
    return dwarf_tag(&d);
  }
  if (qualifiers_ & kQualConst) return DW_TAG_const_type;
  if (qualifiers_ & kQualVolatile) return DW_TAG_volatile_type;
  if (qualifiers_ & kQualRestrict) return DW_TAG_restrict_type;
  if (qualifiers_ & kQualAtomic) return DW_TAG_atomic_type;
  switch (type_->kind()) {
    case TypeKind::Int: case TypeKind::Bool: case TypeKind::Float: return DW_TAG_base_type;
    case TypeKind::Struct: return DW_TAG_structure_type;
    case TypeKind::Class: return DW_TAG_class_type;
    case TypeKind::Union: return DW_TAG_union_type;
    case TypeKind::Enum: return DW_TAG_enumeration_type;
    case TypeKind::Typedef: return DW_TAG_typedef;
    case TypeKind::Pointer: return DW_TAG_pointer_type;
    case TypeKind::Array: return DW_TAG_array_type;
    case TypeKind::Function: return DW_TAG_subroutine_type;
    case TypeKind::Void: break;
  }
  return 0;
}

const char* LayoutType::name() const {
  if (is_die()) {
    Dwarf_Die d = die_;
    return dwarf_diename(&d);
  }
  if (qualifiers_) return nullptr;
  if (type_->kind() == TypeKind::Int) return compiler_spelling(type_);
  return type_->name().empty() ? nullptr : type_->name().c_str();
}

std::optional<LayoutType> LayoutType::target() const {
  if (is_die()) {
    Dwarf_Die d = die_, out;
    Dwarf_Attribute a;
    if (!dwarf_attr(&d, DW_AT_type, &a) || !dwarf_formref_die(&a, &out)) return std::nullopt;
    return LayoutType(out);
  }
  // Peel the qualifiers in the order tag() reports them.
  for (uint8_t q : {kQualConst, kQualVolatile, kQualRestrict, kQualAtomic}) {
    if (qualifiers_ & q) return LayoutType(type_, static_cast<uint8_t>(qualifiers_ & ~q));
  }
  switch (type_->kind()) {
    case TypeKind::Pointer: case TypeKind::Array: case TypeKind::Typedef: case TypeKind::Function:
      return of(type_->target());
    // An enum's compatible type is kdive's; pahole's BTF enums refer to nothing.
    default: return std::nullopt;
  }
}

uint64_t LayoutType::byte_size() const {
  if (is_die()) return die_udata(die_, DW_AT_byte_size);
  if (qualifiers_) return 0;
  switch (type_->kind()) {
    case TypeKind::Int: case TypeKind::Bool: case TypeKind::Float: case TypeKind::Struct:
    case TypeKind::Class: case TypeKind::Union: case TypeKind::Enum: case TypeKind::Pointer:
      return type_->size();
    default: return 0;
  }
}

uint32_t LayoutType::alignment() const {
  return is_die() ? static_cast<uint32_t>(die_udata(die_, DW_AT_alignment)) : 0;
}

bool LayoutType::is_vector() const { return is_die() && dwarf_has(DW_AT_GNU_vector); }

std::vector<uint32_t> LayoutType::array_dimensions() const {
  std::vector<uint32_t> dims;
  if (!is_die()) {
    // One dimension per array Type, as pahole's BTF loader makes one per BTF_KIND_ARRAY.
    dims.push_back(static_cast<uint32_t>(type_->length().value_or(0)));
    return dims;
  }
  for_each_child(die_, [&](const Dwarf_Die& child) {
    Dwarf_Die c = child;
    if (dwarf_tag(&c) != DW_TAG_subrange_type || dims.size() == 64) return;
    // pahole keeps 32-bit counts: an upper bound of -1 (a [0] array) wraps to 0 entries.
    if (dwarf_hasattr(&c, DW_AT_upper_bound)) {
      dims.push_back(static_cast<uint32_t>(die_const(child, DW_AT_upper_bound, false, 64) + 1));
    } else {
      dims.push_back(static_cast<uint32_t>(die_udata(child, DW_AT_count)));
    }
  });
  return dims;
}

uint16_t LayoutType::member_count() const {
  if (!is_die()) return type_->is_compound() ? static_cast<uint16_t>(type_->members().size()) : 0;
  uint16_t n = 0;
  for_each_child(die_, [&](const Dwarf_Die& child) {
    Dwarf_Die c = child;
    if (dwarf_tag(&c) == DW_TAG_member) ++n;
  });
  return n;
}

uint64_t LayoutType::id() const {
  if (is_die()) {
    Dwarf_Die d = die_;
    return dwarf_dieoffset(&d);
  }
  // Types are heap objects: the low bits of their address are free for the qualifiers.
  return reinterpret_cast<uintptr_t>(type_) | qualifiers_;
}

std::string LayoutType::describe() const {
  if (is_die()) return fmt::format("DIE {:#x}", id());
  return fmt::format("type '{}{}'", type_->has_tag() ? std::string(type_kind_name(type_->kind())) + " " : "",
                     type_->name());
}

std::vector<LayoutType::Parameter> LayoutType::parameters(bool& unspecified) const {
  std::vector<Parameter> out;
  unspecified = false;
  if (!is_die()) {
    if (qualifiers_ || type_->kind() != TypeKind::Function) return out;
    for (const TypeParameter& p : type_->parameters())
      out.push_back({p.name.empty() ? nullptr : p.name.c_str(), of(p.type.get())});
    unspecified = type_->is_variadic();
    return out;
  }
  for_each_child(die_, [&](const Dwarf_Die& child) {
    LayoutType c(child);
    int tag = c.tag();
    if (tag == DW_TAG_unspecified_parameters) unspecified = true;
    if (tag == DW_TAG_formal_parameter) out.push_back({c.name(), c.target()});
  });
  return out;
}

std::vector<LayoutType::Enumerator> LayoutType::enumerators(bool& is_signed) const {
  std::vector<Enumerator> out;
  is_signed = false;
  if (!is_die()) {
    if (qualifiers_ || type_->kind() != TypeKind::Enum) return out;
    bool wide = type_->size() == 8;
    for (const TypeEnumerator& e : type_->enumerators())
      out.push_back({e.name.c_str(), wide ? e.value : e.value & 0xffffffffu});
    return out;
  }
  // DW_FORM_dataN values read in the underlying type's sign and width (data1 0xc8 of an
  // int enum is 200, data1 0x80 of a signed char one -128).
  std::optional<LayoutType> base = strip_typedefs_and_modifiers(target());
  uint64_t encoding = base ? base->dwarf_unsigned(DW_AT_encoding) : 0;
  is_signed = encoding == DW_ATE_signed || encoding == DW_ATE_signed_char;
  unsigned bits = static_cast<unsigned>(std::min<uint64_t>(64, 8 * (base ? base->byte_size() : 8)));
  for_each_child(die_, [&](const Dwarf_Die& child) {
    LayoutType c(child);
    if (c.tag() != DW_TAG_enumerator) return;
    const char* n = c.name();
    out.push_back({n ? n : "", die_const(child, DW_AT_const_value, is_signed, bits)});
  });
  return out;
}

uint64_t LayoutType::dwarf_unsigned(unsigned attr) const { return is_die() ? die_udata(die_, attr) : 0; }

bool LayoutType::dwarf_has(unsigned attr) const {
  if (!is_die()) return false;
  Dwarf_Die d = die_;
  return dwarf_hasattr(&d, attr) != 0;
}

}  // namespace kdive
