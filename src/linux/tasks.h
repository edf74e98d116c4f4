// Tasks: iterating the kernel's tasks and threads, finding a task by PID (in the
// initial PID namespace or a given one), task state, and the per-CPU run queues'
// current and idle tasks. Layouts and variants come from DWARF by presence:
//   threads:  signal_struct.thread_head + task.thread_node (6.7+), else the
//             task.thread_group ring (every thread of a group on one circular list);
//   state:    task.__state (5.14+) else task.state; the letters are read from the
//             kernel's own task_state_array ("R (running)", "S (sleeping)", ...) and
//             TASK_REPORT is derived from it as drgn does (the array lists the
//             reportable bits in order, then the states beyond TASK_REPORT); TASK_IDLE
//             is TASK_UNINTERRUPTIBLE | TASK_NOLOAD with TASK_NOLOAD = 0x400, the one
//             macro value DWARF cannot give (unchanged since 4.14, as drgn assumes);
//   PIDs:     pid_namespace.idr (4.15+) → struct pid → pid.tasks[PIDTYPE_PID];
//             without an idr, find_task() scans the task list;
//   task CPU: task.cpu (5.16+) else task.thread_info.cpu.
// All walks are bounded (list_walk.h).
//
//   Tasks tasks(program);
//   tasks.for_each_task([&](uint64_t t) { fmt::print("{} {}\n", tasks.pid(t), tasks.comm(t)); return true; });
//   std::optional<uint64_t> t = tasks.find_task(104);
//   TaskState s = tasks.state(*t);          // {'D', "disk sleep"}
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "linux/idr.h"
#include "linux/kernel_layout.h"
#include "linux/list_walk.h"
#include "object/object.h"

namespace kdive {

class Program;

struct TaskState {
  char letter = '?';  // as ps and /proc/PID/stat print it: R S D T t X Z P I
  std::string name;   // "running", "sleeping", "disk sleep", ..., "idle"
};

using TaskVisitor = std::function<bool(uint64_t task)>;

class Tasks {
 public:
  // LookupError when the debug info lacks init_task / task_struct.
  explicit Tasks(Program& program);

  Program& program() const { return program_; }
  KernelLayout& layout() { return layout_; }
  uint64_t init_task() const { return init_task_; }

  // Every thread of every process, leaders first in each group, in the order of
  // init_task.tasks; the idle tasks (PID 0) are not included, as in drgn's
  // for_each_task(). The status reports a corrupted list.
  WalkStatus for_each_task(const TaskVisitor& visit, const WalkLimits& limits = {});
  // Thread-group leaders only.
  WalkStatus for_each_process(const TaskVisitor& visit, const WalkLimits& limits = {});
  // The threads of `task`'s thread group, leader included.
  WalkStatus for_each_thread(uint64_t task, const TaskVisitor& visit, const WalkLimits& limits = {});
  // Every task that has a PID in the namespace at `pid_ns` (the pid IDR walk drgn's
  // for_each_task(ns) does); `pid_ns` 0 means init_pid_ns.
  WalkStatus for_each_task_in_ns(uint64_t pid_ns, const TaskVisitor& visit, const WalkLimits& limits = {});

  // The task with PID `pid` in the initial PID namespace (PID 0: init_task).
  std::optional<uint64_t> find_task(uint64_t pid);
  // The task with PID `pid` in the namespace at `pid_ns` (a struct pid_namespace *).
  std::optional<uint64_t> find_task_in_ns(uint64_t pid_ns, uint64_t pid);
  // The struct pid of `pid` in `pid_ns`, 0 when none.
  uint64_t find_pid(uint64_t pid_ns, uint64_t pid);
  // pid_task(pid, PIDTYPE_PID).
  uint64_t pid_task(uint64_t pid_struct);

  // --- fields of one task (FaultError when unreadable) ---
  int64_t pid(uint64_t task);
  int64_t tgid(uint64_t task);
  std::string comm(uint64_t task);
  uint64_t real_parent(uint64_t task);
  int64_t ppid(uint64_t task);  // real_parent->tgid
  uint64_t mm(uint64_t task);
  uint64_t cpu(uint64_t task);
  // No user address space: a kernel thread (as crash decides it, from mm == NULL).
  bool is_kernel_thread(uint64_t task) { return mm(task) == 0; }
  bool is_group_leader(uint64_t task);
  TaskState state(uint64_t task);
  // The raw (state | exit_state) value the letter is derived from.
  uint64_t state_bits(uint64_t task);

  // --- per-CPU run queues ---
  // __per_cpu_offset[cpu]: what turns a per-CPU address into CPU `cpu`'s copy.
  uint64_t per_cpu_offset(uint64_t cpu);
  uint64_t runqueue(uint64_t cpu);    // &per_cpu(runqueues, cpu)
  uint64_t cpu_curr(uint64_t cpu);    // runqueues.curr
  uint64_t idle_task(uint64_t cpu);   // runqueues.idle
  // The tasks running on each possible CPU (cpu → task), in CPU order.
  std::vector<std::pair<uint64_t, uint64_t>> active_tasks();

  // (struct task_struct *)task as an expression value.
  Object task_pointer(uint64_t task);

 private:
  void load_state_chars();

  Program& program_;
  KernelLayout layout_;
  const MemoryReader& mem_;
  uint64_t init_task_ = 0;
  ListLayout list_;
  HlistLayout hlist_;
  uint64_t off_tasks_ = 0, off_pid_ = 0, off_tgid_ = 0, off_comm_ = 0, comm_size_ = 16;
  uint64_t off_real_parent_ = 0, off_mm_ = 0, off_group_leader_ = 0, off_signal_ = 0;
  std::optional<uint64_t> off_thread_node_, off_thread_head_, off_thread_group_;
  uint64_t off_state_ = 0, state_size_ = 4, off_exit_state_ = 0;
  std::optional<uint64_t> off_cpu_;
  uint64_t off_pid_links_ = 0, hlist_node_size_ = 16;
  uint64_t pidtype_pid_ = 0;
  std::optional<IdrLayout> idr_;
  std::optional<uint64_t> off_ns_idr_, off_pid_tasks_;
  // task_state_array: letters by fls(state & TASK_REPORT), and their names.
  std::string state_chars_;
  std::vector<std::string> state_names_;
  uint64_t task_report_ = 0;
  bool state_chars_loaded_ = false;
  std::optional<uint64_t> per_cpu_offsets_, runqueues_;
  uint64_t per_cpu_offsets_len_ = 0;
  uint64_t off_rq_curr_ = 0, off_rq_idle_ = 0;
};

}  // namespace kdive
