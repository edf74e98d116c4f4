// C semantics of the operators on Objects: integer promotions and the usual arithmetic
// conversions, pointer arithmetic and differences (in elements, as ptrdiff_t),
// comparisons, logical operators, casts, reinterpret and container_of. Errors are
// TypeError with drgn's messages (e.g. "invalid operands to binary + ('struct foo' and
// 'int')").
//
//   Object sum = binary_op(BinaryOp::Add, ptr, Object::signed_value(env, {prim.int_type}, 2));
//   Object task = container_of(entry_ptr, task_struct, "tasks");
#pragma once

#include <string_view>

#include "object/object.h"

namespace kdive {

enum class BinaryOp : uint8_t {
  Add, Sub, Mul, Div, Mod, LShift, RShift, BitAnd, BitOr, BitXor,
  Lt, Gt, Le, Ge, Eq, Ne,
  LogicalAnd, LogicalOr,
};
enum class UnaryOp : uint8_t { Plus, Minus, BitNot, LogicalNot };

// The C spelling of an operator ("+", "<<", "&&", "~").
const char* binary_op_spelling(BinaryOp op);
const char* unary_op_spelling(UnaryOp op);

// `lhs op rhs` with C semantics; results are values. Comparisons and logical operators
// give int 0/1. && and || evaluate both operands here (an evaluator wanting short
// circuit tests truthy() itself).
Object binary_op(BinaryOp op, const Object& lhs, const Object& rhs);
Object unary_op(UnaryOp op, const Object& operand);

// Three-way comparison after the usual arithmetic conversions (or of pointer values):
// -1, 0 or 1. TypeError for non-scalars.
int compare_objects(const Object& lhs, const Object& rhs);

// The type after integer promotions (for integer, bool, enum and bit-field objects);
// other types unchanged.
QualifiedType promoted_type(const Object& obj);

// `(type)obj` by C's rules: between arithmetic types, enums, bool, pointers and
// integers. As in drgn, casts to struct/union/array types ("cannot cast to 'struct
// foo'") and to void ("cannot cast to void type") are errors. Result is a value (a
// cast of a reference reads it).
Object cast(QualifiedType type, const Object& obj);
// Same bits, new type: a reference stays a reference at the same address; a value is
// reinterpreted from its bytes.
Object reinterpret(QualifiedType type, const Object& obj);
// The object of type `type` containing the member `member_designator` (e.g. "tasks",
// "a.b[2]") that `ptr` points at; returns a pointer value of type `type *`.
Object container_of(const Object& ptr, QualifiedType type, std::string_view member_designator);

// True if `t` (typedefs followed) is an integer, bool, enum, float or pointer.
bool is_scalar_type(QualifiedType t);
bool is_arithmetic_type(QualifiedType t);
bool is_integer_like_type(QualifiedType t);  // integer, bool or enum

}  // namespace kdive
