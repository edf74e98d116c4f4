// C operator semantics on Objects: operand types (arrays and functions decay to
// pointers), integer promotions and the usual arithmetic conversions with drgn's
// handling of bit fields and non-standard integer types, pointer arithmetic, casts,
// reinterpret and container_of. Follows drgn 0.0.22 (libdrgn/language_c.c and
// object.c) so that results and error messages diff equal.
#include "object/object_operators.h"

#include <fmt/format.h>

#include <cmath>

#include "kdive/error.h"
#include "types/type_layout.h"
#include "types/type_printer.h"

namespace kdive {
namespace {

// The C standard integer types, identified from their DWARF names ("long unsigned
// int" is unsigned long). Rank is the integer conversion rank; -1 for a non-standard
// integer type (e.g. __int128) whose rank must be inferred from its size.
struct Primitive {
  int id = -1;    // distinct per standard type; -1 when not standard
  int rank = -1;
};

Primitive int_primitive(const Type* t) {
  if (!t) return {};
  if (t->kind() == TypeKind::Bool) return {0, 0};
  if (t->kind() != TypeKind::Int) return {};
  int n_unsigned = 0, n_signed = 0, n_long = 0, n_short = 0, n_int = 0, n_char = 0;
  const std::string& name = t->name();
  size_t i = 0;
  while (i < name.size()) {
    while (i < name.size() && name[i] == ' ') ++i;
    size_t j = i;
    while (j < name.size() && name[j] != ' ') ++j;
    std::string_view word(name.data() + i, j - i);
    if (word == "unsigned") ++n_unsigned;
    else if (word == "signed") ++n_signed;
    else if (word == "long") ++n_long;
    else if (word == "short") ++n_short;
    else if (word == "int") ++n_int;
    else if (word == "char") ++n_char;
    else if (!word.empty()) return {};
    i = j;
  }
  if (n_unsigned + n_signed > 1 || n_int > 1 || n_char > 1) return {};
  if (n_char) {
    if (n_long || n_short || n_int) return {};
    return {n_unsigned ? 3 : n_signed ? 2 : 1, 1};
  }
  int sign = n_unsigned ? 1 : 0;
  if (n_short == 1 && !n_long) return {4 + sign, 2};
  if (n_short) return {};
  if (n_long == 0) return (n_int || n_unsigned || n_signed) ? Primitive{6 + sign, 3} : Primitive{};
  if (n_long == 1) return {8 + sign, 4};
  if (n_long == 2) return {10 + sign, 5};
  return {};
}

// Float primitives for tie-breaking equal-sized floats: unknown > long double >
// double > float, as drgn.
int float_primitive(const Type* t) {
  const std::string& n = t->name();
  if (n == "float") return 1;
  if (n == "double") return 2;
  if (n == "long double") return 3;
  return 4;
}

struct Operand {
  QualifiedType type;         // possibly a typedef (kept in results, as GCC and drgn do)
  const Type* u = nullptr;    // underlying type
  uint64_t bit_field_size = 0;
};

const ObjectEnv& env_of(const Object& o) {
  if (!o.has_env()) throw TypeError("object has no program environment");
  return o.env();
}

Operand operand_type(const Object& obj) {
  const ObjectEnv& env = env_of(obj);
  Operand op;
  op.type = {obj.type().type, 0};
  op.u = underlying_type(op.type).type;
  op.bit_field_size = obj.bit_field_size();
  if (op.u && (op.u->kind() == TypeKind::Array || op.u->kind() == TypeKind::Function)) {
    if (!env.types) throw TypeError("no type arena to make a pointer type");
    QualifiedType target = op.u->kind() == TypeKind::Array ? op.u->target()
                                                           : QualifiedType{op.u, obj.type().qualifiers};
    op.type = {env.types->pointer_to(target, env.pointer_size), 0};
    op.u = op.type.type;
  }
  return op;
}

bool kind_is(const Type* u, std::initializer_list<TypeKind> kinds) {
  if (!u) return false;
  for (TypeKind k : kinds)
    if (u->kind() == k) return true;
  return false;
}
bool is_pointer(const Operand& t) { return kind_is(t.u, {TypeKind::Pointer}); }
bool is_integer(const Type* u) { return kind_is(u, {TypeKind::Int, TypeKind::Bool, TypeKind::Enum}); }
bool is_arithmetic(const Type* u) {
  return kind_is(u, {TypeKind::Int, TypeKind::Bool, TypeKind::Enum, TypeKind::Float});
}

uint64_t pointee_size(const Operand& t) {
  QualifiedType pointee = t.u->target();
  const Type* pu = underlying_type(pointee).type;
  if (!pu || pu->kind() == TypeKind::Void) return 1;  // GNU C: void * arithmetic in bytes
  return type_sizeof(pointee);
}

[[noreturn]] void binary_type_error(const char* op, const Operand& l, const Operand& r) {
  throw TypeError(fmt::format("invalid operands to {} ('{}' and '{}')", op, type_name(l.type),
                              type_name(r.type)));
}

uint64_t truncate_u(uint64_t v, uint64_t bits) {
  return bits >= 64 ? v : v & ((uint64_t(1) << bits) - 1);
}
int64_t truncate_s(uint64_t v, uint64_t bits) {
  if (bits >= 64) return static_cast<int64_t>(v);
  uint64_t shift = 64 - bits;
  return static_cast<int64_t>(v << shift) >> shift;
}

uint64_t operand_bits(const Operand& t) {
  return t.bit_field_size ? t.bit_field_size : type_sizeof({t.u, 0}) * 8;
}

bool can_represent_all(const Type* t1, uint64_t bfs1, const Type* t2, uint64_t bfs2) {
  auto width = [](const Type* t, uint64_t bfs) {
    return t->kind() == TypeKind::Bool ? uint64_t(1) : (bfs ? bfs : 8 * t->size());
  };
  auto sign = [](const Type* t) { return t->kind() != TypeKind::Bool && t->is_signed(); };
  uint64_t w1 = width(t1, bfs1), w2 = width(t2, bfs2);
  bool s1 = sign(t1), s2 = sign(t2);
  if (s1 == s2) return w1 >= w2;
  if (s1 && !s2) return w1 > w2;
  return false;
}

void integer_promotions(const ObjectEnv& env, Operand& t) {
  if (!t.u) return;
  if (t.u->kind() == TypeKind::Enum) {
    const Type* compat = t.u->target().type;
    if (!compat || !t.u->is_complete())
      throw TypeError("operand cannot have incomplete enum type");
    t.type = {compat, 0};
    t.u = underlying_type(t.type).type;
  }
  if (!kind_is(t.u, {TypeKind::Int, TypeKind::Bool})) return;
  const Type* int_t = env.prim.int_type;
  const Type* uint_t = env.prim.unsigned_int_type;
  Primitive p = int_primitive(t.u);
  if (p.rank < 0 || t.bit_field_size) {
    // Non-standard types and bit fields: promoted iff int or unsigned int can hold
    // every value; otherwise the width is kept (GCC's behaviour for wide bit fields).
    if (can_represent_all(int_t, 0, t.u, t.bit_field_size)) {
      t = {{int_t, 0}, int_t, 0};
    } else if (can_represent_all(uint_t, 0, t.u, t.bit_field_size)) {
      t = {{uint_t, 0}, uint_t, 0};
    }
    return;
  }
  if (p.rank >= 3) return;  // int, unsigned int and wider keep their type (and typedef)
  if (can_represent_all(int_t, 0, t.u, 0))
    t = {{int_t, 0}, int_t, 0};
  else
    t = {{uint_t, 0}, uint_t, 0};
}

const Type* corresponding_unsigned(const ObjectEnv& env, int rank) {
  switch (rank) {
    case 3: return env.prim.unsigned_int_type;
    case 4: return env.prim.unsigned_long_type;
    default: return env.prim.unsigned_long_long_type;
  }
}

Operand common_real_type(const ObjectEnv& env, Operand t1, Operand t2) {
  bool f1 = t1.u->kind() == TypeKind::Float, f2 = t2.u->kind() == TypeKind::Float;
  if (f1 && f2) {
    uint64_t s1 = t1.u->size(), s2 = t2.u->size();
    if (s1 > s2) return t1;
    if (s2 > s1) return t2;
    return float_primitive(t1.u) > float_primitive(t2.u) ? t1 : t2;
  }
  if (f1) return t1;
  if (f2) return t2;

  integer_promotions(env, t1);
  integer_promotions(env, t2);
  bool s1 = t1.u->is_signed() && t1.u->kind() != TypeKind::Bool;
  bool s2 = t2.u->is_signed() && t2.u->kind() != TypeKind::Bool;

  if (t1.bit_field_size || t2.bit_field_size) {
    // GCC uses the wider operand, or the unsigned one at equal width.
    uint64_t w1 = operand_bits(t1), w2 = operand_bits(t2);
    if (w1 < w2 || (w1 == w2 && (!s2 || s1))) return t2;
    return t1;
  }

  Primitive p1 = int_primitive(t1.u), p2 = int_primitive(t2.u);
  int rank_cmp;
  if (p1.id >= 0 && p2.id >= 0) {
    if (p1.id == p2.id) return t2;
    rank_cmp = p1.rank - p2.rank;
  } else {
    uint64_t z1 = t1.u->size(), z2 = t2.u->size();
    if (z1 == z2 && p1.id < 0 && p2.id < 0)
      rank_cmp = 0;
    else if ((z1 == z2 && p2.id >= 0) || z1 < z2)
      rank_cmp = -1;
    else
      rank_cmp = 1;
  }
  if (s1 == s2) return rank_cmp > 0 ? t1 : t2;
  if (!s1 && rank_cmp >= 0) return t1;
  if (!s2 && rank_cmp <= 0) return t2;
  if (s1 && can_represent_all(t1.u, 0, t2.u, 0)) return t1;
  if (s2 && can_represent_all(t2.u, 0, t1.u, 0)) return t2;
  const Type* u = corresponding_unsigned(env, s1 ? p1.rank : p2.rank);
  return {{u, 0}, u, 0};
}

// Value conversions (drgn_object_convert_*): the object's value converted to an
// integer of `bits` bits or to double.
int64_t convert_signed(const Object& o, uint64_t bits) {
  Object v = o.read();
  switch (v.encoding()) {
    case ValueEncoding::Signed:
    case ValueEncoding::Unsigned:
      return truncate_s(v.as_unsigned(), bits);
    case ValueEncoding::Float:
      return truncate_s(static_cast<uint64_t>(v.as_signed()), bits);
    default:
      throw TypeError("object cannot be converted to integer");
  }
}
uint64_t convert_unsigned(const Object& o, uint64_t bits) {
  Object v = o.read();
  switch (v.encoding()) {
    case ValueEncoding::Signed:
    case ValueEncoding::Unsigned:
    case ValueEncoding::Float:
      return truncate_u(v.as_unsigned(), bits);
    default:
      throw TypeError("object cannot be converted to integer");
  }
}
double convert_float(const Object& o) {
  Object v = o.read();
  switch (v.encoding()) {
    case ValueEncoding::Signed:
    case ValueEncoding::Unsigned:
    case ValueEncoding::Float:
      return v.as_double();
    default:
      throw TypeError("object cannot be converted to floating-point");
  }
}

uint64_t pointer_operand(const Object& p) {
  switch (p.encoding()) {
    case ValueEncoding::Unsigned:
      return p.as_unsigned();
    case ValueEncoding::Buffer:
    case ValueEncoding::None:
    case ValueEncoding::Incomplete:
      if (p.is_absent()) throw TypeError("object absent");
      if (p.is_value()) throw TypeError("cannot get address of value");
      return p.address();
    default:
      throw TypeError("invalid operand type for pointer arithmetic");
  }
}

Object make_result(const ObjectEnv& env, const Operand& t, uint64_t value) {
  return Object::unsigned_value(env, t.type, value, t.bit_field_size);
}

ValueEncoding result_encoding(const Operand& t) { return value_encoding(t.type); }

Object add_to_pointer(const ObjectEnv& env, const Operand& pt, uint64_t elem_size, bool negate,
                      const Object& ptr, const Object& index) {
  uint64_t p = pointer_operand(ptr);
  Object iv = index.read();
  uint64_t n;
  if (iv.encoding() == ValueEncoding::Signed) {
    int64_t s = iv.as_signed();
    if (s >= 0) {
      n = static_cast<uint64_t>(s);
    } else {
      n = -static_cast<uint64_t>(s);
      negate = !negate;
    }
  } else if (iv.encoding() == ValueEncoding::Unsigned) {
    n = iv.as_unsigned();
  } else {
    throw TypeError("invalid addend type for pointer arithmetic");
  }
  p = negate ? p - n * elem_size : p + n * elem_size;
  return make_result(env, pt, p);
}

// + - * / % & | ^ on a common arithmetic type.
Object arithmetic(const ObjectEnv& env, BinaryOp op, const Operand& t, const Object& l,
                  const Object& r) {
  ValueEncoding enc = result_encoding(t);
  if (enc == ValueEncoding::Float) {
    double a = convert_float(l), b = convert_float(r), v = 0;
    switch (op) {
      case BinaryOp::Add: v = a + b; break;
      case BinaryOp::Sub: v = a - b; break;
      case BinaryOp::Mul: v = a * b; break;
      case BinaryOp::Div:
        if (b == 0) throw ZeroDivisionError("division by zero");
        v = a / b;
        break;
      default: throw TypeError("invalid result type");
    }
    return Object::float_value(env, t.type, v);
  }
  uint64_t bits = operand_bits(t);
  if (enc == ValueEncoding::Signed) {
    int64_t a = convert_signed(l, bits), b = convert_signed(r, bits);
    uint64_t ua = static_cast<uint64_t>(a), ub = static_cast<uint64_t>(b), v = 0;
    switch (op) {
      case BinaryOp::Add: v = ua + ub; break;
      case BinaryOp::Sub: v = ua - ub; break;
      case BinaryOp::Mul: v = ua * ub; break;  // two's complement, as drgn's sign/magnitude
      case BinaryOp::Div:
        if (b == 0) throw ZeroDivisionError("division by zero");
        v = (a == INT64_MIN && b == -1) ? ua : static_cast<uint64_t>(a / b);
        break;
      case BinaryOp::Mod:
        if (b == 0) throw ZeroDivisionError("division by zero");
        v = (b == -1) ? 0 : static_cast<uint64_t>(a % b);
        break;
      case BinaryOp::BitAnd: v = ua & ub; break;
      case BinaryOp::BitOr: v = ua | ub; break;
      case BinaryOp::BitXor: v = ua ^ ub; break;
      default: throw TypeError("invalid result type");
    }
    return make_result(env, t, v);
  }
  if (enc == ValueEncoding::Unsigned) {
    uint64_t a = convert_unsigned(l, bits), b = convert_unsigned(r, bits), v = 0;
    switch (op) {
      case BinaryOp::Add: v = a + b; break;
      case BinaryOp::Sub: v = a - b; break;
      case BinaryOp::Mul: v = a * b; break;
      case BinaryOp::Div:
        if (b == 0) throw ZeroDivisionError("division by zero");
        v = a / b;
        break;
      case BinaryOp::Mod:
        if (b == 0) throw ZeroDivisionError("division by zero");
        v = a % b;
        break;
      case BinaryOp::BitAnd: v = a & b; break;
      case BinaryOp::BitOr: v = a | b; break;
      case BinaryOp::BitXor: v = a ^ b; break;
      default: throw TypeError("invalid result type");
    }
    return make_result(env, t, v);
  }
  throw TypeError("invalid result type");
}

Object int_result(const ObjectEnv& env, bool v) {
  return Object::signed_value(env, {env.prim.int_type, 0}, v ? 1 : 0);
}

Object shift(const ObjectEnv& env, BinaryOp op, const Object& l, const Object& r) {
  Operand lt = operand_type(l), rt = operand_type(r);
  if (!is_integer(lt.u) || !is_integer(rt.u))
    binary_type_error(op == BinaryOp::LShift ? "binary <<" : "binary >>", lt, rt);
  integer_promotions(env, lt);
  integer_promotions(env, rt);
  uint64_t count;
  if (result_encoding(rt) == ValueEncoding::Signed) {
    int64_t s = convert_signed(r, operand_bits(rt));
    if (s < 0) throw TypeError("negative shift count");
    count = static_cast<uint64_t>(s);
  } else {
    count = convert_unsigned(r, operand_bits(rt));
  }
  uint64_t bits = operand_bits(lt);
  if (result_encoding(lt) == ValueEncoding::Signed) {
    int64_t v = convert_signed(l, bits);
    if (op == BinaryOp::LShift)
      v = count < bits ? static_cast<int64_t>(static_cast<uint64_t>(v) << count) : 0;
    else
      v = count < bits ? (v >> count) : (v < 0 ? -1 : 0);
    return make_result(env, lt, static_cast<uint64_t>(v));
  }
  uint64_t v = convert_unsigned(l, bits);
  if (op == BinaryOp::LShift)
    v = count < bits ? v << count : 0;
  else
    v = count < bits ? v >> count : 0;
  return make_result(env, lt, v);
}

}  // namespace

const char* binary_op_spelling(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "+";
    case BinaryOp::Sub: return "-";
    case BinaryOp::Mul: return "*";
    case BinaryOp::Div: return "/";
    case BinaryOp::Mod: return "%";
    case BinaryOp::LShift: return "<<";
    case BinaryOp::RShift: return ">>";
    case BinaryOp::BitAnd: return "&";
    case BinaryOp::BitOr: return "|";
    case BinaryOp::BitXor: return "^";
    case BinaryOp::Lt: return "<";
    case BinaryOp::Gt: return ">";
    case BinaryOp::Le: return "<=";
    case BinaryOp::Ge: return ">=";
    case BinaryOp::Eq: return "==";
    case BinaryOp::Ne: return "!=";
    case BinaryOp::LogicalAnd: return "&&";
    case BinaryOp::LogicalOr: return "||";
  }
  return "?";
}

