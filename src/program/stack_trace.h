// Stack traces of a Program: the FrameContext that knows its code (vmlinux's ORC and
// .debug_frame, loaded modules' ORC read from the dump, user-space executables' and
// libraries' .eh_frame), the initial registers of a thread (a CPU's saved registers,
// a sleeping task's switch frame, a user thread's PRSTATUS), the crashed thread, and
// the kernel's task list.
//
//   StackTraceEngine eng(*prog);
//   StackTrace t = eng.crashed_thread();          // or eng.for_pid(909), eng.for_task(obj)
//   std::cout << t.format();   frame_variable(t.frames()[4], "hctx");
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "object/object.h"
#include "program/program.h"
#include "unwind/orc_format.h"
#include "unwind/stack_trace.h"

namespace kdive {

class ProgramFrameContext;
class KernelReturnTrampolines;

// A thread whose stack can be traced: a kernel task or a user-space thread.
struct ThreadRef {
  int64_t pid = 0;
  std::string comm;
  std::optional<Object> task;  // kernel: the task_struct (a reference)
  int cpu = -1;                // kernel: the CPU it runs on, or -1 when not running
};

class StackTraceEngine {
 public:
  explicit StackTraceEngine(Program& program);
  ~StackTraceEngine();
  StackTraceEngine(const StackTraceEngine&) = delete;
  StackTraceEngine& operator=(const StackTraceEngine&) = delete;

  Program& program() { return program_; }
  FrameContext& context();

  // The kernel's ORC format as detected from its debug info (unwind/orc_format.h), or
  // why it could not be; and that as one line for `info` ("ORC: v3 (6.4+ layout: ...").
  const OrcFormatResult& orc_format() const;
  std::string orc_format_description() const;

  // The thread that crashed: kernel — the task on `panic_cpu` (or `crashing_cpu`,
  // else CPU 0); user cores — the first PRSTATUS (the thread that got the signal).
  ThreadRef crashed_thread();
  // Every thread: kernel — every task of every thread group, in task-list order;
  // user — every PRSTATUS.
  std::vector<ThreadRef> threads();
  // Kernel: the task running on each CPU (the idle task included).
  std::vector<ThreadRef> active_threads();
  // LookupError when no thread has this PID.
  ThreadRef thread(int64_t pid);
  ThreadRef thread_of_task(const Object& task);

  StackTrace stack_trace(const ThreadRef& thread);
  StackTrace stack_trace(const RegisterState& regs);
  // Frames of the given PCs without unwinding (unwind/stack_trace.h trace_of_pcs).
  StackTrace trace_of_pcs(const std::vector<uint64_t>& pcs, bool exact_pc);
  StackTrace crashed_stack_trace() { return stack_trace(crashed_thread()); }
  StackTrace stack_trace_of_pid(int64_t pid) { return stack_trace(thread(pid)); }

  // The registers a thread's trace starts from.
  RegisterState initial_registers(const ThreadRef& thread);

 private:
  RegisterState cpu_registers(int cpu) const;
  std::optional<int> running_cpu(const Object& task);
  ThreadRef make_thread(const Object& task);

  Program& program_;
  std::unique_ptr<ProgramFrameContext> context_;
  std::unique_ptr<KernelReturnTrampolines> trampolines_;
  std::vector<uint64_t> cpu_curr_;  // per CPU: runqueues.curr
  bool cpu_curr_read_ = false;
  void read_cpu_curr();
};

}  // namespace kdive
