// LockWaitFinder: the sleeping lock a blocked task is queued on — a mutex, an
// rw_semaphore or an rt_mutex — and the task that owns it. Where the kernel records the
// wait is chosen by what the debug info has, in this order:
//   pi_blocked_on  task.pi_blocked_on → rt_mutex_waiter.lock (every lock of a
//                  PREEMPT_RT kernel, and rt_mutexes anywhere); owner = owner & ~1;
//   blocked_on     task.blocked_on as a struct mutex * (6.16+, the proxy-execution
//                  rework), or a struct mutex_waiter * (CONFIG_DEBUG_MUTEXES);
//   the stack      the struct mutex_waiter / rwsem_waiter the slow path keeps on the
//                  blocked task's stack: a word equal to the task, inside a list_head
//                  ring whose one node off every waiter's stack is the lock's wait_list;
//                  or, where the lock has first_waiter instead (7.0+), the word on the
//                  stack (a saved register) pointing at a lock whose first_waiter is in
//                  the ring.
// Which kind of lock is read from the stack's outermost lock function (mutex_lock*,
// down_read*/down_write*, rwbase_* and rt_spin_lock/rt_read_lock/rt_write_lock on
// PREEMPT_RT, rt_mutex_lock*): the waiter records look alike.
//
//   LockWaitFinder finder(tasks);
//   if (auto w = finder.find(task, {"schedule", "__mutex_lock.constprop.0", "mutex_lock"}))
//     fmt::print("{} {:#x} owned by {:#x}\n", w->kind, w->lock, w->owner);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kdive {

class Tasks;

struct LockWait {
  std::string kind;     // "mutex", "rw_semaphore", "rt_mutex"; on RT "spinlock", "rwlock"
  uint64_t lock = 0;    // address of the struct mutex / rw_semaphore / rt_mutex(_base)
  std::string symbol;   // "kdive_mutex", "big_lock+0x10" for a global lock, else ""
  // The owning task_struct *, 0 when the lock records none (being handed over).
  uint64_t owner = 0;
  // An rw_semaphore held for read: `owner` is the last reader that took it, which may
  // have released it since (the kernel does not clear it; rwsem.c "owner" comment).
  bool reader_owned = false;
  std::string source;   // where it was found: "pi_blocked_on", "blocked_on", "stack"
};

class LockWaitFinder {
 public:
  explicit LockWaitFinder(Tasks& tasks);

  // The lock `task` waits for; `functions` are its stack's function names, innermost
  // first. nullopt when the stack is in no lock function or the wait is not found.
  std::optional<LockWait> find(uint64_t task, const std::vector<std::string>& functions);

  // The stack method alone (mutexes and rw_semaphores that are not rt_mutex based),
  // even where the task records the wait: to check one method against the other.
  std::optional<LockWait> find_on_stack(uint64_t task, const std::vector<std::string>& functions);

  // The kind of lock a stack waits in ("mutex", ...), "" when in none.
  static std::string lock_kind(const std::vector<std::string>& functions);

 private:
  std::optional<LockWait> from_pi_blocked_on(uint64_t task, const std::string& kind);
  std::optional<LockWait> from_blocked_on(uint64_t task);
  struct WaiterLayout {
    uint64_t list_off = 0, task_off = 0;  // of list and task in the waiter record
  };
  std::optional<LockWait> from_stack(uint64_t task, const std::string& kind);
  // The live part of `task`'s stack as words, from stack_from_ up.
  std::vector<uint64_t> live_stack_words(uint64_t task);
  // Every node of the list_head ring through `node`, nullopt when it is no ring.
  std::optional<std::vector<uint64_t>> waiter_ring(uint64_t node);
  // A wait_list ring's head: the one node not inside its own task's stack.
  std::optional<uint64_t> ring_head(const std::vector<uint64_t>& ring, const WaiterLayout& wl);
  // A first_waiter lock: the one word on the stack whose first_waiter is in the ring
  // (a lock on the blocked task's own stack is not found).
  std::optional<uint64_t> lock_pointing_at(const std::vector<uint64_t>& ring, const std::vector<uint64_t>& stack,
                                           uint64_t list_off, uint64_t first_off);
  bool on_task_stack(uint64_t task, uint64_t address);
  uint64_t thread_size();
  void name_lock(LockWait& w);

  Tasks& tasks_;
  uint64_t thread_size_ = 0;
  uint64_t stack_base_ = 0;  // the stack live_stack_words() read
  uint64_t stack_from_ = 0;  // address of live_stack_words()[0]
};

}  // namespace kdive
