// WalkStatus and WalkLimits: how a bounded walk over dump data ended. Every loop over
// kernel data structures in linux/ is bounded (a limit on entries, consistency checks
// that catch cycles) and, instead of hanging or throwing away what it found, reports
// where and why it stopped (DESIGN §2.3).
//
//   WalkStatus st = walk_list(mem, layout, head, [&](uint64_t node) { ...; return true; });
//   if (!st.ok()) std::cerr << st.message() << "\n";   // "list 0xffff...: cycle: ..."
#pragma once

#include <cstdint>
#include <string>

namespace kdive {

struct WalkLimits {
  // At most this many entries are visited; more is reported as a problem.
  uint64_t max_entries = uint64_t(1) << 22;
};

struct WalkStatus {
  uint64_t visited = 0;          // entries handed to the visitor
  bool stopped_early = false;    // the visitor asked to stop
  std::string problem;           // empty when the walk reached its natural end
  uint64_t problem_address = 0;  // the node or pointer where the problem showed

  bool ok() const { return problem.empty(); }
  // "<problem> (after N entries)", or "" when ok.
  std::string message() const;
  // Throws BadDataError(message()) when not ok.
  void throw_if_problem() const;
};

}  // namespace kdive
