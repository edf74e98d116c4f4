// LayoutModel implementation. DIE offsets follow DWARF 5 §5.7.6 (DW_AT_data_member_location
// as a constant or a DW_OP_plus_uconst expression, DW_AT_data_bit_offset) and DWARF 2/3's
// DW_AT_bit_offset (from the storage unit's most significant bit); a Type's members are
// placed as pahole's btf_loader.c places BTF members (class__fixup_btf_bitfields) and
// given the alignments it infers. The hole, padding and packed rules, common to both,
// reproduce what pahole 1.24 reports, learnt from its output and source.
#include "layout/layout_model.h"

#include <dwarf.h>

#include <algorithm>

#include "debuginfo/dwarf_constant.h"
#include "kdive/error.h"

namespace kdive {

namespace {
constexpr int kMaxDepth = 512;  // deeper type nesting than this only comes from corrupt data
constexpr uint32_t kCachelineSize = 64;  // pahole's default, and x86-64's

// A member location: a constant, or the usual one-operation expression.
uint64_t location_value(Dwarf_Attribute* attr) {
  if (auto c = read_dwarf_constant(attr)) return c->is_negative() ? 0 : c->bits;
  Dwarf_Op* ops = nullptr;
  size_t n = 0;
  if (dwarf_getlocation(attr, &ops, &n) != 0 || n == 0) return 0;
  if (ops[0].atom == DW_OP_plus_uconst || ops[0].atom == DW_OP_constu) return ops[0].number;
  return 0;
}

bool is_struct_tag(int tag) { return tag == DW_TAG_structure_type || tag == DW_TAG_class_type; }

// pahole's class__infer_alignment (btf_loader.c): an alignment a member (at
// `byte_offset`, the previous one ending at `smallest_offset`) or a struct (at its size)
// must have had to sit where it does. The power of 2 above the gap (sic: a gap of 8
// gives 16), if more than natural, raised to a cacheline when the offset is on one.
// Arithmetic as pahole's: the gap is unsigned (a union's members overlap: it wraps),
// and the shift is done in int, whose count x86 takes modulo 32 (a gap of 2^31 or
// more gives 1, then no alignment).
uint32_t infer_alignment(uint32_t byte_offset, uint64_t natural_alignment, uint32_t smallest_offset) {
  uint32_t alignment = 0;
  uint32_t delta = byte_offset - smallest_offset;
  if (delta != 0 && byte_offset % 2 == 0) {
    unsigned shift = (32u - static_cast<unsigned>(__builtin_clz(delta))) % 32u;
    alignment = static_cast<uint32_t>(1u << shift);
  }
  if (alignment <= natural_alignment || alignment == 1) return 0;
  if (alignment < kCachelineSize && kCachelineSize % alignment == 0 && byte_offset % kCachelineSize == 0)
    return kCachelineSize;
  return alignment;
}
}  // namespace

bool LayoutClass::is_struct() const { return is_struct_tag(tag); }
bool LayoutClass::is_union() const { return tag == DW_TAG_union_type; }

void LayoutModel::fail(const LayoutType& type, const char* what) const {
  if (type.is_die()) throw BadDataError(file_, std::string(".debug_info: ") + what, type.id());
  throw BadDataError(file_ + ": " + what + " at " + type.describe());
}

uint64_t LayoutModel::type_size(const std::optional<LayoutType>& type) {
  std::optional<LayoutType> t = type;
  uint64_t multiplier = 1;
  for (int i = 0; t; ++i) {
    if (i > kMaxDepth) fail(*t, "type chain too deep");
    switch (t->tag()) {
      case DW_TAG_pointer_type: case DW_TAG_reference_type: case DW_TAG_rvalue_reference_type:
        return multiplier * address_size_;
      case DW_TAG_base_type:
        return multiplier * t->byte_size();
      case DW_TAG_enumeration_type: {
        uint64_t s = t->byte_size();
        return multiplier * (s ? s : 4);
      }
      case DW_TAG_structure_type: case DW_TAG_class_type: case DW_TAG_union_type: {
        uint64_t s = t->byte_size();
        // pahole treats an empty one-byte aggregate as zero-sized (C++'s empty base).
        if (s == 1 && t->member_count() == 0) return 0;
        return multiplier * s;
      }
      case DW_TAG_array_type: {
        uint64_t n = 1;
        for (uint32_t d : t->array_dimensions()) n *= d;
        multiplier *= n;
        break;
      }
      default: break;
    }
    std::optional<LayoutType> next = t->target();
    if (!next) return multiplier * t->byte_size();
    t = next;
  }
  return 0;
}

uint64_t LayoutModel::natural_alignment(const std::optional<LayoutType>& type) {
  if (!type) return 1;
  uint64_t a = 1;
  switch (type->tag()) {
    case DW_TAG_pointer_type: a = address_size_; break;
    case DW_TAG_base_type: a = type->byte_size(); break;
    case DW_TAG_enumeration_type: {
      uint64_t s = type->byte_size();
      a = s ? s : 4;
      break;
    }
    case DW_TAG_structure_type: case DW_TAG_class_type: case DW_TAG_union_type:
      a = compound_natural_alignment(compound(*type));
      break;
    case DW_TAG_array_type: {
      if (++depth_ > kMaxDepth) fail(*type, "array nesting too deep");
      std::optional<LayoutType> elem = strip_typedefs_and_modifiers(type->target());
      a = elem ? natural_alignment(elem) : 1;
      --depth_;
      break;
    }
    default: break;
  }
  return a ? a : 1;
}

uint16_t LayoutModel::compound_natural_alignment(LayoutClass& c) {
  if (c.natural_alignment != 0) return c.natural_alignment;
  if (++depth_ > kMaxDepth) fail(c.node, "type nesting too deep");
  for (LayoutMember& m : c.members) {
    if (m.is_static) continue;
    std::optional<LayoutType> t = strip_typedefs_and_modifiers(m.type);
    if (!t) continue;
    uint64_t a = natural_alignment(t);
    if (c.natural_alignment < a) c.natural_alignment = static_cast<uint16_t>(a);
  }
  --depth_;
  return c.natural_alignment;
}

LayoutClass& LayoutModel::compound(const LayoutType& type) {
  uint64_t key = type.id();
  auto it = classes_.find(key);
  if (it != classes_.end()) return *it->second;

  int tag = type.tag();
  if (!is_struct_tag(tag) && tag != DW_TAG_union_type) fail(type, "not a struct or union");
  if (++depth_ > kMaxDepth) fail(type, "type nesting too deep");
  auto c = std::make_unique<LayoutClass>(type);
  c->tag = tag;
  c->name = type.name();
  c->size = static_cast<uint32_t>(type.byte_size());
  c->alignment = type.alignment();
  if (type.is_die()) {
    read_dwarf_members(*c);
  } else {
    read_type_members(*c);
  }
  --depth_;
  LayoutClass& ref = *c;
  classes_.emplace(key, std::move(c));
  return ref;
}

void LayoutModel::read_dwarf_members(LayoutClass& c) {
  bool in_union = c.tag == DW_TAG_union_type;
  Dwarf_Die d = c.node.die(), child;
  if (dwarf_child(&d, &child) != 0) return;
  do {
    if (dwarf_tag(&child) != DW_TAG_member) continue;
    LayoutType node(child);
    LayoutMember m;
    m.name = node.name();
    m.type = node.target();
    m.alignment = node.alignment();
    m.bitfield_size = static_cast<uint8_t>(node.dwarf_unsigned(DW_AT_bit_size));
    uint64_t declared_byte_size = node.byte_size();
    Dwarf_Attribute a;
    bool has_bit_offset = dwarf_attr(&child, DW_AT_data_bit_offset, &a) != nullptr;
    if (has_bit_offset) {
      m.bit_offset = static_cast<uint32_t>(location_value(&a));
    } else {
      if (dwarf_attr(&child, DW_AT_data_member_location, &a)) {
        m.byte_offset = static_cast<uint32_t>(location_value(&a));
      } else {
        m.is_static = !in_union;
      }
      m.bit_offset = m.byte_offset * 8;
      m.bitfield_offset = static_cast<int8_t>(node.dwarf_unsigned(DW_AT_bit_offset));
    }

    if (m.is_static) {
      // Static members have no size in pahole's accounting.
    } else if (m.bitfield_size == 0) {
      m.byte_size = declared_byte_size ? declared_byte_size : type_size(m.type);
      m.bit_size = static_cast<uint32_t>(m.byte_size * 8);
    } else {
      m.byte_size = declared_byte_size;
      if (m.byte_size == 0) m.byte_size = type_size(strip_typedefs_and_modifiers(m.type));
      m.bit_size = static_cast<uint32_t>(m.byte_size * 8);
      if (m.byte_size == 0) {
        m.bitfield_offset = 0;
      } else {
        if (!has_bit_offset) {
          // DW_AT_bit_offset counts from the most significant bit (little endian).
          m.bitfield_offset = static_cast<int8_t>(static_cast<int>(m.bit_size) - m.bitfield_offset -
                                                  m.bitfield_size);
          m.bit_offset = m.byte_offset * 8 + m.bitfield_offset;
        } else {
          m.byte_offset = m.bit_offset / 8;
          m.bitfield_offset = static_cast<int8_t>(m.bit_offset - m.byte_offset * 8);
        }
        if (m.bitfield_offset < 0) {
          m.bitfield_offset = static_cast<int8_t>(m.bitfield_offset + m.bit_size);
          m.byte_offset -= static_cast<uint32_t>(m.byte_size);
          m.bit_offset = m.byte_offset * 8 + m.bitfield_offset;
        }
        // Move the field onto its storage unit, aligned to the unit's size.
        m.bitfield_offset = static_cast<int8_t>(m.bitfield_offset + (m.byte_offset % m.byte_size) * 8);
        m.byte_offset = m.bit_offset / m.bit_size * m.bit_size / 8;
        if (static_cast<uint32_t>(m.bitfield_offset) >= m.bit_size) {
          m.bitfield_offset = static_cast<int8_t>(m.bitfield_offset - m.bit_size);
          m.byte_offset += static_cast<uint32_t>(m.byte_size);
        }
      }
    }
    c.members.push_back(m);
    ++c.nr_members;
  } while (dwarf_siblingof(&child, &child) == 0);
}

void LayoutModel::read_type_members(LayoutClass& c) {
  // As btf_loader.c: a member's size is its stripped type's; a bit field of an integer
  // or enum sits in a storage unit of that size, aligned to it; members of zero size
  // (flexible arrays, empty structs) are skipped by the alignment inference.
  uint32_t smallest_offset = 0;
  for (const TypeMember& tm : c.node.type()->members()) {
    LayoutMember m;
    m.name = tm.name.empty() ? nullptr : tm.name.c_str();
    m.type = LayoutType::of(tm.type.get());
    m.bit_offset = static_cast<uint32_t>(tm.bit_offset);
    m.bitfield_size = static_cast<uint8_t>(tm.bit_field_size);
    m.byte_offset = m.bit_offset / 8;
    std::optional<LayoutType> t = strip_typedefs_and_modifiers(m.type);
    if (t) m.byte_size = type_size(t);
    m.bit_size = static_cast<uint32_t>(m.byte_size * 8);
    if (t && m.byte_size != 0) {
      int tag = t->tag();
      if (m.bitfield_size && (tag == DW_TAG_base_type || tag == DW_TAG_enumeration_type)) {
        m.byte_offset = m.bit_offset / m.bit_size * m.bit_size / 8;
        m.bitfield_offset = static_cast<int8_t>(m.bit_offset - m.byte_offset * 8);
      }
      m.alignment = infer_alignment(m.byte_offset, natural_alignment(t), smallest_offset);
      smallest_offset = m.byte_offset + static_cast<uint32_t>(m.byte_size);
    }
    c.members.push_back(m);
    ++c.nr_members;
  }
  c.alignment = infer_alignment(c.size, compound_natural_alignment(c), smallest_offset);
}

void LayoutModel::find_holes(LayoutClass& c) {
  if (!c.is_struct() || c.holes_searched) return;
  c.nr_holes = 0;
  c.nr_bit_holes = 0;
  uint32_t cur_bitfield_end = c.size * 8, cur_bitfield_size = 0;
  uint32_t last_seen_bit = 0;
  bool in_bitfield = false;
  LayoutMember* last = nullptr;
  for (LayoutMember& m : c.members) {
    if (m.is_static) continue;
    m.bit_hole = 0;
    m.hole = 0;
    uint32_t bit_start = m.bit_offset;
    uint32_t bit_end = m.bitfield_size ? bit_start + m.bitfield_size
                                       : bit_start + static_cast<uint32_t>(m.byte_size * 8);
    int bit_holes = 0, byte_holes = 0;
    if (in_bitfield) {
      // Bits left over at the end of the previous bit-field storage unit.
      uint32_t bitfield_end = std::min(bit_start, cur_bitfield_end);
      bit_holes = static_cast<int>(bitfield_end - last_seen_bit);
      last_seen_bit = bitfield_end;
    }
    if (m.bitfield_size) {
      uint32_t aligned_start = m.byte_offset * 8;
      if (last_seen_bit < aligned_start && aligned_start <= bit_start) {
        byte_holes = static_cast<int>(m.byte_offset - last_seen_bit / 8);
        last_seen_bit = aligned_start;
      }
      bit_holes += static_cast<int>(bit_start - last_seen_bit);
    } else {
      byte_holes = static_cast<int>(bit_start / 8 - last_seen_bit / 8);
    }
    last_seen_bit = bit_end;

    if (m.bitfield_size) {
      in_bitfield = true;
      if (bit_end > cur_bitfield_end || m.bit_size > cur_bitfield_size) {
        cur_bitfield_size = m.bit_size;
        cur_bitfield_end = m.byte_offset * 8 + cur_bitfield_size;
        // A field that borrowed bits of the previous unit ends in the next one.
        if (bit_end > cur_bitfield_end) cur_bitfield_end += cur_bitfield_size;
      }
    } else {
      in_bitfield = false;
      cur_bitfield_size = 0;
      cur_bitfield_end = bit_end;
    }

    if (last) {
      last->hole = static_cast<uint16_t>(byte_holes);
      last->bit_hole = static_cast<uint8_t>(bit_holes);
    } else {
      c.pre_hole = static_cast<uint16_t>(byte_holes);
      c.pre_bit_hole = static_cast<uint8_t>(bit_holes);
    }
    if (bit_holes) ++c.nr_bit_holes;
    if (byte_holes) ++c.nr_holes;
    last = &m;
  }
  if (in_bitfield) {
    uint32_t bitfield_end = std::min(c.size * 8, cur_bitfield_end);
    c.bit_padding = static_cast<uint8_t>(bitfield_end - last_seen_bit);
    last_seen_bit = bitfield_end;
  } else {
    c.bit_padding = 0;
  }
  c.padding = static_cast<uint16_t>(c.size - last_seen_bit / 8);
  c.holes_searched = true;
}

void LayoutModel::check_structs_at_unnatural_alignments(LayoutClass& c) {
  // A struct embedded at an offset its natural alignment forbids must be packed.
  for (LayoutMember& m : c.members) {
    std::optional<LayoutType> t = strip_typedefs_and_modifiers(m.type);
    if (!t || !is_struct_tag(t->tag())) continue;
    uint64_t a = natural_alignment(t);
    if (m.byte_offset % a != 0) {
      LayoutClass& inner = compound(*t);
      inner.is_packed = true;
      inner.packed_inferred = true;
    }
  }
}

bool LayoutModel::infer_packed(LayoutClass& c) {
  if (!c.is_struct()) return false;
  if (c.packed_inferred) return c.is_packed;
  find_holes(c);
  if (c.padding != 0 || c.nr_holes != 0) {
    check_structs_at_unnatural_alignments(c);
    c.is_packed = false;
    c.packed_inferred = true;
    return false;
  }
  uint64_t max_alignment = 1;
  for (LayoutMember& m : c.members) {
    if (m.is_static) continue;
    uint64_t a = natural_alignment(strip_typedefs_and_modifiers(m.type));
    if (a == 1) continue;
    max_alignment = std::max(max_alignment, a);
    if (m.byte_offset % a == 0) continue;
    c.is_packed = true;
    c.packed_inferred = true;
    return true;
  }
  if ((max_alignment != 1 && c.alignment == 1) || c.size % max_alignment != 0) c.is_packed = true;
  c.packed_inferred = true;
  return c.is_packed;
}

void LayoutModel::infer_union_packed(LayoutClass& c) {
  if (c.packed_inferred) return;
  // A struct whose alignment does not divide the union's size breaks arrays of the
  // union unless it is packed.
  for (LayoutMember& m : c.members) {
    std::optional<LayoutType> t = strip_typedefs_and_modifiers(m.type);
    if (!t || !is_struct_tag(t->tag())) continue;
    uint64_t a = natural_alignment(t);
    if (c.size % a != 0) {
      LayoutClass& inner = compound(*t);
      inner.is_packed = true;
      inner.packed_inferred = true;
    }
  }
  c.packed_inferred = true;
}

}  // namespace kdive