const char* unary_op_spelling(UnaryOp op) {
  switch (op) {
    case UnaryOp::Plus: return "+";
    case UnaryOp::Minus: return "-";
    case UnaryOp::BitNot: return "~";
    case UnaryOp::LogicalNot: return "!";
  }
  return "?";
}

bool is_scalar_type(QualifiedType t) {
  return kind_is(underlying_type(t).type, {TypeKind::Int, TypeKind::Bool, TypeKind::Enum,
                                           TypeKind::Float, TypeKind::Pointer});
}
bool is_arithmetic_type(QualifiedType t) { return is_arithmetic(underlying_type(t).type); }
bool is_integer_like_type(QualifiedType t) { return is_integer(underlying_type(t).type); }

QualifiedType promoted_type(const Object& obj) {
  Operand t = operand_type(obj);
  integer_promotions(env_of(obj), t);
  return t.type;
}

int compare_objects(const Object& lhs, const Object& rhs) {
  const ObjectEnv& env = env_of(lhs);
  Operand lt = operand_type(lhs), rt = operand_type(rhs);
  auto cmp = [](auto a, auto b) { return a > b ? 1 : a < b ? -1 : 0; };
  if (is_pointer(lt) && is_pointer(rt)) return cmp(pointer_operand(lhs), pointer_operand(rhs));
  // A pointer against an integer (`p == 0`, the null pointer constant, and drgn's more
  // general rule): the integer is taken as an address.
  if (is_pointer(lt) && is_integer(rt.u)) return cmp(pointer_operand(lhs), rhs.read().as_unsigned());
  if (is_integer(lt.u) && is_pointer(rt)) return cmp(lhs.read().as_unsigned(), pointer_operand(rhs));
  if (is_pointer(lt) || is_pointer(rt) || !is_arithmetic(lt.u) || !is_arithmetic(rt.u))
    binary_type_error("comparison", lt, rt);
  Operand t = common_real_type(env, lt, rt);
  switch (result_encoding(t)) {
    case ValueEncoding::Signed: {
      uint64_t bits = operand_bits(t);
      return cmp(convert_signed(lhs, bits), convert_signed(rhs, bits));
    }
    case ValueEncoding::Unsigned: {
      uint64_t bits = operand_bits(t);
      return cmp(convert_unsigned(lhs, bits), convert_unsigned(rhs, bits));
    }
    case ValueEncoding::Float:
      return cmp(convert_float(lhs), convert_float(rhs));
    default:
      throw TypeError("invalid operand type for cmp");
  }
}

