#include "base/interrupt.h"

#include <gtest/gtest.h>
#include <signal.h>

namespace kdive {
namespace {

TEST(Interrupt, CtrlCInsideAScopeIsARequestThatCheckThrows) {
  {
    InterruptScope scope;
    EXPECT_FALSE(interrupt_requested());
    EXPECT_NO_THROW(check_interrupt());
    raise(SIGINT);  // the process survives: the scope turned it into a request
    EXPECT_TRUE(interrupt_requested());
    EXPECT_THROW(check_interrupt(), InterruptedError);
    {
      InterruptScope nested;  // nesting keeps the request of the outer scope
      EXPECT_TRUE(interrupt_requested());
    }
    clear_interrupt();
    EXPECT_NO_THROW(check_interrupt());
  }
  // A new scope starts without the request of an earlier one.
  {
    InterruptScope outer;
    raise(SIGINT);
  }
  InterruptScope again;
  EXPECT_FALSE(interrupt_requested());
}

TEST(Interrupt, SecondCtrlCEndsTheProcess) {
  // A step that never checks cannot trap the user: the second press acts as usual.
  EXPECT_EXIT(
      {
        InterruptScope scope;
        raise(SIGINT);
        raise(SIGINT);
        std::exit(0);
      },
      testing::KilledBySignal(SIGINT), "");
}

TEST(Interrupt, OutsideAScopeCtrlCKeepsItsDefaultAction) {
  { InterruptScope scope; }
  EXPECT_EXIT(
      {
        raise(SIGINT);
        std::exit(0);
      },
      testing::KilledBySignal(SIGINT), "");
}

}  // namespace
}  // namespace kdive
