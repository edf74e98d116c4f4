// The syntax tree of a parsed C expression. Type names in casts, sizeof, offsetof and
// container_of are already resolved (parsing needs the TypeFinder to tell "(u64)x" from
// "(x)"), so a tree is tied to the program it was parsed for. Nesting depth is bounded
// by the parser, so recursive walks over a tree are safe.
//
//   ExprPtr e = parse_expression("a + b * 2", types);
//   dump_expr(*e) == "(+ a (* b 2))"
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kdive/type.h"
#include "object/object_operators.h"

namespace kdive {

enum class ExprKind : uint8_t {
  IntLiteral,     // int_value, int_unsigned, int_longs, int_decimal
  FloatLiteral,   // float_value, float_single
  CharLiteral,    // int_value (already the C int value)
  StringLiteral,  // name holds the bytes (adjacent literals joined)
  Identifier,     // name: global, function or enumerator
  Variable,       // name: "$foo"; a builtin of that name when no variable is set
  Member,         // operand.name
  Arrow,          // operand->name
  Subscript,      // operand[index]: children {operand, index}
  Call,           // name(args...): a built-in function ("per_cpu", "$bt")
  Unary,          // unary_op operand (+ - ~ !)
  Dereference,    // *operand
  AddressOf,      // &operand
  Cast,           // (type)operand
  SizeofType,     // sizeof(type)
  SizeofExpr,     // sizeof operand
  AlignofType,    // _Alignof(type) / alignof(type)
  Offsetof,       // offsetof(type, name=designator)
  ContainerOf,    // container_of(operand, type, name=designator)
  Binary,         // lhs binary_op rhs (not && ||)
  LogicalAnd,     // lhs && rhs, short-circuit
  LogicalOr,      // lhs || rhs, short-circuit
  Conditional,    // children {cond, then, else}
  Assign,         // name = operand, or name op= operand when has_compound_op
  Increment,      // ++name / name++ / --name / name--: delta ±1, prefix
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind;
  size_t column = 0;  // 1-based column of the token that names the operation
  std::string name;
  QualifiedType type;
  uint64_t int_value = 0;
  bool int_unsigned = false;
  uint8_t int_longs = 0;
  bool int_decimal = true;
  double float_value = 0;
  bool float_single = false;
  BinaryOp binary_op = BinaryOp::Add;
  UnaryOp unary_op = UnaryOp::Plus;
  bool has_compound_op = false;  // Assign: binary_op holds the operator of "op="
  bool prefix = false;           // Increment
  int delta = 0;                 // Increment
  int height = 1;                // of the subtree; bounded by the parser
  std::vector<ExprPtr> children;

  Expr(ExprKind k, size_t col) : kind(k), column(col) {}
  const Expr& child(size_t i) const { return *children.at(i); }
};

// A one-line S-expression of the tree, for tests and debugging:
// "(+ a (* b 2))", "(cast (struct task_struct *) p)", "(. (-> p tasks) next)".
std::string dump_expr(const Expr& expr);

}  // namespace kdive
