// Layout queries on the C type model: sizeof, alignof (C's natural alignment computed
// from members, since DWARF does not record alignment), member lookup through anonymous
// members, offsetof with nested designators ("a.b[3].c"), and drgn's member_at_offset.
//
//   uint64_t bits = bit_offset_of({task_struct, 0}, "pi_lock.raw_lock.val");
//   std::string s = member_at_offset({task_struct, 0}, 0x6fc);
//   // "pi_lock.raw_lock.val.counter or pi_lock.raw_lock.locked or ..."
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "kdive/type.h"

namespace kdive {

// sizeof(type) in bytes; TypeError for void, functions and incomplete types
// ("cannot get size of incomplete struct type").
uint64_t type_sizeof(QualifiedType type);
// C's natural alignment (the largest member alignment; a scalar's own size capped at
// 16); TypeError for void, functions and incomplete types. Packed structs are not
// detectable from DWARF and get their natural alignment.
uint64_t type_alignof(QualifiedType type);
// True when sizeof is defined (not void, function or incomplete).
bool type_has_size(QualifiedType type);

// A member found by name, with the offset accumulated through anonymous members.
struct FoundMember {
  QualifiedType type;
  uint64_t bit_offset = 0;      // from the start of the searched type
  uint64_t bit_field_size = 0;  // 0 when not a bit field
};

// The members of a compound type by name, anonymous members' members included, each
// with the bit offset of the anonymous member holding it; the first in declaration
// order wins, as the linear search finds it. Owned by the Type (built lazily).
struct MemberIndex {
  struct Entry {
    const TypeMember* member;
    uint64_t base_bit_offset;
  };
  std::unordered_map<std::string_view, Entry> by_name;
};
// The index of `compound` (a struct/union/class), built on first use; nullptr for types
// small enough that a linear search is as fast.
const MemberIndex* member_index_of(const Type* compound);

// Member `name` of a struct/union/class type (typedefs followed), looking inside
// anonymous members. nullopt when absent; TypeError when `type` is not compound.
std::optional<FoundMember> find_member(QualifiedType type, std::string_view name);
// Same, but LookupError "'struct foo' has no member 'bar'" when absent.
FoundMember member_of(QualifiedType type, std::string_view name);

// Resolves a member designator: "a", "a.b", "a[3].c" (starting with a member name, as
// drgn), with whitespace allowed around tokens. Returns the designated member's type and offset.
// SyntaxError for a malformed designator, LookupError for a missing member, TypeError
// for indexing a non-array.
FoundMember resolve_designator(QualifiedType type, std::string_view designator);
// offsetof in bits (valid for bit fields).
uint64_t bit_offset_of(QualifiedType type, std::string_view designator);
// offsetof in bytes; TypeError "member is not byte-aligned" when the designated member
// does not start on a byte (a bit field), as drgn's offsetof().
uint64_t offset_of(QualifiedType type, std::string_view designator);

// drgn.helpers.common.type.member_at_offset(): the member(s) at byte `offset` of
// `type`, as drgn spells it ("a.b or c", "<padding>", "a+0x4", "<end>" ...).
std::string member_at_offset(QualifiedType type, uint64_t offset);

}  // namespace kdive
