// BuiltinRegistry: the functions an expression may call by name — generic ones from
// lang/ (per_cpu, per_cpu_ptr, read, string: see generic_builtins.h) and those later
// layers register with kernel knowledge (find_task(pid), $bt(pid), ...). A name may
// start with '$' ("$bt"): then `$bt` alone calls it with no arguments unless a variable
// of that name has been assigned.
//
//   registry.add({"find_task", 1, 1, "find_task(pid)", "the task_struct of a PID",
//                 [&](BuiltinContext& ctx, std::span<const Value> args) -> Value {...}});
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lang/eval_environment.h"
#include "lang/value.h"

namespace kdive {

struct BuiltinContext {
  EvalEnvironment& env;
  std::string_view name;  // as called
  size_t column = 0;      // 1-based column of the call in the expression
};

// Arguments are evaluated, not decayed: an array or function argument is still the
// reference it names (per_cpu() needs the variable, not a pointer to it).
using BuiltinFunction = std::function<Value(BuiltinContext&, std::span<const Value>)>;

struct Builtin {
  std::string name;
  size_t min_args = 0;
  size_t max_args = 0;
  std::string signature;  // "per_cpu(var, cpu)", for help and completion
  std::string help;       // one line
  BuiltinFunction function;
};

class BuiltinRegistry {
 public:
  // Adds `builtin`, replacing one of the same name.
  void add(Builtin builtin);
  const Builtin* find(std::string_view name) const;
  // All built-ins sorted by name.
  std::vector<const Builtin*> list() const;

  // Calls `name` after checking the argument count: LookupError "could not find
  // built-in function 'foo'", TypeError "per_cpu() takes 2 arguments (1 given)".
  Value call(BuiltinContext& ctx, std::span<const Value> args) const;

 private:
  std::map<std::string, Builtin, std::less<>> builtins_;
};

// Helpers for built-in implementations. Each throws TypeError naming the built-in and
// the argument ("per_cpu() argument 2 must be an integer"). `i` counts from 0.
// An integer (bool, enum) argument's value, sign-extended when signed.
uint64_t builtin_integer_arg(const BuiltinContext& ctx, std::span<const Value> args, size_t i);
// An address: an integer, a pointer's value, or the address of an array or function.
uint64_t builtin_address_arg(const BuiltinContext& ctx, std::span<const Value> args, size_t i);
const Object& builtin_object_arg(const BuiltinContext& ctx, std::span<const Value> args, size_t i);

}  // namespace kdive