Object binary_op(BinaryOp op, const Object& lhs, const Object& rhs) {
  const ObjectEnv& env = env_of(lhs);
  switch (op) {
    case BinaryOp::Lt: return int_result(env, compare_objects(lhs, rhs) < 0);
    case BinaryOp::Gt: return int_result(env, compare_objects(lhs, rhs) > 0);
    case BinaryOp::Le: return int_result(env, compare_objects(lhs, rhs) <= 0);
    case BinaryOp::Ge: return int_result(env, compare_objects(lhs, rhs) >= 0);
    case BinaryOp::Eq: return int_result(env, compare_objects(lhs, rhs) == 0);
    case BinaryOp::Ne: return int_result(env, compare_objects(lhs, rhs) != 0);
    case BinaryOp::LogicalAnd: return int_result(env, lhs.truthy() && rhs.truthy());
    case BinaryOp::LogicalOr: return int_result(env, lhs.truthy() || rhs.truthy());
    case BinaryOp::LShift:
    case BinaryOp::RShift:
      return shift(env, op, lhs, rhs);
    default:
      break;
  }

  Operand lt = operand_type(lhs), rt = operand_type(rhs);
  if (op == BinaryOp::Add) {
    if (is_pointer(lt)) {
      if (!is_integer(rt.u)) binary_type_error("binary +", lt, rt);
      return add_to_pointer(env, lt, pointee_size(lt), false, lhs, rhs);
    }
    if (is_pointer(rt)) {
      if (!is_integer(lt.u)) binary_type_error("binary +", lt, rt);
      return add_to_pointer(env, rt, pointee_size(rt), false, rhs, lhs);
    }
  } else if (op == BinaryOp::Sub) {
    if (is_pointer(lt) && is_pointer(rt)) {
      uint64_t ls = pointee_size(lt), rs = pointee_size(rt);
      const Type* lp = lt.u->target().type;
      const Type* rp = rt.u->target().type;
      // drgn only checks that the pointees are of the same kind and size.
      if (!lp || !rp || lp->kind() != rp->kind() || ls != rs) binary_type_error("binary -", lt, rt);
      if (!ls) throw TypeError("object size must not be zero");
      const Type* pd = env.prim.ptrdiff_t_type;
      uint64_t a = pointer_operand(lhs), b = pointer_operand(rhs);
      int64_t diff = a >= b ? static_cast<int64_t>((a - b) / ls)
                            : -static_cast<int64_t>((b - a) / ls);
      return Object::signed_value(env, {pd, 0}, diff);
    }
    if (is_pointer(lt)) {
      if (!is_integer(rt.u)) binary_type_error("binary -", lt, rt);
      return add_to_pointer(env, lt, pointee_size(lt), true, lhs, rhs);
    }
  }

  bool integer_only = op == BinaryOp::Mod || op == BinaryOp::BitAnd || op == BinaryOp::BitOr ||
                      op == BinaryOp::BitXor;
  bool ok = integer_only ? (is_integer(lt.u) && is_integer(rt.u))
                         : (is_arithmetic(lt.u) && is_arithmetic(rt.u));
  if (!ok) binary_type_error(fmt::format("binary {}", binary_op_spelling(op)).c_str(), lt, rt);
  Operand t = common_real_type(env, lt, rt);
  return arithmetic(env, op, t, lhs, rhs);
}

