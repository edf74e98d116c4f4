// Return addresses a kretprobe replaced: on entry to a probed function the kernel swaps
// the caller's return address for a trampoline and keeps the real one in a per-task
// record; an unwinder that reads the stack sees the trampoline. This finds the real
// address as the kernel's own unwinder does (unwind_recover_ret_addr, unwind_orc.c):
// the record whose saved stack slot is the one the return address was read from.
// Where records live is chosen by what the debug info has:
//   - task_struct.rethooks (llist of struct rethook_node: ret_addr, frame), 6.0+
//     with CONFIG_RETHOOK, trampoline arch_rethook_trampoline;
//   - task_struct.kretprobe_instances (llist of struct kretprobe_instance: ret_addr,
//     fp), 5.11+ without rethook, trampoline __kretprobe_trampoline / kretprobe_trampoline;
//   - the global hash kretprobe_inst_table[] (hlists of struct kretprobe_instance with
//     its task), up to 5.10.
//
//   KernelReturnTrampolines tramps(program);
//   TaskReturnAddresses rec(tramps, task_address);   // an unwind ReturnAddressRecovery
//   StackTrace t = build_stack_trace(ctx, regs, true, false, &rec);
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "unwind/stack_trace.h"

namespace kdive {

class Program;

class KernelReturnTrampolines {
 public:
  explicit KernelReturnTrampolines(Program& program) : program_(program) {}
  // The real return address for `task` where `slot` held the trampoline address
  // `return_address`; nullopt when it is not a trampoline or no record matches.
  std::optional<uint64_t> recover(uint64_t task, uint64_t return_address, uint64_t slot);

 private:
  enum class Records : uint8_t { None, TaskRethooks, TaskKretprobes, GlobalTable };
  void detect();
  std::optional<uint64_t> from_task_list(uint64_t head, uint64_t slot) const;
  std::optional<uint64_t> from_global_table(uint64_t task, uint64_t slot) const;

  Program& program_;
  bool detected_ = false;
  Records records_ = Records::None;
  std::vector<uint64_t> trampolines_;
  // Offsets: the list head in task_struct (or the table's address and bucket count),
  // and in each record its list node, saved return address, saved slot and task.
  uint64_t head_ = 0, buckets_ = 0, node_ = 0, ret_addr_ = 0, frame_ = 0, task_ = 0;
};

// One task's view, handed to build_stack_trace().
class TaskReturnAddresses : public ReturnAddressRecovery {
 public:
  TaskReturnAddresses(KernelReturnTrampolines& trampolines, uint64_t task) : trampolines_(trampolines), task_(task) {}
  std::optional<uint64_t> recover(uint64_t return_address, uint64_t slot) const override {
    return trampolines_.recover(task_, return_address, slot);
  }

 private:
  KernelReturnTrampolines& trampolines_;
  uint64_t task_;
};

}  // namespace kdive
