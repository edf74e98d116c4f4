// EvalEnvironment: what the expression evaluator needs from a program — the object
// environment (memory, type arena, primitive types), type lookup, and identifier lookup —
// as a small interface that the program layer implements (DESIGN.md §1: lang must not
// depend on Program). Tests implement it over in-test types and a byte buffer.
//
//   class ProgramEvalEnvironment : public EvalEnvironment { ... };   // program/
//   Evaluator ev(env, builtins);  ev.evaluate("init_task.pid");
#pragma once

#include <optional>
#include <string_view>

#include "object/object.h"
#include "object/object_env.h"
#include "types/type_name_parser.h"

namespace kdive {

class EvalEnvironment {
 public:
  virtual ~EvalEnvironment() = default;

  // Memory, the type arena (for derived types) and the primitive types literals and
  // operator results use. Must outlive every Object the evaluator returns.
  virtual const ObjectEnv& object_env() const = 0;

  // Type-name lookups for casts, sizeof, offsetof, container_of.
  virtual TypeFinder& type_finder() = 0;

  // The object an identifier names: a global variable (a reference), a function (a
  // reference of function type at its address), or an enumerator (a value of its enum
  // type). nullopt when the name is unknown (the evaluator then throws LookupError
  // "could not find 'name'").
  virtual std::optional<Object> find_object(std::string_view name) = 0;
};

}  // namespace kdive
