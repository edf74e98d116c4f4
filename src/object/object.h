// Object: a typed value, a reference to target memory (address + bit offset, optional
// bit-field size), or absent (optimized out, with the reason). Using an absent object's
// value throws TypeError "object absent" (error.h has no ObjectAbsent kind). The model of drgn's
// drgn_object. Taking a member, subscript or dereference of a reference reads no
// memory; memory is read when a value is asked for (read(), as_*(), formatting).
//
//   ObjectEnv env = ObjectEnv::lp64(&memory, &arena);
//   Object task = Object::reference(env, {task_struct, 0}, 0xffff888000fd6000);
//   Object pid = task.member("pid");          // still a reference, nothing read
//   int64_t v = pid.as_signed();              // reads 4 bytes (FaultError if unmapped)
//   Object comm = task.member("comm");        // format_object(comm) == "(char [16])\"...\""
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kdive/type.h"
#include "object/object_env.h"

namespace kdive {

enum class ObjectKind : uint8_t { Value, Reference, Absent };

// How a value's bits are held, chosen from the type (as drgn's object encodings):
//   Signed   - signed integers and enums with a signed compatible type (<= 8 bytes)
//   Unsigned - unsigned integers, bool, pointers, unsigned enums (<= 8 bytes)
//   Float    - float/double (held as double; long double is a Buffer)
//   Buffer   - structs, unions, classes, arrays, and integers wider than 8 bytes
//   None     - void and function types (never a value)
//   Incomplete - incomplete struct/union/array/enum (only a reference or absent)
enum class ValueEncoding : uint8_t { Signed, Unsigned, Float, Buffer, None, Incomplete };

// The encoding of values of type `t` (typedefs followed).
ValueEncoding value_encoding(QualifiedType t);

class Object {
 public:
  // Absent object of type void, no environment (a default-constructed placeholder).
  // Every Object keeps a pointer to its ObjectEnv: the env must outlive its objects.
  Object() = default;

  // --- constructors -------------------------------------------------------------
  static Object reference(const ObjectEnv& env, QualifiedType type, uint64_t address,
                          uint64_t bit_offset = 0, uint64_t bit_field_size = 0);
  static Object absent(const ObjectEnv& env, QualifiedType type, std::string reason = {},
                       uint64_t bit_field_size = 0);
  // Integer, bool, enum or pointer value (truncated / sign-extended to the type's size or
  // bit-field size). For a float type, the integer is converted as C does.
  static Object signed_value(const ObjectEnv& env, QualifiedType type, int64_t value,
                             uint64_t bit_field_size = 0);
  static Object unsigned_value(const ObjectEnv& env, QualifiedType type, uint64_t value,
                               uint64_t bit_field_size = 0);
  // Float value (rounded to float for a 4-byte type). For an integer type it converts.
  static Object float_value(const ObjectEnv& env, QualifiedType type, double value);
  // A value of any type from its target-memory bytes, starting `bit_offset` bits into
  // `bytes` (members of a value are made this way). Throws TypeError for void/function.
  static Object from_bytes(const ObjectEnv& env, QualifiedType type,
                           const uint8_t* bytes, size_t size, uint64_t bit_offset = 0,
                           uint64_t bit_field_size = 0);

  // --- inspection (no memory read) ---------------------------------------------
  ObjectKind kind() const { return kind_; }
  bool is_value() const { return kind_ == ObjectKind::Value; }
  bool is_reference() const { return kind_ == ObjectKind::Reference; }
  bool is_absent() const { return kind_ == ObjectKind::Absent; }
  QualifiedType type() const { return type_; }
  // The type with typedefs followed (qualifiers accumulated).
  QualifiedType underlying() const { return underlying_type(type_); }
  ValueEncoding encoding() const { return encoding_; }
  const ObjectEnv& env() const { return *env_; }
  bool has_env() const { return env_ != nullptr; }
  // Reference only (TypeError otherwise): the byte address and bit offset within it.
  uint64_t address() const;
  uint64_t bit_offset() const { return bit_offset_; }
  uint64_t bit_field_size() const { return bit_field_size_; }
  bool is_bit_field() const { return bit_field_size_ != 0; }
  const std::string& absent_reason() const { return absent_reason_; }
  // Size in bits of the object's value: the bit-field size, or 8 × sizeof(type).
  uint64_t bit_size() const;

  // --- values (may read memory; FaultError, or TypeError for absent objects) ------
  // This object as a value: a reference is read; a value is returned as is.
  Object read() const;
  int64_t as_signed() const;     // Signed/Unsigned encodings (and floats, truncated)
  uint64_t as_unsigned() const;  // Signed/Unsigned encodings (and floats, truncated)
  double as_double() const;      // any scalar
  // The value's bytes as in target memory (for a bit field: the bits shifted down to
  // bit 0, ceil(bits/8) bytes).
  std::vector<uint8_t> bytes() const;
  // C truthiness: a nonzero scalar; arrays are true. TypeError "cannot convert 'T' to
  // bool" for structs and unions (as drgn).
  bool truthy() const;
  // The NUL-terminated string an object of pointer or array type points to / holds,
  // at most `limit` bytes (arrays: at most their length).
  std::string read_c_string(size_t limit = SIZE_MAX) const;

  // --- access (lazy on references) --------------------------------------------
  // `.name`, through anonymous members. LookupError "'struct foo' has no member 'bar'";
  // TypeError "'int' is not a structure, union, or class".
  Object member(std::string_view name) const;
  // `->name` (pointer to struct/union; reads the pointer value).
  Object member_dereference(std::string_view name) const;
  // `[index]` on arrays (a reference stays a reference) and pointers (reads the pointer).
  Object subscript(int64_t index) const;
  // `*ptr` (reference to the pointee; reads only the pointer).
  Object dereference() const;
  // `&obj` of a reference (TypeError for values, absent objects and bit fields).
  Object address_of() const;
  // The sub-object of type `type` starting `bit_offset` bits into this one (how members
  // and elements are made): a reference for a reference, a value cut from a compound
  // value. TypeError "not a buffer object" for scalars, "object absent" for absent.
  Object slice(QualifiedType type, uint64_t bit_offset, uint64_t bit_field_size = 0) const;
  // True when the value is all zero (a compound: every member; floats: == 0.0).
  // Reads memory for references.
  bool is_zero() const;

 private:
  const ObjectEnv* env_ = nullptr;
  QualifiedType type_;
  ObjectKind kind_ = ObjectKind::Absent;
  ValueEncoding encoding_ = ValueEncoding::None;
  uint64_t address_ = 0;         // Reference
  uint64_t bit_offset_ = 0;      // Reference: 0..7
  uint64_t bit_field_size_ = 0;  // 0: not a bit field
  union {
    int64_t svalue_;
    uint64_t uvalue_ = 0;
    double fvalue_;
  };
  std::vector<uint8_t> buffer_;  // Buffer values: sizeof(type) bytes, target order
  std::string absent_reason_;

  Object(const ObjectEnv& env, QualifiedType type, ObjectKind kind);
  bool is_zero_impl(int depth) const;
};

// The bytes at `address` up to a NUL (not included) or `limit` bytes, read a page at a
// time; FaultError for an unreadable byte before the end (Object::read_c_string and
// drgn's Program.read_c_string).
std::string read_c_string(const MemoryReader& memory, uint64_t address, size_t limit,
                          AddressSpace space = AddressSpace::Virtual);

}  // namespace kdive
