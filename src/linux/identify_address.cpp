// AddressIdentifier implementation (identify_address.h). The order of the checks is
// drgn's (slab first, then symbols) with task stacks in between; the slab allocator,
// the task stacks and the running tasks are read once and kept.
#include "linux/identify_address.h"

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/cpumask.h"
#include "linux/kernel_layout.h"
#include "linux/slab.h"
#include "linux/target_words.h"
#include "linux/tasks.h"
#include "program/program.h"
#include "program/stack_trace.h"

namespace kdive {

namespace {

// Used only when neither the init stack symbols nor a vm_struct can tell: x86-64's
// THREAD_SIZE without KASAN (PAGE_SIZE << 2).
constexpr uint64_t kDefaultThreadSize = 16384;

std::optional<uint64_t> symbol_address(Program& program, std::string_view name) {
  for (const auto& m : program.debug_info().modules()) {
    if (m->kind() != DebugModule::Kind::Kernel) continue;
    for (const Symbol& s : m->symbols().lookup(name)) return s.address;
  }
  if (const DumpDebugInfo* dump = program.debug_info().dump_debug_info()) return dump->symbol_address(name);
  return std::nullopt;
}

}  // namespace

AddressIdentifier::AddressIdentifier(Program& program) : program_(program) {}
AddressIdentifier::~AddressIdentifier() = default;

SlubAllocator* AddressIdentifier::slab() {
  if (!slab_tried_) {
    slab_tried_ = true;
    try {
      slab_ = std::make_unique<SlubAllocator>(program_);
    } catch (const LookupError&) {
    }
  }
  return slab_.get();
}

uint64_t AddressIdentifier::thread_size() {
  if (thread_size_) return thread_size_;
  std::optional<uint64_t> start = symbol_address(program_, "__start_init_task");
  std::optional<uint64_t> end = symbol_address(program_, "__end_init_task");
  if (start && end && *end > *start && *end - *start <= (uint64_t(1) << 20)) thread_size_ = *end - *start;
  else thread_size_ = kDefaultThreadSize;
  return thread_size_;
}

void AddressIdentifier::load_stacks() {
  if (stacks_loaded_) return;
  stacks_loaded_ = true;
  tasks_ = std::make_unique<Tasks>(program_);
  KernelLayout& layout = tasks_->layout();
  std::optional<uint64_t> off_stack = layout.find_offset("struct task_struct", "stack");
  if (!off_stack) return;
  std::optional<uint64_t> off_vm = layout.find_offset("struct task_struct", "stack_vm_area");
  const MemoryReader& mem = program_.memory();
  uint64_t size = thread_size();
  auto add = [&](uint64_t task) {
    try {
      TaskStackInfo s;
      s.task = task;
      s.base = read_u64(mem, task + *off_stack);
      if (!s.base) return;
      s.size = size;
      s.vmap = off_vm && read_u64(mem, task + *off_vm) != 0;
      s.pid = tasks_->pid(task);
      s.comm = tasks_->comm(task);
      stacks_.emplace(s.base, std::move(s));
    } catch (const FaultError&) {
    }
  };
  stacks_status_ = tasks_->for_each_task([&](uint64_t task) {
    add(task);
    return true;
  });
  // The idle tasks (PID 0) are not on the task list; their stacks are still stacks.
  try {
    for (const auto& [cpu, task] : tasks_->active_tasks()) running_[task] = cpu;
    add(tasks_->init_task());
    for (uint64_t cpu : possible_cpus(program_)) {
      uint64_t idle = tasks_->idle_task(cpu);
      if (idle) add(idle);
    }
  } catch (const Error&) {
    // Without runqueues the idle stacks stay unknown; the others are still listed.
  }
}

std::optional<TaskStackInfo> AddressIdentifier::stack_of(uint64_t address) {
  load_stacks();
  auto it = stacks_.upper_bound(address);
  if (it == stacks_.begin()) return std::nullopt;
  --it;
  if (address - it->second.base >= it->second.size) return std::nullopt;
  return it->second;
}

std::optional<std::pair<uint64_t, std::string>> AddressIdentifier::stack_pointer(uint64_t task) {
  load_stacks();
  auto run = running_.find(task);
  if (run != running_.end()) {
    try {
      if (!engine_) engine_ = std::make_unique<StackTraceEngine>(program_);
      ThreadRef t = engine_->thread_of_task(tasks_->task_pointer(task));
      if (t.cpu < 0) t.cpu = static_cast<int>(run->second);
      RegisterState regs = engine_->initial_registers(t);
      if (std::optional<uint64_t> sp = regs.get(kRegRsp))
        return std::make_pair(*sp, fmt::format("stack pointer of CPU {}", t.cpu));
    } catch (const Error&) {
    }
    return std::nullopt;
  }
  try {
    uint64_t off = tasks_->layout().offset("struct task_struct", "thread.sp");
    return std::make_pair(read_u64(program_.memory(), task + off), std::string("saved stack pointer"));
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::optional<std::string> AddressIdentifier::identify(uint64_t address) {
  if (SlubAllocator* s = slab()) {
    std::optional<SlabObjectInfo> info;
    try {
      info = s->object_info(address);
    } catch (const Error& e) {
      // A PG_slab page whose cache or freelist cannot be read or makes no sense: still
      // slab memory, and the reason is the useful answer.
      return fmt::format("slab object of a corrupt slab ({})", e.what());
    }
    if (info && !info->allocated_unknown.empty())
      return fmt::format("slab object: {}+{:#x} (allocated or free: unknown, {})", info->cache_name,
                         address - info->address, info->allocated_unknown);
    if (info)
      return fmt::format("{}slab object: {}+{:#x}", info->allocated ? "" : "free ", info->cache_name,
                         address - info->address);
  }
  if (std::optional<TaskStackInfo> st = stack_of(address)) {
    std::string out = fmt::format("{} stack: {} ({}) +{:#x}", st->vmap ? "vmap" : "task", st->pid, st->comm,
                                  address - st->base);
    std::optional<std::pair<uint64_t, std::string>> sp = stack_pointer(st->task);
    if (!sp || sp->first < st->base || sp->first - st->base >= st->size) {
      out += " (live part unknown)";
    } else if (address >= sp->first) {
      out += fmt::format(" (live: {:#x} bytes above the {})", address - sp->first, sp->second);
    } else {
      out += fmt::format(" (dead: {:#x} bytes below the {})", sp->first - address, sp->second);
    }
    return out;
  }
  for (const auto& m : program_.debug_info().modules()) {
    std::optional<SymbolizedAddress> sym = m->symbols().symbolize(address);
    if (!sym) continue;
    bool function = false;
    for (const Symbol& s : m->symbols().lookup(sym->name))
      if (s.address == sym->symbol_address) function = function || s.is_function;
    return fmt::format("{} symbol: {}+{:#x}", function ? "function" : "object", sym->name, sym->offset);
  }
  if (const DumpDebugInfo* dump = program_.debug_info().dump_debug_info()) {
    // kallsyms: nm's letter says text or data; a module symbol names its module.
    if (std::optional<SymbolInfo> sym = dump->symbolize(address)) {
      std::string out = fmt::format("{} symbol: {}+{:#x}", dump->is_text_symbol(*sym) ? "function" : "object",
                                    sym->name, address - sym->address);
      if (!sym->module.empty()) out += " [" + sym->module + "]";
      return out;
    }
  }
  return std::nullopt;
}

}  // namespace kdive
