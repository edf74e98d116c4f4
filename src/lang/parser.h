// The parser of kdive's C expression language: C's operators with C's precedence and
// associativity (postfix, unary and casts, multiplicative ... conditional, assignment),
// sizeof / _Alignof / offsetof / container_of, calls of built-in functions, and `$`
// names that chain with postfix operators ("$bt(909)[7].l", "$x = init_task.pid").
// Assignment and ++/-- apply only to `$` variables (a dump is read-only).
//
//   TypeNameParser types(arena, finder);
//   ExprPtr e = parse_expression("(struct task_struct *)p", types);   // SyntaxError
#pragma once

#include <string_view>

#include "lang/ast.h"
#include "types/type_name_parser.h"

namespace kdive {

// Bounds nesting (parentheses, unary chains, operator chains): deeper input is a
// SyntaxError rather than a stack overflow in the parser or the evaluator.
inline constexpr int kMaxExpressionDepth = 256;

// Parses all of `text` as one expression. Type names are resolved through `types`
// (LookupError for an unknown struct or typedef). Throws SyntaxError with a 1-based
// column for malformed input.
ExprPtr parse_expression(std::string_view text, TypeNameParser& types);

}  // namespace kdive
