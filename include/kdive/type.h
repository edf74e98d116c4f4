// The C type model: kinds, qualifiers, members (with bit fields), enumerators and
// parameters. Types are owned and interned by a TypeArena (one per program) and are
// immutable once made, so `const Type*` is a stable handle; member, element and target
// types are LazyType so that translating a struct from DWARF does not translate the
// whole graph reachable from it.
//
//   TypeArena arena;
//   const Type* i = arena.int_type("int", 4, true);
//   QualifiedType p{arena.pointer_to({i, kQualConst}, 8)};   // const int *
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace kdive {

enum class TypeKind : uint8_t {
  Void,
  Int,      // includes char types
  Bool,
  Float,
  Struct,
  Union,
  Class,
  Enum,
  Typedef,
  Pointer,
  Array,
  Function,
};

const char* type_kind_name(TypeKind kind);

enum Qualifier : uint8_t {
  kQualNone = 0,
  kQualConst = 1,
  kQualVolatile = 2,
  kQualRestrict = 4,
  kQualAtomic = 8,
};

class Type;
struct MemberIndex;

struct QualifiedType {
  const Type* type = nullptr;
  uint8_t qualifiers = kQualNone;

  bool operator==(const QualifiedType&) const = default;
};

// A type reference resolved on first use (from a thunk, e.g. "translate DIE 0x1234"),
// then cached. Thread-compatible: resolve from one thread at a time.
class LazyType {
 public:
  using Thunk = std::function<QualifiedType()>;
  LazyType() = default;
  LazyType(QualifiedType resolved) : resolved_(resolved), done_(true) {}  // NOLINT: implicit
  explicit LazyType(Thunk thunk) : thunk_(std::move(thunk)) {}

  QualifiedType get() const;
  bool is_resolved() const { return done_; }

 private:
  mutable Thunk thunk_;
  mutable QualifiedType resolved_;
  mutable bool done_ = false;
};

struct TypeMember {
  std::string name;          // empty for an anonymous struct/union member
  LazyType type;
  uint64_t bit_offset = 0;   // from the start of the enclosing type
  uint64_t bit_field_size = 0;  // 0 when not a bit field
};

struct TypeEnumerator {
  std::string name;
  uint64_t value = 0;  // interpret as signed when the enum's compatible type is signed
};

struct TypeParameter {
  std::string name;  // may be empty
  LazyType type;
};

// One C type. Which fields mean something depends on kind():
//   Int/Bool/Float: name, size, is_signed (Int)
//   Struct/Union/Class: tag (name, may be empty), size, members, is_complete
//   Enum: tag, compatible type in target(), enumerators, is_complete
//   Typedef: name, target()
//   Pointer: size, target() is the pointee
//   Array: target() is the element, length (nullopt = incomplete / flexible)
//   Function: target() is the return type, parameters, is_variadic
class Type {
 public:
  Type() = default;
  ~Type();
  Type(const Type&) = delete;
  Type& operator=(const Type&) = delete;

  TypeKind kind() const { return kind_; }
  const std::string& name() const { return name_; }
  // Bytes; for typedefs that of the target, for arrays element size × length (0 when
  // incomplete), 0 for void and functions.
  uint64_t size() const;
  bool is_signed() const { return is_signed_; }
  bool is_complete() const { return is_complete_; }
  bool is_variadic() const { return is_variadic_; }
  bool little_endian() const { return little_endian_; }
  const std::optional<uint64_t>& length() const { return length_; }
  QualifiedType target() const { return target_.get(); }
  const std::vector<TypeMember>& members() const { return members_; }
  const std::vector<TypeEnumerator>& enumerators() const { return enumerators_; }
  const std::vector<TypeParameter>& parameters() const { return parameters_; }

  bool is_integer() const { return kind_ == TypeKind::Int || kind_ == TypeKind::Bool; }
  bool is_compound() const {
    return kind_ == TypeKind::Struct || kind_ == TypeKind::Union || kind_ == TypeKind::Class;
  }
  bool has_tag() const { return is_compound() || kind_ == TypeKind::Enum; }

 private:
  friend class TypeArena;
  TypeKind kind_ = TypeKind::Void;
  std::string name_;
  uint64_t size_ = 0;
  bool is_signed_ = false;
  bool is_complete_ = true;
  bool is_variadic_ = false;
  bool little_endian_ = true;
  std::optional<uint64_t> length_;
  LazyType target_;
  std::vector<TypeMember> members_;
  std::vector<TypeEnumerator> enumerators_;
  std::vector<TypeParameter> parameters_;
  // Names → members (through anonymous members) of a compound type with many members,
  // built on the first lookup by name (type_layout.cpp): a Python loop reading
  // `task.pid` should not compare 250 member names each time. Set once by CAS.
  friend const MemberIndex* member_index_of(const Type* compound);
  mutable std::atomic<const MemberIndex*> member_index_{nullptr};
};

// Follows typedefs to the underlying type, accumulating qualifiers.
QualifiedType underlying_type(QualifiedType t);

// Owns every Type of a program. Derived types (pointers, arrays) and primitive types
// are interned, so asking twice gives the same pointer; compound, enum, typedef and
// function types are made by the debug-info translator and interned by its own key.
class TypeArena {
 public:
  TypeArena() = default;
  TypeArena(const TypeArena&) = delete;
  TypeArena& operator=(const TypeArena&) = delete;

  const Type* void_type();
  const Type* int_type(const std::string& name, uint64_t size, bool is_signed);
  const Type* bool_type(const std::string& name, uint64_t size);
  const Type* float_type(const std::string& name, uint64_t size);
  const Type* pointer_to(QualifiedType target, uint64_t size = 8);
  const Type* array_of(QualifiedType element, std::optional<uint64_t> length);

  // Builders for the debug-info translator (and tests). The returned type is complete
  // and owned by the arena; it is not interned.
  const Type* make_compound(TypeKind kind, std::string tag, uint64_t size,
                            std::vector<TypeMember> members, bool is_complete = true);
  const Type* make_enum(std::string tag, QualifiedType compatible,
                        std::vector<TypeEnumerator> enumerators, bool is_complete = true);
  const Type* make_typedef(std::string name, LazyType target);
  const Type* make_function(LazyType return_type, std::vector<TypeParameter> parameters,
                            bool is_variadic);
  const Type* make_pointer_lazy(LazyType target, uint64_t size = 8);
  const Type* make_array_lazy(LazyType element, std::optional<uint64_t> length);

  size_t size() const { return types_.size(); }

 private:
  Type* new_type(TypeKind kind);

  std::mutex mutex_;
  std::deque<std::unique_ptr<Type>> types_;
  const Type* void_ = nullptr;
  std::map<std::tuple<int, std::string, uint64_t, bool>, const Type*> primitives_;
  std::map<std::pair<const Type*, uint8_t>, const Type*> pointers_;
  std::map<std::tuple<const Type*, uint8_t, bool, uint64_t>, const Type*> arrays_;
};

}  // namespace kdive
