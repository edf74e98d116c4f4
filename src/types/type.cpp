// TypeArena and LazyType: ownership and interning of the C type model
// (include/kdive/type.h).
#include "kdive/type.h"
#include "types/type_layout.h"

namespace kdive {

const char* type_kind_name(TypeKind kind) {
  switch (kind) {
    case TypeKind::Void: return "void";
    case TypeKind::Int: return "int";
    case TypeKind::Bool: return "bool";
    case TypeKind::Float: return "float";
    case TypeKind::Struct: return "struct";
    case TypeKind::Union: return "union";
    case TypeKind::Class: return "class";
    case TypeKind::Enum: return "enum";
    case TypeKind::Typedef: return "typedef";
    case TypeKind::Pointer: return "pointer";
    case TypeKind::Array: return "array";
    case TypeKind::Function: return "function";
  }
  return "?";
}

QualifiedType LazyType::get() const {
  if (!done_) {
    resolved_ = thunk_ ? thunk_() : QualifiedType{};
    thunk_ = nullptr;
    done_ = true;
  }
  return resolved_;
}

Type::~Type() { delete member_index_.load(std::memory_order_relaxed); }

uint64_t Type::size() const {
  if (kind_ == TypeKind::Typedef) {
    const Type* u = underlying_type({this, 0}).type;
    return u && u != this ? u->size() : 0;
  }
  if (kind_ == TypeKind::Array && size_ == 0 && length_ && *length_) {
    const Type* e = target().type;
    uint64_t total = 0;
    // Saturates: a bound from corrupt DWARF must not wrap to a small size.
    if (e && __builtin_mul_overflow(e->size(), *length_, &total)) return UINT64_MAX;
    return total;
  }
  return size_;
}

QualifiedType underlying_type(QualifiedType t) {
  // Bounded: a typedef cycle can only come from corrupt debug info.
  for (int depth = 0; t.type && t.type->kind() == TypeKind::Typedef && depth < 1000; ++depth) {
    QualifiedType next = t.type->target();
    next.qualifiers |= t.qualifiers;
    t = next;
  }
  return t;
}

Type* TypeArena::new_type(TypeKind kind) {
  types_.push_back(std::make_unique<Type>());
  Type* t = types_.back().get();
  t->kind_ = kind;
  return t;
}

const Type* TypeArena::void_type() {
  std::lock_guard lock(mutex_);
  if (!void_) {
    Type* t = new_type(TypeKind::Void);
    t->name_ = "void";
    t->is_complete_ = false;
    void_ = t;
  }
  return void_;
}

const Type* TypeArena::int_type(const std::string& name, uint64_t size, bool is_signed) {
  std::lock_guard lock(mutex_);
  auto key = std::make_tuple(int(TypeKind::Int), name, size, is_signed);
  auto [it, inserted] = primitives_.try_emplace(key, nullptr);
  if (inserted) {
    Type* t = new_type(TypeKind::Int);
    t->name_ = name;
    t->size_ = size;
    t->is_signed_ = is_signed;
    it->second = t;
  }
  return it->second;
}

const Type* TypeArena::bool_type(const std::string& name, uint64_t size) {
  std::lock_guard lock(mutex_);
  auto key = std::make_tuple(int(TypeKind::Bool), name, size, false);
  auto [it, inserted] = primitives_.try_emplace(key, nullptr);
  if (inserted) {
    Type* t = new_type(TypeKind::Bool);
    t->name_ = name;
    t->size_ = size;
    it->second = t;
  }
  return it->second;
}

const Type* TypeArena::float_type(const std::string& name, uint64_t size) {
  std::lock_guard lock(mutex_);
  auto key = std::make_tuple(int(TypeKind::Float), name, size, true);
  auto [it, inserted] = primitives_.try_emplace(key, nullptr);
  if (inserted) {
    Type* t = new_type(TypeKind::Float);
    t->name_ = name;
    t->size_ = size;
    t->is_signed_ = true;
    it->second = t;
  }
  return it->second;
}

const Type* TypeArena::pointer_to(QualifiedType target, uint64_t size) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = pointers_.try_emplace({target.type, target.qualifiers}, nullptr);
  if (inserted) {
    Type* t = new_type(TypeKind::Pointer);
    t->size_ = size;
    t->target_ = LazyType(target);
    it->second = t;
  }
  return it->second;
}

const Type* TypeArena::array_of(QualifiedType element, std::optional<uint64_t> length) {
  std::lock_guard lock(mutex_);
  auto key = std::make_tuple(element.type, element.qualifiers, length.has_value(), length.value_or(0));
  auto [it, inserted] = arrays_.try_emplace(key, nullptr);
  if (inserted) {
    Type* t = new_type(TypeKind::Array);
    t->target_ = LazyType(element);
    t->length_ = length;
    t->is_complete_ = length.has_value();
    it->second = t;
  }
  return it->second;
}

const Type* TypeArena::make_compound(TypeKind kind, std::string tag, uint64_t size,
                                     std::vector<TypeMember> members, bool is_complete) {
  std::lock_guard lock(mutex_);
  Type* t = new_type(kind);
  t->name_ = std::move(tag);
  t->size_ = size;
  t->members_ = std::move(members);
  t->is_complete_ = is_complete;
  return t;
}

const Type* TypeArena::make_enum(std::string tag, QualifiedType compatible,
                                 std::vector<TypeEnumerator> enumerators, bool is_complete) {
  std::lock_guard lock(mutex_);
  Type* t = new_type(TypeKind::Enum);
  t->name_ = std::move(tag);
  t->target_ = LazyType(compatible);
  t->size_ = compatible.type ? compatible.type->size() : 0;
  t->is_signed_ = compatible.type && compatible.type->is_signed();
  t->enumerators_ = std::move(enumerators);
  t->is_complete_ = is_complete;
  return t;
}

const Type* TypeArena::make_typedef(std::string name, LazyType target) {
  std::lock_guard lock(mutex_);
  Type* t = new_type(TypeKind::Typedef);
  t->name_ = std::move(name);
  t->target_ = std::move(target);
  return t;
}

const Type* TypeArena::make_function(LazyType return_type, std::vector<TypeParameter> parameters,
                                     bool is_variadic) {
  std::lock_guard lock(mutex_);
  Type* t = new_type(TypeKind::Function);
  t->target_ = std::move(return_type);
  t->parameters_ = std::move(parameters);
  t->is_variadic_ = is_variadic;
  t->is_complete_ = false;
  return t;
}

const Type* TypeArena::make_pointer_lazy(LazyType target, uint64_t size) {
  std::lock_guard lock(mutex_);
  Type* t = new_type(TypeKind::Pointer);
  t->size_ = size;
  t->target_ = std::move(target);
  return t;
}

const Type* TypeArena::make_array_lazy(LazyType element, std::optional<uint64_t> length) {
  std::lock_guard lock(mutex_);
  Type* t = new_type(TypeKind::Array);
  t->target_ = std::move(element);
  t->length_ = length;
  t->is_complete_ = length.has_value();
  return t;
}

}  // namespace kdive
