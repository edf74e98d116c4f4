// Tasks implementation (tasks.h). Offsets are resolved once in the constructor; the
// walks read raw words through list_walk.h so that iterating thousands of tasks does
// not build an Object per member access.
#include "linux/tasks.h"

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/cpumask.h"
#include "linux/target_words.h"
#include "program/program.h"
#include "types/type_layout.h"

namespace kdive {

namespace {
constexpr const char* kTask = "struct task_struct";
// TASK_NOLOAD (include/linux/sched.h): a macro, so not in DWARF; 0x400 since 4.14.
constexpr uint64_t kTaskNoload = 0x400;

uint64_t global_address(Program& program, std::string_view name) {
  std::optional<Object> o = program.find_object(name);
  if (!o || !o->is_reference()) throw LookupError(fmt::format("could not find '{}'", name));
  return o->address();
}
}  // namespace

Tasks::Tasks(Program& program) : program_(program), layout_(program), mem_(program.memory()) {
  init_task_ = global_address(program, "init_task");
  list_ = ListLayout::of(layout_);
  hlist_ = HlistLayout::of(layout_);
  off_tasks_ = layout_.offset(kTask, "tasks");
  off_pid_ = layout_.offset(kTask, "pid");
  off_tgid_ = layout_.offset(kTask, "tgid");
  off_comm_ = layout_.offset(kTask, "comm");
  comm_size_ = layout_.member_size(kTask, "comm");
  off_real_parent_ = layout_.offset(kTask, "real_parent");
  off_mm_ = layout_.offset(kTask, "mm");
  off_group_leader_ = layout_.offset(kTask, "group_leader");
  off_signal_ = layout_.offset(kTask, "signal");
  off_thread_node_ = layout_.find_offset(kTask, "thread_node");
  off_thread_head_ = layout_.find_offset("struct signal_struct", "thread_head");
  off_thread_group_ = layout_.find_offset(kTask, "thread_group");
  std::string_view state = layout_.first_member(kTask, {"__state", "state"});
  off_state_ = layout_.offset(kTask, state);
  state_size_ = layout_.member_size(kTask, state);
  off_exit_state_ = layout_.offset(kTask, "exit_state");
  off_cpu_ = layout_.find_offset(kTask, "cpu");
  if (!off_cpu_) off_cpu_ = layout_.find_offset(kTask, "thread_info.cpu");
  off_pid_links_ = layout_.offset(kTask, "pid_links");
  hlist_node_size_ = layout_.size_of("struct hlist_node");
  if (std::optional<Object> e = program.find_object("PIDTYPE_PID")) pidtype_pid_ = e->as_unsigned();
  off_ns_idr_ = layout_.find_offset("struct pid_namespace", "idr");
  off_pid_tasks_ = layout_.find_offset("struct pid", "tasks");
  if (off_ns_idr_ && off_pid_tasks_) idr_ = IdrLayout::of(layout_);
}

Object Tasks::task_pointer(uint64_t task) {
  QualifiedType t = program_.find_type("struct task_struct *");
  return Object::unsigned_value(program_.object_env(), t, task);
}

// --- iteration ---------------------------------------------------------------------

WalkStatus Tasks::for_each_process(const TaskVisitor& visit, const WalkLimits& limits) {
  return walk_list(mem_, list_, init_task_ + off_tasks_,
                   [&](uint64_t node) { return visit(node - off_tasks_); }, limits);
}

WalkStatus Tasks::for_each_thread(uint64_t task, const TaskVisitor& visit, const WalkLimits& limits) {
  if (off_thread_head_ && off_thread_node_) {
    uint64_t signal = read_u64(mem_, task + off_signal_);
    return walk_list(mem_, list_, signal + *off_thread_head_,
                     [&](uint64_t node) { return visit(node - *off_thread_node_); }, limits);
  }
  if (!off_thread_group_) throw LookupError("task_struct has neither thread_node nor thread_group");
  uint64_t leader = read_u64(mem_, task + off_group_leader_);
  WalkStatus st;
  st.visited = 1;
  if (!visit(leader)) {
    st.stopped_early = true;
    return st;
  }
  // thread_group is a ring through every thread of the group, with no separate head:
  // walking it from the leader's node visits the others.
  WalkStatus rest = walk_list(mem_, list_, leader + *off_thread_group_,
                              [&](uint64_t node) { return visit(node - *off_thread_group_); }, limits);
  rest.visited += 1;
  return rest;
}

WalkStatus Tasks::for_each_task(const TaskVisitor& visit, const WalkLimits& limits) {
  WalkStatus inner_problem;
  bool stop = false;
  uint64_t total = 0;
  WalkStatus st = for_each_process(
      [&](uint64_t leader) {
        WalkStatus t = for_each_thread(leader, [&](uint64_t task) {
          if (++total > limits.max_entries) return false;
          if (!visit(task)) {
            stop = true;
            return false;
          }
          return true;
        }, limits);
        if (!t.ok() && inner_problem.ok()) inner_problem = t;
        return !stop && total <= limits.max_entries;
      },
      limits);
  st.visited = std::min(total, limits.max_entries);
  if (stop) st.stopped_early = true;
  if (total > limits.max_entries && st.ok()) {
    st.problem = fmt::format("tasks: stopped at the limit of {} entries", limits.max_entries);
  }
  if (st.ok() && !inner_problem.ok()) {
    st.problem = inner_problem.problem;
    st.problem_address = inner_problem.problem_address;
  }
  return st;
}

uint64_t Tasks::pid_task(uint64_t pid_struct) {
  if (!pid_struct || !off_pid_tasks_) return 0;
  uint64_t first = read_u64(mem_, pid_struct + *off_pid_tasks_ + pidtype_pid_ * layout_.size_of("struct hlist_head") + hlist_.first);
  if (!first) return 0;
  return first - (off_pid_links_ + pidtype_pid_ * hlist_node_size_);
}

uint64_t Tasks::find_pid(uint64_t pid_ns, uint64_t pid) {
  if (!idr_) throw LookupError("this kernel has no PID IDR (pid_namespace.idr)");
  if (pid_ns == 0) pid_ns = global_address(program_, "init_pid_ns");
  return idr_find(mem_, *idr_, pid_ns + *off_ns_idr_, pid);
}

std::optional<uint64_t> Tasks::find_task_in_ns(uint64_t pid_ns, uint64_t pid) {
  if (pid == 0) return init_task_;
  if (!idr_) {
    // No IDR (before 4.15): look through the task list instead.
    std::optional<uint64_t> found;
    for_each_task([&](uint64_t t) {
      if (static_cast<uint64_t>(this->pid(t)) == pid) found = t;
      return !found;
    });
    return found;
  }
  uint64_t task = pid_task(find_pid(pid_ns, pid));
  if (!task) return std::nullopt;
  return task;
}

std::optional<uint64_t> Tasks::find_task(uint64_t pid) { return find_task_in_ns(0, pid); }

WalkStatus Tasks::for_each_task_in_ns(uint64_t pid_ns, const TaskVisitor& visit, const WalkLimits& limits) {
  if (!idr_) throw LookupError("this kernel has no PID IDR (pid_namespace.idr)");
  if (pid_ns == 0) pid_ns = global_address(program_, "init_pid_ns");
  return walk_idr(mem_, *idr_, pid_ns + *off_ns_idr_,
                  [&](uint64_t, uint64_t pid_struct) {
                    uint64_t task = pid_task(pid_struct);
                    return task ? visit(task) : true;
                  },
                  limits);
}

// --- fields --------------------------------------------------------------------------

int64_t Tasks::pid(uint64_t task) { return static_cast<int32_t>(read_u32(mem_, task + off_pid_)); }
int64_t Tasks::tgid(uint64_t task) { return static_cast<int32_t>(read_u32(mem_, task + off_tgid_)); }
std::string Tasks::comm(uint64_t task) { return read_char_array(mem_, task + off_comm_, comm_size_); }
uint64_t Tasks::real_parent(uint64_t task) { return read_u64(mem_, task + off_real_parent_); }
int64_t Tasks::ppid(uint64_t task) {
  uint64_t parent = real_parent(task);
  return parent ? tgid(parent) : 0;
}
uint64_t Tasks::mm(uint64_t task) { return read_u64(mem_, task + off_mm_); }
uint64_t Tasks::cpu(uint64_t task) {
  if (!off_cpu_) return 0;
  return read_u32(mem_, task + *off_cpu_);
}
bool Tasks::is_group_leader(uint64_t task) { return read_u64(mem_, task + off_group_leader_) == task; }

void Tasks::load_state_chars() {
  if (state_chars_loaded_) return;
  std::optional<Object> arr = program_.find_object("task_state_array");
  if (!arr) throw LookupError("could not find 'task_state_array' (task state letters)");
  QualifiedType t = arr->underlying();
  if (t.type->kind() != TypeKind::Array || !t.type->length() || *t.type->length() > 64)
    throw TypeError("task_state_array is not an array of strings");
  uint64_t n = *t.type->length();
  std::vector<std::string> strings;
  for (uint64_t i = 0; i < n; ++i) strings.push_back(arr->subscript(static_cast<int64_t>(i)).read_c_string(64));
  // Walk backwards to the last letter that is a TASK_REPORT state; the entries up to
  // it are the reportable states, bit i - 1 for entry i ("R" is 0).
  std::optional<uint64_t> last;
  for (uint64_t i = n; i-- > 0;) {
    if (!strings[i].empty() && std::string_view("RSDTtXZP").find(strings[i][0]) != std::string_view::npos) {
      last = i;
      break;
    }
  }
  if (!last) throw BadDataError("could not parse task_state_array");
  task_report_ = (uint64_t(1) << *last) - 1;
  for (const std::string& s : strings) {
    state_chars_ += s.empty() ? '?' : s[0];
    size_t open = s.find('('), close = s.rfind(')');
    state_names_.push_back(open != std::string::npos && close > open ? s.substr(open + 1, close - open - 1) : s);
  }
  state_chars_loaded_ = true;
}

uint64_t Tasks::state_bits(uint64_t task) {
  uint64_t state = read_unsigned(mem_, task + off_state_, state_size_);
  uint64_t exit_state = read_u32(mem_, task + off_exit_state_);
  return state | exit_state;
}

TaskState Tasks::state(uint64_t task) {
  load_state_chars();
  uint64_t raw = read_unsigned(mem_, task + off_state_, state_size_);
  uint64_t bits = (raw | read_u32(mem_, task + off_exit_state_)) & task_report_;
  unsigned index = 0;
  while (bits >> index) ++index;  // fls()
  if (index >= state_chars_.size()) return {'?', "unknown"};
  // TASK_IDLE = TASK_UNINTERRUPTIBLE | TASK_NOLOAD is reported as 'I'.
  if (state_chars_[index] == 'D' && (raw & ~bits) == kTaskNoload) {
    size_t idle = state_chars_.find('I');
    if (idle != std::string::npos) return {'I', state_names_[idle]};
    return {'I', "idle"};
  }
  return {state_chars_[index], state_names_[index]};
}

// --- per-CPU -------------------------------------------------------------------------

uint64_t Tasks::per_cpu_offset(uint64_t cpu) {
  if (!per_cpu_offsets_) {
    std::optional<Object> offs = program_.find_object("__per_cpu_offset");
    if (!offs || !offs->is_reference()) throw LookupError("could not find '__per_cpu_offset' (per-CPU data)");
    QualifiedType t = offs->underlying();
    per_cpu_offsets_len_ = t.type->kind() == TypeKind::Array && t.type->length() ? *t.type->length() : 1;
    per_cpu_offsets_ = offs->address();
  }
  if (cpu >= per_cpu_offsets_len_)
    throw LookupError(fmt::format("CPU {} does not exist (NR_CPUS is {})", cpu, per_cpu_offsets_len_));
  return read_u64(mem_, *per_cpu_offsets_ + cpu * 8);
}

uint64_t Tasks::runqueue(uint64_t cpu) {
  if (!runqueues_) {
    runqueues_ = global_address(program_, "runqueues");
    off_rq_curr_ = layout_.offset("struct rq", "curr");
    off_rq_idle_ = layout_.offset("struct rq", "idle");
  }
  return *runqueues_ + per_cpu_offset(cpu);
}

uint64_t Tasks::cpu_curr(uint64_t cpu) {
  uint64_t rq = runqueue(cpu);
  return read_u64(mem_, rq + off_rq_curr_);
}

uint64_t Tasks::idle_task(uint64_t cpu) {
  uint64_t rq = runqueue(cpu);
  return read_u64(mem_, rq + off_rq_idle_);
}

std::vector<std::pair<uint64_t, uint64_t>> Tasks::active_tasks() {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (uint64_t cpu : possible_cpus(program_)) {
    try {
      out.emplace_back(cpu, cpu_curr(cpu));
    } catch (const FaultError&) {
      // A CPU whose per-CPU area is not in the dump has no known current task.
    }
  }
  return out;
}

}  // namespace kdive
