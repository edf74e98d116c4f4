// WalkStatus formatting.
#include "linux/walk_status.h"

#include <fmt/format.h>

#include "kdive/error.h"

namespace kdive {

std::string WalkStatus::message() const {
  if (ok()) return {};
  return fmt::format("{} (after {} {})", problem, visited, visited == 1 ? "entry" : "entries");
}

void WalkStatus::throw_if_problem() const {
  if (!ok()) throw BadDataError(message());
}

}  // namespace kdive
