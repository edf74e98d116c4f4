// DwarfTypeTranslator implementation over libdw. Member locations follow DWARF 5 §5.7.6
// (DW_AT_data_member_location as constant or DW_OP_plus_uconst expression,
// DW_AT_data_bit_offset) and DWARF 2/3's DW_AT_bit_offset (counted from the most
// significant bit of a DW_AT_byte_size storage unit). Every constant is read through
// debuginfo/dwarf_constant.h, which decides its signedness.
#include "debuginfo/dwarf_type_translator.h"

#include <dwarf.h>

#include <algorithm>

#include <fmt/format.h>

#include "debuginfo/dwarf_constant.h"
#include "kdive/error.h"
#include "types/type_name_parser.h"

namespace kdive {

namespace {
constexpr int kMaxDepth = 256;  // qualifier/typedef/pointer chains deeper than this are corrupt

std::string die_name(Dwarf_Die* die) {
  const char* n = dwarf_diename(die);
  return n ? n : "";
}

bool flag(Dwarf_Die* die, unsigned attr) {
  Dwarf_Attribute a;
  bool v = false;
  return dwarf_attr_integrate(die, attr, &a) && dwarf_formflag(&a, &v) == 0 && v;
}

std::optional<uint64_t> udata(Dwarf_Die* die, unsigned attr) { return die_unsigned(die, attr); }

// How constants of this type read (an enum: its compatible type's sign and width).
ConstantType constant_type(QualifiedType t) {
  QualifiedType u = underlying_type(t);
  if (!u.type || !u.type->is_signed()) return {};
  return {true, static_cast<unsigned>(std::min<uint64_t>(64, u.type->size() * 8))};
}
// How a subrange's bounds read: its index type (DW_AT_type, through typedefs and
// qualifiers) when that is a signed base type. C compilers use an unsigned one (gcc:
// sizetype, "long unsigned int").
ConstantType index_constant_type(Dwarf_Die* subrange) {
  Dwarf_Die cur = *subrange;
  for (int i = 0; i < kMaxDepth; ++i) {
    Dwarf_Attribute a;
    Dwarf_Die next;
    if (!dwarf_attr_integrate(&cur, DW_AT_type, &a) || !dwarf_formref_die(&a, &next)) return {};
    cur = next;
    int tag = dwarf_tag(&cur);
    if (tag == DW_TAG_base_type) {
      uint64_t enc = udata(&cur, DW_AT_encoding).value_or(0);
      if (enc != DW_ATE_signed && enc != DW_ATE_signed_char) return {};
      return {true, static_cast<unsigned>(std::min<uint64_t>(64, udata(&cur, DW_AT_byte_size).value_or(8) * 8))};
    }
    if (tag != DW_TAG_typedef && tag != DW_TAG_const_type && tag != DW_TAG_volatile_type) return {};
  }
  return {};
}

// One dimension's length (DWARF 5 §5.13): DW_AT_count, else DW_AT_upper_bound + 1 (C's
// lower bound is 0; like drgn, DW_AT_lower_bound is not used). nullopt (incomplete, as
// `int a[]`) without either, or when the bound is not a constant (a VLA's bound is an
// expression or names a variable). A bound of -1 is gcc's zero-length array (`int a[0]`,
// `int a[] = {}`: sdata -1 or data8 0xff..ff; older gcc: data4 0xffffffff).
std::optional<uint64_t> subrange_length(Dwarf_Die* subrange) {
  Dwarf_Attribute a;
  if (dwarf_attr_integrate(subrange, DW_AT_count, &a)) {
    auto c = read_dwarf_constant(&a);
    if (!c || c->is_negative()) return std::nullopt;
    return c->bits;
  }
  if (!dwarf_attr_integrate(subrange, DW_AT_upper_bound, &a)) return std::nullopt;
  auto c = read_dwarf_constant(&a, index_constant_type(subrange));
  if (!c) return std::nullopt;
  if (c->bits == ~uint64_t{0}) return 0;
  if (dwarf_whatform(&a) == DW_FORM_data4 && c->bits == 0xffffffff) return 0;
  // Below -1 only in corrupt or non-C DWARF: an empty range, not a huge array.
  if (c->is_negative()) return 0;
  return c->bits + 1;
}
}  // namespace

void DwarfTypeTranslator::fail(Dwarf_Die* die, const std::string& what) const {
  throw BadDataError(file_, fmt::format(".debug_info: {}", what), dwarf_dieoffset(die));
}

QualifiedType DwarfTypeTranslator::type_at(uint64_t die_offset) {
  auto it = cache_.find(die_offset);
  if (it != cache_.end()) return it->second;
  Dwarf_Die die;
  if (!dwarf_offdie(dwarf_, die_offset, &die)) {
    throw BadDataError(file_, "no DIE at this offset in .debug_info", die_offset);
  }
  return translate(&die, 0);
}

QualifiedType DwarfTypeTranslator::type_of(Dwarf_Die* die) { return type_attr(die, 0); }

QualifiedType DwarfTypeTranslator::type_attr(Dwarf_Die* die, int depth) {
  Dwarf_Attribute a;
  Dwarf_Die target;
  if (!dwarf_attr_integrate(die, DW_AT_type, &a)) return {arena_.void_type(), 0};
  if (!dwarf_formref_die(&a, &target)) fail(die, "bad DW_AT_type reference");
  return translate(&target, depth + 1);
}

LazyType DwarfTypeTranslator::lazy_type_attr(Dwarf_Die* die) {
  Dwarf_Attribute a;
  Dwarf_Die target;
  if (!dwarf_attr_integrate(die, DW_AT_type, &a)) return LazyType(QualifiedType{arena_.void_type(), 0});
  if (!dwarf_formref_die(&a, &target)) fail(die, "bad DW_AT_type reference");
  uint64_t off = dwarf_dieoffset(&target);
  auto it = cache_.find(off);
  if (it != cache_.end()) return LazyType(it->second);
  return LazyType([this, off] { return type_at(off); });
}

QualifiedType DwarfTypeTranslator::translate(Dwarf_Die* die, int depth) {
  if (depth > kMaxDepth) fail(die, "type chain too deep (cycle?)");
  uint64_t off = dwarf_dieoffset(die);
  auto it = cache_.find(off);
  if (it != cache_.end()) return it->second;
  QualifiedType result;
  int tag = dwarf_tag(die);
  switch (tag) {
    case DW_TAG_const_type: case DW_TAG_volatile_type: case DW_TAG_restrict_type: case DW_TAG_atomic_type: {
      result = type_attr(die, depth);
      result.qualifiers |= tag == DW_TAG_const_type ? kQualConst
                           : tag == DW_TAG_volatile_type ? kQualVolatile
                           : tag == DW_TAG_restrict_type ? kQualRestrict : kQualAtomic;
      break;
    }
    case DW_TAG_base_type: result = {translate_base(die), 0}; break;
    case DW_TAG_unspecified_type: result = {arena_.void_type(), 0}; break;
    case DW_TAG_pointer_type: case DW_TAG_reference_type: case DW_TAG_rvalue_reference_type:
      result = {arena_.make_pointer_lazy(lazy_type_attr(die), udata(die, DW_AT_byte_size).value_or(8)), 0};
      break;
    case DW_TAG_typedef: {
      result = {arena_.make_typedef(die_name(die), lazy_type_attr(die)), 0};
      break;
    }
    case DW_TAG_structure_type: result = {translate_compound(die, TypeKind::Struct), 0}; break;
    case DW_TAG_union_type: result = {translate_compound(die, TypeKind::Union), 0}; break;
    case DW_TAG_class_type: result = {translate_compound(die, TypeKind::Class), 0}; break;
    case DW_TAG_enumeration_type: result = {translate_enum(die, depth), 0}; break;
    case DW_TAG_array_type: result = {translate_array(die, depth), 0}; break;
    case DW_TAG_subroutine_type: case DW_TAG_subprogram: result = {translate_function(die), 0}; break;
    default: fail(die, fmt::format("DIE with tag {:#x} is not a type", tag));
  }
  cache_[off] = result;
  return result;
}

const Type* DwarfTypeTranslator::translate_base(Dwarf_Die* die) {
  std::string name = die_name(die);
  uint64_t size = udata(die, DW_AT_byte_size).value_or(0);
  uint64_t enc = udata(die, DW_AT_encoding).value_or(0);
  // Canonical C spelling ("long unsigned int" → "unsigned long"), as drgn prints.
  if (auto canon = canonical_primitive_name(name)) name = *canon;
  switch (enc) {
    case DW_ATE_boolean: return arena_.bool_type(name, size);
    case DW_ATE_float: return arena_.float_type(name, size);
    case DW_ATE_signed: case DW_ATE_signed_char: return arena_.int_type(name, size, true);
    case DW_ATE_unsigned: case DW_ATE_unsigned_char: case DW_ATE_UTF: return arena_.int_type(name, size, false);
    default: return arena_.int_type(name, size, false);
  }
}

const Type* DwarfTypeTranslator::translate_compound(Dwarf_Die* die, TypeKind kind) {
  std::string tag = die_name(die);
  if (flag(die, DW_AT_declaration)) {
    if (complete_ && !tag.empty()) {
      if (const Type* full = complete_(kind, tag)) return full;
    }
    return arena_.make_compound(kind, tag, 0, {}, false);
  }
  uint64_t size = udata(die, DW_AT_byte_size).value_or(0);
  std::vector<TypeMember> members;
  Dwarf_Die child;
  if (dwarf_child(die, &child) == 0) {
    do {
      if (dwarf_tag(&child) != DW_TAG_member) continue;
      TypeMember m;
      m.name = die_name(&child);
      m.type = lazy_type_attr(&child);
      uint64_t bit_offset = 0;
      Dwarf_Attribute a;
      if (auto dbo = udata(&child, DW_AT_data_bit_offset)) {
        bit_offset = *dbo;
      } else if (dwarf_attr(&child, DW_AT_data_member_location, &a)) {
        unsigned form = dwarf_whatform(&a);
        if (form == DW_FORM_exprloc || form == DW_FORM_block1 || form == DW_FORM_block) {
          Dwarf_Op* ops;
          size_t nops;
          if (dwarf_getlocation(&a, &ops, &nops) == 0 && nops == 1 && ops[0].atom == DW_OP_plus_uconst)
            bit_offset = ops[0].number * 8;
          else
            fail(&child, "unsupported DW_AT_data_member_location expression");
        } else if (auto c = read_dwarf_constant(&a); c && !c->is_negative()) {
          bit_offset = c->bits * 8;
        }
      }
      if (auto bs = udata(&child, DW_AT_bit_size)) {
        m.bit_field_size = *bs;
        if (auto old = die_constant(&child, DW_AT_bit_offset)) {
          // DWARF 2/3: offset of the field's most significant bit within a storage unit of
          // DW_AT_byte_size bytes; on little-endian targets convert to the LSB position.
          // A negative offset (sdata) stays two's complement, so the sum is right.
          uint64_t unit = udata(&child, DW_AT_byte_size).value_or(0);
          if (unit == 0) {
            QualifiedType mt = m.type.get();
            unit = mt.type ? mt.type->size() : 0;
          }
          bit_offset += unit * 8 - old->bits - *bs;
        }
      }
      m.bit_offset = bit_offset;
      members.push_back(std::move(m));
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  return arena_.make_compound(kind, tag, size, std::move(members), true);
}

const Type* DwarfTypeTranslator::translate_enum(Dwarf_Die* die, int depth) {
  std::string tag = die_name(die);
  if (flag(die, DW_AT_declaration)) {
    if (complete_ && !tag.empty()) {
      if (const Type* full = complete_(TypeKind::Enum, tag)) return full;
    }
    return arena_.make_enum(tag, {}, {}, false);
  }
  uint64_t size = udata(die, DW_AT_byte_size).value_or(4);
  QualifiedType compatible;
  Dwarf_Attribute ta;
  if (dwarf_attr_integrate(die, DW_AT_type, &ta)) compatible = type_attr(die, depth);
  std::vector<TypeEnumerator> enumerators;
  bool any_negative = false;
  Dwarf_Die child;
  if (dwarf_child(die, &child) == 0) {
    do {
      if (dwarf_tag(&child) != DW_TAG_enumerator) continue;
      Dwarf_Attribute a;
      if (!dwarf_attr(&child, DW_AT_const_value, &a)) continue;
      TypeEnumerator e;
      e.name = die_name(&child);
      // DW_FORM_dataN values are read in the enumeration's underlying type (DWARF 5
      // §5.11, dwarf_constant.h): 200 in an int enum is data1 0xc8 (gcc zero-extends),
      // 0x80000000 of an unsigned int enum is data4 0x80000000.
      auto c = read_dwarf_constant(&a, compatible.type ? constant_type(compatible) : ConstantType{});
      if (!c) continue;
      e.value = c->bits;
      if (c->is_negative()) any_negative = true;
      enumerators.push_back(std::move(e));
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  if (!compatible.type) {
    // No DW_AT_type (DWARF < 3 style): an int of the enum's size, signed if any value is negative.
    const char* name = size == 8 ? (any_negative ? "long" : "unsigned long")
                       : size == 2 ? (any_negative ? "short" : "unsigned short")
                       : size == 1 ? (any_negative ? "signed char" : "unsigned char")
                       : (any_negative ? "int" : "unsigned int");
    compatible = {arena_.int_type(name, size, any_negative), 0};
  }
  return arena_.make_enum(tag, compatible, std::move(enumerators), true);
}

const Type* DwarfTypeTranslator::translate_array(Dwarf_Die* die, int depth) {
  // Each DW_TAG_subrange_type child is one dimension, outermost first: int a[2][3] has
  // subranges 2 then 3, i.e. array of 2 (array of 3 int).
  std::vector<std::optional<uint64_t>> dims;
  Dwarf_Die child;
  if (dwarf_child(die, &child) == 0) {
    do {
      int t = dwarf_tag(&child);
      if (t != DW_TAG_subrange_type && t != DW_TAG_enumeration_type) continue;
      dims.push_back(subrange_length(&child));
      if (dims.size() > 64) fail(die, "array with too many dimensions");
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  if (dims.empty()) dims.push_back(std::nullopt);
  QualifiedType elem = type_attr(die, depth);
  const Type* t = nullptr;
  for (size_t i = dims.size(); i-- > 0;) {
    t = arena_.array_of(elem, dims[i]);
    elem = {t, 0};
  }
  return t;
}

const Type* DwarfTypeTranslator::translate_function(Dwarf_Die* die) {
  std::vector<TypeParameter> params;
  bool variadic = false;
  Dwarf_Die child;
  if (dwarf_child(die, &child) == 0) {
    do {
      int t = dwarf_tag(&child);
      if (t == DW_TAG_formal_parameter) {
        TypeParameter p;
        p.name = die_name(&child);
        p.type = lazy_type_attr(&child);
        params.push_back(std::move(p));
      } else if (t == DW_TAG_unspecified_parameters) {
        variadic = true;
      }
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  return arena_.make_function(lazy_type_attr(die), std::move(params), variadic);
}

}  // namespace kdive
