// Evaluator: runs parsed expressions over Objects with C semantics, against an
// EvalEnvironment (globals, types, memory) and a BuiltinRegistry, and keeps the
// session's `$` variables (`$x = expr`, `$_` = the last value evaluate() returned).
//
//   Evaluator ev(env, builtins);
//   Value v = ev.evaluate("per_cpu(runqueues, 1).curr->pid");
//   ev.evaluate("$t = &init_task");  ev.evaluate("$t->comm");  ev.evaluate("$_");
//
// Semantics beyond C: `.` on a pointer to a struct or union dereferences it (as drgn's
// Object attribute access). `a ? b : c` evaluates only the chosen operand; when both
// operands are arithmetic and the other one's type is known without evaluating it
// (literals, names, casts, sizeof, members, subscripts), the result is converted to
// their common type as C does; otherwise the chosen operand is returned unconverted.
// `sizeof expr` likewise uses the operand's static type and reads no memory; only for
// other operands (e.g. "sizeof(a + b)") is the operand evaluated.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "lang/ast.h"
#include "lang/builtin_registry.h"
#include "lang/eval_environment.h"
#include "lang/value.h"
#include "types/type_name_parser.h"

namespace kdive {

class Evaluator {
 public:
  // Both must outlive the evaluator.
  Evaluator(EvalEnvironment& env, const BuiltinRegistry& builtins);

  // Parses and evaluates `text`, then sets `$_` to the result. Throws SyntaxError
  // (with a column), LookupError, TypeError, FaultError.
  Value evaluate(std::string_view text);
  // Evaluates a tree parsed for this environment; does not touch `$_`.
  Value evaluate(const Expr& expr);
  // Parses without evaluating (type names are resolved now).
  ExprPtr parse(std::string_view text);

  // `$` variables, names including the '$'.
  const Value* variable(std::string_view name) const;
  void set_variable(const std::string& name, Value value);
  const std::map<std::string, Value, std::less<>>& variables() const { return variables_; }

 private:
  Value eval(const Expr& e);
  Object eval_object(const Expr& e);
  Object eval_rvalue(const Expr& e);
  Object int_literal(const Expr& e);
  Object size_value(uint64_t size);
  Object int_value(int64_t v);
  Value call(const Expr& e);
  Value conditional(const Expr& e);
  std::optional<QualifiedType> static_type(const Expr& e);

  EvalEnvironment& env_;
  const BuiltinRegistry& builtins_;
  std::map<std::string, Value, std::less<>> variables_;
};

// Array-to-pointer and function-to-pointer conversion (C11 6.3.2.1): a reference to an
// array becomes a pointer value to its first element, a reference to a function a
// pointer to it; anything else is returned unchanged.
Object decay(const Object& obj);

}  // namespace kdive
