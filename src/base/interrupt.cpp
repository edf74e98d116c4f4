// Interrupt: the SIGINT handler and the request flag. The handler only touches a
// lock-free atomic (async-signal-safe); a second SIGINT restores the default action and
// re-raises it, ending the process as an unhandled Ctrl-C does.
#include "base/interrupt.h"

#include <signal.h>

#include <atomic>
#include <mutex>

namespace kdive {
namespace {

std::atomic<bool> g_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free);

std::mutex g_scope_mutex;
int g_scope_depth = 0;
struct sigaction g_previous;

void on_sigint(int) {
  if (g_requested.exchange(true, std::memory_order_relaxed)) {
    signal(SIGINT, SIG_DFL);
    raise(SIGINT);
  }
}

}  // namespace

InterruptScope::InterruptScope() {
  std::lock_guard lock(g_scope_mutex);
  if (g_scope_depth++ == 0) {
    g_requested.store(false, std::memory_order_relaxed);
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;  // reads of stdin and files continue; the flag is polled
    sigaction(SIGINT, &sa, &g_previous);
  }
}

InterruptScope::~InterruptScope() {
  std::lock_guard lock(g_scope_mutex);
  if (--g_scope_depth == 0) {
    sigaction(SIGINT, &g_previous, nullptr);
    g_requested.store(false, std::memory_order_relaxed);  // no requests outside a scope
  }
}

bool interrupt_requested() { return g_requested.load(std::memory_order_relaxed); }

void check_interrupt() {
  if (interrupt_requested()) throw InterruptedError();
}

void clear_interrupt() { g_requested.store(false, std::memory_order_relaxed); }

}  // namespace kdive