Object unary_op(UnaryOp op, const Object& operand) {
  const ObjectEnv& env = env_of(operand);
  if (op == UnaryOp::LogicalNot) return int_result(env, !operand.truthy());
  Operand t = operand_type(operand);
  bool ok = op == UnaryOp::BitNot ? is_integer(t.u) : is_arithmetic(t.u);
  if (!ok)
    throw TypeError(fmt::format("invalid operand to unary {} ('{}')", unary_op_spelling(op),
                                type_name(t.type)));
  integer_promotions(env, t);
  ValueEncoding enc = result_encoding(t);
  if (enc == ValueEncoding::Float) {
    double v = convert_float(operand);
    return Object::float_value(env, t.type, op == UnaryOp::Minus ? -v : v);
  }
  uint64_t bits = operand_bits(t);
  uint64_t v = enc == ValueEncoding::Signed ? static_cast<uint64_t>(convert_signed(operand, bits))
                                            : convert_unsigned(operand, bits);
  if (op == UnaryOp::Minus) v = -v;
  if (op == UnaryOp::BitNot) v = ~v;
  return make_result(env, t, v);
}

Object cast(QualifiedType type, const Object& obj) {
  const ObjectEnv& env = env_of(obj);
  Operand from = operand_type(obj);
  auto convert_error = [&]() -> TypeError {
    return TypeError(fmt::format("cannot convert '{}' to '{}'", type_name(from.type), type_name(type)));
  };
  ValueEncoding enc = value_encoding(type);
  try {
    switch (enc) {
      case ValueEncoding::Buffer:
        throw TypeError(fmt::format("cannot cast to '{}'", type_name(type)));
      case ValueEncoding::Signed:
      case ValueEncoding::Unsigned: {
        if (is_pointer(from)) return Object::unsigned_value(env, type, pointer_operand(obj));
        uint64_t bits = type_sizeof(type) * 8;
        if (enc == ValueEncoding::Signed)
          return Object::signed_value(env, type, convert_signed(obj, bits));
        return Object::unsigned_value(env, type, convert_unsigned(obj, bits));
      }
      case ValueEncoding::Float:
        if (is_pointer(from)) throw convert_error();
        return Object::float_value(env, type, convert_float(obj));
      case ValueEncoding::None:
      case ValueEncoding::Incomplete: {
        std::string what;
        switch (underlying_type(type).type->kind()) {
          case TypeKind::Void: what = "void"; break;
          case TypeKind::Function: what = "function"; break;
          case TypeKind::Struct: what = "incomplete structure"; break;
          case TypeKind::Union: what = "incomplete union"; break;
          case TypeKind::Class: what = "incomplete class"; break;
          case TypeKind::Enum: what = "incomplete enumerated"; break;
          default: what = "incomplete array"; break;
        }
        throw TypeError(fmt::format("cannot cast to {} type", what));
      }
    }
  } catch (const TypeError& e) {
    std::string what = e.what();
    // drgn turns type errors from the conversion itself into "cannot convert".
    if (what.rfind("cannot cast to", 0) == 0 || what.rfind("cannot convert", 0) == 0 ||
        what == "object absent")
      throw;
    throw convert_error();
  }
  throw convert_error();
}

