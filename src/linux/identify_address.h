// AddressIdentifier: what a kernel address is, in drgn's identify_address() words —
//   "slab object: kdive_obj+0x10"         (allocated SLUB object, offset in it)
//   "free slab object: kdive_obj+0x0"     (on a freelist)
//   "vmap stack: 102 (kdive_waiter) +0x3ec0"   (a task's stack; "task stack" when the
//                                         kernel has no CONFIG_VMAP_STACK)
//   "function symbol: schedule+0x5", "object symbol: jiffies+0x0"
// — and, beyond drgn, whether a stack address lies in the live part of that task's
// stack or below its stack pointer (dead space a callee has left), appended as
//   " (live: 0x1c0 bytes above the saved stack pointer)"
//   " (dead: 0x40 bytes below the saved stack pointer)"
// The stack pointer is task->thread.sp for a task that is switched out, and the
// CPU's RSP from the dump's registers for a task running on a CPU; when neither can be
// read the suffix is " (live part unknown)".
//
// THREAD_SIZE is the size of init_task's stack (__end_init_task - __start_init_task in
// the symbol table), else the stack's vm_struct size less its guard page.
//
//   AddressIdentifier id(program);
//   std::optional<std::string> s = id.identify(0xffffd48d803ebec0);
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "linux/walk_status.h"

namespace kdive {

class Program;
class SlubAllocator;
class Tasks;
class StackTraceEngine;

struct TaskStackInfo {
  uint64_t task = 0;
  int64_t pid = 0;
  std::string comm;
  uint64_t base = 0;  // task->stack (lowest address)
  uint64_t size = 0;  // THREAD_SIZE
  bool vmap = false;
};

class AddressIdentifier {
 public:
  explicit AddressIdentifier(Program& program);
  ~AddressIdentifier();

  // drgn's answer plus ours; nullopt when the address is not recognized.
  std::optional<std::string> identify(uint64_t address);

  // The task whose stack contains `address` (the task list is read once).
  std::optional<TaskStackInfo> stack_of(uint64_t address);
  // The stack pointer the task's live stack starts at, and where it came from
  // ("saved stack pointer", "stack pointer of CPU 1"); nullopt when unknown.
  std::optional<std::pair<uint64_t, std::string>> stack_pointer(uint64_t task);
  uint64_t thread_size();
  // Problems met while listing task stacks (a corrupt task list).
  const WalkStatus& stacks_status() const { return stacks_status_; }

  SlubAllocator* slab();  // nullptr when the kernel is not SLUB

 private:
  void load_stacks();

  Program& program_;
  std::unique_ptr<SlubAllocator> slab_;
  bool slab_tried_ = false;
  std::unique_ptr<Tasks> tasks_;
  std::unique_ptr<StackTraceEngine> engine_;
  bool stacks_loaded_ = false;
  std::map<uint64_t, TaskStackInfo> stacks_;  // by base
  WalkStatus stacks_status_;
  uint64_t thread_size_ = 0;
  std::map<uint64_t, uint64_t> running_;  // task -> cpu
};

}  // namespace kdive
