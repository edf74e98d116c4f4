// Interrupt: Ctrl-C as a request that long steps (cold DWARF indexing, walking every
// slab, every stack) see at their next unit of work and answer by throwing
// InterruptedError, so that a command stops cleanly (no partial index cached, no half
// table) and the REPL returns to its prompt. A second Ctrl-C before the first was seen
// ends the process the default way, so a step that never checks cannot trap the user.
//
//   InterruptScope scope;             // SIGINT now requests instead of killing
//   for (...) { check_interrupt(); ... }
#pragma once

#include "kdive/error.h"

namespace kdive {

// Thrown by check_interrupt() once Ctrl-C was pressed inside an InterruptScope.
class InterruptedError : public Error {
 public:
  InterruptedError() : Error(ErrorKind::Usage, "interrupted") {}
};

// While one exists (they nest), SIGINT sets the request flag instead of ending the
// process; the previous handler comes back when the outermost one is destroyed. The flag
// is cleared on entry and exit of the outermost one, so a request never outlives the
// command it was meant for.
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
};

// True once Ctrl-C was pressed inside the current scope (cheap: one relaxed load).
bool interrupt_requested();
// Throws InterruptedError when interrupt_requested().
void check_interrupt();
// Forgets a request (the REPL, after reporting an interrupted command).
void clear_interrupt();

}  // namespace kdive
