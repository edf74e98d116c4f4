// BtfRecords: the raw records of one BTF blob (the kernel's .BTF, or a module's split
// BTF on top of a base), validated once at parse time so that reading them later can
// only fail through the checked cursor. Format: the kernel's Documentation/bpf/btf.rst
// and include/uapi/linux/btf.h; the type model on top of it is debuginfo/btf_types.h.
//
//   BtfRecords r = BtfRecords::parse(std::move(blob), "vmlinux", nullptr);
//   BtfTypeRecord t = r.record(42);   // kind, name offset, vlen, size or type id
//   for (const BtfMember& m : r.members(t)) r.name(m.name_off);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_cursor.h"

namespace kdive {

// BTF_KIND_* of include/uapi/linux/btf.h.
enum class BtfKind : uint8_t {
  Unknown = 0,
  Int = 1,
  Ptr = 2,
  Array = 3,
  Struct = 4,
  Union = 5,
  Enum = 6,
  Fwd = 7,
  Typedef = 8,
  Volatile = 9,
  Const = 10,
  Restrict = 11,
  Func = 12,
  FuncProto = 13,
  Var = 14,
  Datasec = 15,
  Float = 16,
  DeclTag = 17,
  TypeTag = 18,
  Enum64 = 19,
};
const char* btf_kind_name(BtfKind kind);  // "STRUCT", "FUNC_PROTO", ...

// struct btf_type: the 12 bytes common to every record. `size_or_type` is a size for
// INT, ENUM, ENUM64, STRUCT, UNION, FLOAT and DATASEC, a type id for the others.
struct BtfTypeRecord {
  uint32_t name_off = 0;
  BtfKind kind = BtfKind::Unknown;
  bool kind_flag = false;  // info bit 31
  uint16_t vlen = 0;       // info bits 0-15
  uint32_t size_or_type = 0;
  uint32_t offset = 0;  // of the record in the blob (for error messages and reading on)
};

struct BtfMember {  // struct btf_member
  uint32_t name_off = 0;
  uint32_t type = 0;
  uint32_t offset = 0;  // kind_flag: bit-field size << 24 | bit offset; else bit offset
};
struct BtfEnumValue {  // struct btf_enum (val_hi32 = 0) or struct btf_enum64
  uint32_t name_off = 0;
  uint32_t val_lo32 = 0;
  uint32_t val_hi32 = 0;
};
struct BtfParam {  // struct btf_param
  uint32_t name_off = 0;
  uint32_t type = 0;
};
struct BtfArray {  // struct btf_array
  uint32_t type = 0;
  uint32_t index_type = 0;
  uint32_t nelems = 0;
};
struct BtfVarSecinfo {  // struct btf_var_secinfo
  uint32_t type = 0;
  uint32_t offset = 0;
  uint32_t size = 0;
};

// The INT record's trailing u32: BTF_INT_ENCODING (bits 24-27), BTF_INT_OFFSET (16-23),
// BTF_INT_BITS (0-7).
constexpr uint32_t kBtfIntSigned = 1, kBtfIntChar = 2, kBtfIntBool = 4;
struct BtfInt {
  uint32_t encoding = 0;
  uint32_t offset = 0;
  uint32_t bits = 0;
};

class BtfRecords {
 public:
  // Checks the header, the extent of every record, that every type id and string offset
  // is in range, that every reference of a type to a type names a type (not a FUNC, VAR,
  // DATASEC or DECL_TAG), and that typedef/qualifier/array chains end. Throws
  // BadDataError "<source>: BTF: <what> at offset <blob offset>". `base` (split BTF) must
  // outlive the result: ids continue base.type_count(), string offsets base.str_end().
  static BtfRecords parse(std::vector<uint8_t> blob, std::string source, const BtfRecords* base);

  BtfRecords(BtfRecords&&) = default;
  BtfRecords& operator=(BtfRecords&&) = delete;

  const std::string& source() const { return source_; }
  const BtfRecords* base() const { return base_; }
  bool little_endian() const { return little_endian_; }
  // Ids [first_id(), type_count()) are this blob's; below are the base's (0 is void).
  uint32_t first_id() const { return first_id_; }
  uint32_t type_count() const { return first_id_ + static_cast<uint32_t>(offsets_.size()); }
  // String offsets below str_end() are this blob's or its base's.
  uint32_t str_end() const { return str_start_ + str_len_; }
  // Whether any ENUM/ENUM64 here or in the base has kind_flag set: then the producer
  // (pahole >= 1.24) records signedness, and kind_flag 0 means unsigned.
  bool knows_enum_signedness() const { return knows_enum_sign_; }

  // The record of an id of this blob or its base; id 0 (void) and ids out of range
  // throw BadDataError.
  BtfTypeRecord record(uint32_t id) const;
  // Its kind alone, without reading the record (Unknown for 0 and ids out of range).
  BtfKind kind_of(uint32_t id) const;
  // The records owning `id`: this blob or a base.
  const BtfRecords& owner(uint32_t id) const;
  // The string at `name_off` ("" for 0), from this blob or the base.
  std::string_view name(uint32_t name_off) const;

  // A record's trailing data; `r` must come from this blob's record().
  BtfInt int_data(const BtfTypeRecord& r) const;
  BtfArray array(const BtfTypeRecord& r) const;
  std::vector<BtfMember> members(const BtfTypeRecord& r) const;       // STRUCT, UNION
  std::vector<BtfEnumValue> enumerators(const BtfTypeRecord& r) const;  // ENUM, ENUM64
  std::vector<BtfParam> params(const BtfTypeRecord& r) const;          // FUNC_PROTO
  std::vector<BtfVarSecinfo> secinfos(const BtfTypeRecord& r) const;   // DATASEC

 private:
  BtfRecords() = default;
  ByteCursor cursor_at(uint32_t offset, const char* part) const;
  void read_header();
  void index_records();
  std::vector<uint32_t> check_references() const;
  void check_chains(const std::vector<uint32_t>& chain_next) const;
  void check_name(uint32_t name_off, uint32_t at) const;
  void check_type_ref(uint32_t id, uint32_t at, bool allow_void) const;
  [[noreturn]] void fail(const std::string& what, uint64_t offset) const;

  std::vector<uint8_t> blob_;
  std::string source_;
  const BtfRecords* base_ = nullptr;
  bool little_endian_ = true;
  bool knows_enum_sign_ = false;
  uint32_t first_id_ = 1;
  uint32_t types_begin_ = 0, types_end_ = 0;  // blob offsets of the type section
  uint32_t strs_begin_ = 0, str_len_ = 0;     // blob offset and length of the strings
  uint32_t str_start_ = 0;                    // string offset of this blob's first byte
  std::vector<uint32_t> offsets_;             // blob offset of each own record
  std::vector<BtfKind> kinds_;                // kind of each own record
};

}  // namespace kdive