Object reinterpret(QualifiedType type, const Object& obj) {
  const ObjectEnv& env = env_of(obj);
  switch (obj.kind()) {
    case ObjectKind::Value:
      if (obj.encoding() == ValueEncoding::Buffer) return obj.slice(type, 0);
      // A scalar value: its bytes in the program's representation, read as `type`
      // (drgn 0.2.0; slice() raises "out of bounds of value" when `type` is larger).
      {
        std::vector<uint8_t> bytes = obj.bytes();
        QualifiedType as_bytes =
            env.types ? QualifiedType{env.types->array_of({env.types->int_type("unsigned char", 1, false), 0}, bytes.size()), 0}
                                           : QualifiedType{};
        if (!as_bytes.type) throw TypeError("cannot reinterpret primitive value");
        return Object::from_bytes(env, as_bytes, bytes.data(), bytes.size()).slice(type, 0);
      }
    case ObjectKind::Reference:
      return Object::reference(env, type, obj.address(), obj.bit_offset());
    case ObjectKind::Absent:
      break;
  }
  throw TypeError("object absent");
}

Object container_of(const Object& ptr, QualifiedType type, std::string_view member_designator) {
  const ObjectEnv& env = env_of(ptr);
  const Type* u = ptr.underlying().type;
  if (!u || u->kind() != TypeKind::Pointer)
    throw TypeError(fmt::format("container_of() argument must be a pointer, not '{}'",
                                type_name({ptr.type().type, 0})));
  uint64_t offset = offset_of(type, member_designator);
  uint64_t address = ptr.as_unsigned();
  if (!env.types) throw TypeError("no type arena to make a pointer type");
  const Type* result = env.types->pointer_to(type, env.pointer_size);
  return Object::unsigned_value(env, {result, 0}, address - offset);
}

}  // namespace kdive
