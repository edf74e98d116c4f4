// Member completion for the REPL: given the line up to the cursor, finds the postfix
// expression before a trailing '.' or '->' by C's grammar (so "per_cpu(rq, 0).cu",
// "$bt[4].hc", "((struct foo *)p)->ba" and "*p.x" pick the right operand), evaluates it
// without side effects, and lists the members that start with the partial name.
//
//   auto c = complete_member(evaluator, "init_task.co");
//   // c->replace_from == 10, c->candidates == {"comm"}
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kdive/type.h"
#include "lang/evaluator.h"

namespace kdive {

struct MemberCompletion {
  size_t replace_from = 0;              // byte offset in the line where the partial name starts
  std::string partial;                  // the partial member name typed so far
  std::vector<std::string> candidates;  // sorted, unique, each starting with `partial`
};

// nullopt when the cursor is not after "<expr>." / "<expr>->" (optionally followed by
// a partial identifier), or when that expression does not evaluate. Never throws for
// bad input; does not change `$_` or any variable (expressions containing assignments
// or ++/-- are not evaluated).
std::optional<MemberCompletion> complete_member(Evaluator& evaluator, std::string_view line);

// The member names of a struct/union type, or of the struct/union a pointer points to,
// with the members of anonymous structs and unions listed in their place.
std::vector<std::string> member_names(QualifiedType type);

}  // namespace kdive
