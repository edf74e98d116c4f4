// The expression evaluator (evaluator.h): a walk over the tree (its height is bounded by
// the parser) that maps each node onto the Object operations of object/. Integer
// literal typing follows C11 6.4.4.1 with the environment's primitive sizes.
#include "lang/evaluator.h"

#include <array>

#include <fmt/format.h>

#include "kdive/error.h"
#include "lang/parser.h"
#include "object/object_operators.h"
#include "types/type_layout.h"

namespace kdive {

namespace {

TypeKind kind_of(QualifiedType t) {
  const Type* u = underlying_type(t).type;
  return u ? u->kind() : TypeKind::Void;
}

}  // namespace

Object decay(const Object& obj) {
  if (!obj.is_reference() || !obj.env().types) return obj;
  QualifiedType u = obj.underlying();
  if (!u.type) return obj;
  const ObjectEnv& env = obj.env();
  if (u.type->kind() == TypeKind::Array) {
    const Type* ptr = env.types->pointer_to(u.type->target(), env.pointer_size);
    return Object::unsigned_value(env, {ptr, 0}, obj.address());
  }
  if (u.type->kind() == TypeKind::Function) {
    const Type* ptr = env.types->pointer_to(obj.type(), env.pointer_size);
    return Object::unsigned_value(env, {ptr, 0}, obj.address());
  }
  return obj;
}

Evaluator::Evaluator(EvalEnvironment& env, const BuiltinRegistry& builtins)
    : env_(env), builtins_(builtins) {}

ExprPtr Evaluator::parse(std::string_view text) {
  TypeNameParser types(*env_.object_env().types, env_.type_finder());
  return parse_expression(text, types);
}

Value Evaluator::evaluate(std::string_view text) {
  ExprPtr e = parse(text);
  Value v = evaluate(*e);
  variables_.insert_or_assign("$_", v);
  return v;
}

Value Evaluator::evaluate(const Expr& expr) { return eval(expr); }

const Value* Evaluator::variable(std::string_view name) const {
  auto it = variables_.find(name);
  return it == variables_.end() ? nullptr : &it->second;
}

void Evaluator::set_variable(const std::string& name, Value value) {
  variables_.insert_or_assign(name, std::move(value));
}

Object Evaluator::int_value(int64_t v) {
  const ObjectEnv& oe = env_.object_env();
  return Object::signed_value(oe, {oe.prim.int_type, 0}, v);
}

Object Evaluator::size_value(uint64_t size) {
  const ObjectEnv& oe = env_.object_env();
  const Type* t = oe.prim.size_t_type ? oe.prim.size_t_type : oe.prim.unsigned_long_type;
  return Object::unsigned_value(oe, {t, 0}, size);
}

// C11 6.4.4.1p5: the first type of the literal's list in which its value fits. Decimal
// literals without 'u' stay signed; one that fits no signed type becomes unsigned long
// long (as GCC does, with a warning) rather than an error.
Object Evaluator::int_literal(const Expr& e) {
  const ObjectEnv& oe = env_.object_env();
  const CPrimitiveTypes& p = oe.prim;
  struct Candidate {
    const Type* type = nullptr;
    bool is_signed = false;
  };
  std::array<Candidate, 7> list;
  size_t n = 0;
  auto add = [&](const Type* s, const Type* u) {
    if (!e.int_unsigned) list[n++] = {s, true};
    if (e.int_unsigned || !e.int_decimal) list[n++] = {u, false};
  };
  if (e.int_longs == 0) add(p.int_type, p.unsigned_int_type);
  if (e.int_longs <= 1) add(p.long_type, p.unsigned_long_type);
  add(p.long_long_type, p.unsigned_long_long_type);
  list[n++] = {p.unsigned_long_long_type, false};
  for (size_t i = 0; i < n; ++i) {
    const Candidate& c = list[i];
    uint64_t bits = c.type->size() * 8;
    uint64_t max = bits >= 64 ? UINT64_MAX : (uint64_t(1) << bits) - 1;
    if (c.is_signed) max >>= 1;
    if (e.int_value <= max) {
      return c.is_signed ? Object::signed_value(oe, {c.type, 0}, int64_t(e.int_value))
                         : Object::unsigned_value(oe, {c.type, 0}, e.int_value);
    }
  }
  return Object::unsigned_value(oe, {p.unsigned_long_long_type, 0}, e.int_value);
}

Object Evaluator::eval_object(const Expr& e) { return eval(e).object(); }

Object Evaluator::eval_rvalue(const Expr& e) { return decay(eval_object(e)); }

Value Evaluator::call(const Expr& e) {
  std::vector<Value> args;
  args.reserve(e.children.size());
  for (const auto& a : e.children) args.push_back(eval(*a));
  BuiltinContext ctx{env_, e.name, e.column};
  return builtins_.call(ctx, args);
}

// C11 6.5.15p5: arithmetic operands of ?: are converted to their common type. The
// common type is found by adding zeros of the two types, which applies the usual
// arithmetic conversions of binary_op().
Value Evaluator::conditional(const Expr& e) {
  bool cond = eval_rvalue(e.child(0)).truthy();
  const Expr& chosen = e.child(cond ? 1 : 2);
  const Expr& other = e.child(cond ? 2 : 1);
  Value v = eval(chosen);
  if (!v.is_object()) return v;
  Object value = decay(v.object());
  if (!is_arithmetic_type(value.type())) return v;
  std::optional<QualifiedType> other_type = static_type(other);
  if (!other_type || !is_arithmetic_type(*other_type)) return v;
  const ObjectEnv& oe = env_.object_env();
  QualifiedType common = binary_op(BinaryOp::Add, Object::signed_value(oe, value.type(), 0),
                                   Object::signed_value(oe, *other_type, 0))
                             .type();
  return cast(common, value);
}

// The type `e` would evaluate to, found without reading memory or evaluating
// sub-expressions with effects; nullopt where that would need real evaluation.
std::optional<QualifiedType> Evaluator::static_type(const Expr& e) {
  if (e.height > kMaxExpressionDepth) return std::nullopt;
  const ObjectEnv& oe = env_.object_env();
  auto target_of = [](std::optional<QualifiedType> t) -> std::optional<QualifiedType> {
    if (!t) return std::nullopt;
    QualifiedType u = underlying_type(*t);
    if (!u.type || (u.type->kind() != TypeKind::Pointer && u.type->kind() != TypeKind::Array)) {
      return std::nullopt;
    }
    return u.type->target();
  };
  try {
    switch (e.kind) {
      case ExprKind::IntLiteral: return int_literal(e).type();
      case ExprKind::CharLiteral: return QualifiedType{oe.prim.int_type, 0};
      case ExprKind::FloatLiteral:
        return QualifiedType{e.float_single ? oe.prim.float_type : oe.prim.double_type, 0};
      case ExprKind::Identifier: {
        std::optional<Object> o = env_.find_object(e.name);
        if (!o) return std::nullopt;
        return o->type();
      }
      case ExprKind::Variable: {
        const Value* v = variable(e.name);
        if (!v || !v->is_object()) return std::nullopt;
        return v->object().type();
      }
      case ExprKind::Cast: return e.type;
      case ExprKind::SizeofType:
      case ExprKind::SizeofExpr:
      case ExprKind::AlignofType:
      case ExprKind::Offsetof: return size_value(0).type();
      case ExprKind::Member:
      case ExprKind::Arrow: {
        std::optional<QualifiedType> t = static_type(e.child(0));
        if (!t) return std::nullopt;
        QualifiedType u = underlying_type(*t);
        if (u.type && u.type->kind() == TypeKind::Pointer) t = u.type->target();
        std::optional<FoundMember> m = find_member(*t, e.name);
        if (!m) return std::nullopt;
        return m->type;
      }
      case ExprKind::Subscript: return target_of(static_type(e.child(0)));
      case ExprKind::Dereference: return target_of(static_type(e.child(0)));
      default: return std::nullopt;
    }
  } catch (const Error&) {
    return std::nullopt;
  }
}

Value Evaluator::eval(const Expr& e) {
  const ObjectEnv& oe = env_.object_env();
  switch (e.kind) {
    case ExprKind::IntLiteral:
      return int_literal(e);
    case ExprKind::CharLiteral:
      return int_value(int64_t(e.int_value));
    case ExprKind::FloatLiteral:
      return Object::float_value(oe, {e.float_single ? oe.prim.float_type : oe.prim.double_type, 0},
                                 e.float_value);
    case ExprKind::StringLiteral: {
      // A char array holding the bytes and the terminating NUL, as C's string literal.
      std::vector<uint8_t> bytes(e.name.begin(), e.name.end());
      bytes.push_back(0);
      const Type* arr = oe.types->array_of({oe.prim.char_type, 0}, bytes.size());
      return Object::from_bytes(oe, {arr, 0}, bytes.data(), bytes.size());
    }
    case ExprKind::Identifier: {
      std::optional<Object> o = env_.find_object(e.name);
      if (!o) throw LookupError(fmt::format("could not find '{}'", e.name));
      return *o;
    }
    case ExprKind::Variable: {
      if (const Value* v = variable(e.name)) return *v;
      if (builtins_.find(e.name)) return call(e);
      throw LookupError(fmt::format("could not find variable '{}'", e.name));
    }
    case ExprKind::Member: {
      Value v = eval(e.child(0));
      if (!v.is_object()) return v.extension().member(e.name);
      const Object& o = v.object();
      if (kind_of(o.type()) == TypeKind::Pointer) return o.member_dereference(e.name);
      return o.member(e.name);
    }
    case ExprKind::Arrow:
      return eval_object(e.child(0)).member_dereference(e.name);
    case ExprKind::Subscript: {
      Value base = eval(e.child(0));
      Object index = eval_rvalue(e.child(1));
      if (!base.is_object()) {
        if (!is_integer_like_type(index.type())) throw TypeError("subscript is not an integer");
        return base.extension().subscript(index.as_signed());
      }
      Object array = base.object();
      // C allows index[array]: the operands of [] commute.
      TypeKind k = kind_of(array.type());
      if (k != TypeKind::Array && k != TypeKind::Pointer && is_integer_like_type(array.type())) {
        TypeKind ik = kind_of(index.type());
        if (ik == TypeKind::Pointer) std::swap(array, index);
      }
      if (!is_integer_like_type(index.type())) throw TypeError("subscript is not an integer");
      return array.subscript(index.as_signed());
    }
    case ExprKind::Call:
      return call(e);
    case ExprKind::Unary:
      return unary_op(e.unary_op, eval_rvalue(e.child(0)));
    case ExprKind::Dereference:
      return eval_rvalue(e.child(0)).dereference();
    case ExprKind::AddressOf:
      return eval_object(e.child(0)).address_of();
    case ExprKind::Cast:
      return cast(e.type, eval_rvalue(e.child(0)));
    case ExprKind::SizeofType:
      return size_value(type_sizeof(e.type));
    case ExprKind::SizeofExpr: {
      // C does not evaluate sizeof's operand: use its static type when it is known.
      if (std::optional<QualifiedType> t = static_type(e.child(0))) return size_value(type_sizeof(*t));
      Object o = eval_object(e.child(0));
      if (o.is_bit_field()) throw TypeError("cannot apply sizeof to a bit field");
      return size_value(type_sizeof(o.type()));
    }
    case ExprKind::AlignofType:
      return size_value(type_alignof(e.type));
    case ExprKind::Offsetof:
      return size_value(offset_of(e.type, e.name));
    case ExprKind::ContainerOf:
      return container_of(eval_rvalue(e.child(0)), e.type, e.name);
    case ExprKind::Binary:
      return binary_op(e.binary_op, eval_rvalue(e.child(0)), eval_rvalue(e.child(1)));
    case ExprKind::LogicalAnd:
    case ExprKind::LogicalOr: {
      bool lhs = eval_rvalue(e.child(0)).truthy();
      bool is_and = e.kind == ExprKind::LogicalAnd;
      if (lhs != is_and) return int_value(lhs ? 1 : 0);  // short circuit
      return int_value(eval_rvalue(e.child(1)).truthy() ? 1 : 0);
    }
    case ExprKind::Conditional:
      return conditional(e);
    case ExprKind::Assign: {
      Value v = eval(e.child(0));
      if (e.has_compound_op) {
        const Value* cur = variable(e.name);
        if (!cur) throw LookupError(fmt::format("could not find variable '{}'", e.name));
        v = binary_op(e.binary_op, decay(cur->object()), decay(v.object()));
      }
      set_variable(e.name, v);
      return v;
    }
    case ExprKind::Increment: {
      const Value* cur = variable(e.name);
      if (!cur) throw LookupError(fmt::format("could not find variable '{}'", e.name));
      Object old = decay(cur->object());
      Object updated = binary_op(BinaryOp::Add, old, int_value(e.delta));
      set_variable(e.name, updated);
      return e.prefix ? updated : old.read();
    }
  }
  throw TypeError("unknown expression");
}

}  // namespace kdive
