// LockWaitFinder::lock_kind: which lock a stack waits in, from its function names
// innermost first, as they read on regular and PREEMPT_RT kernels.
#include <gtest/gtest.h>

#include "linux/lock_wait.h"

namespace kdive {
namespace {

TEST(LockWaitKind, OutermostLockFunctionDecides) {
  EXPECT_EQ(LockWaitFinder::lock_kind({"schedule", "__mutex_lock.constprop.0", "kdive_mutex_waiter_fn"}), "mutex");
  EXPECT_EQ(LockWaitFinder::lock_kind({"schedule", "rwsem_down_read_slowpath", "down_read", "f"}), "rw_semaphore");
  // PREEMPT_RT: the rt_mutex slow path inside mutex_lock, rwbase inside down_read or
  // inside an rwlock_t's rt_read_lock.
  EXPECT_EQ(LockWaitFinder::lock_kind({"rt_mutex_slowlock_block", "rt_mutex_slowlock", "mutex_lock", "f"}), "mutex");
  EXPECT_EQ(LockWaitFinder::lock_kind({"rt_mutex_slowlock_block", "__rwbase_read_lock", "f"}), "rw_semaphore");
  EXPECT_EQ(LockWaitFinder::lock_kind({"rt_mutex_slowlock_block", "__rwbase_read_lock", "rt_read_lock", "f"}), "rwlock");
  EXPECT_EQ(LockWaitFinder::lock_kind({"rtlock_slowlock_locked", "rt_spin_lock", "f"}), "spinlock");
  EXPECT_EQ(LockWaitFinder::lock_kind({"rt_mutex_slowlock", "rt_mutex_lock_interruptible", "f"}), "rt_mutex");
  EXPECT_EQ(LockWaitFinder::lock_kind({"schedule", "do_wait", "kernel_wait4"}), "");
  EXPECT_EQ(LockWaitFinder::lock_kind({}), "");
}

}  // namespace
}  // namespace kdive
