// LockWaitFinder: see lock_wait.h. Layouts come from the debug info (DWARF or BTF);
// the only constants are the owner flag bits, which the kernel keeps in the low bits of
// the owner word because a task_struct is at least L1_CACHE_BYTES aligned:
//   mutex:        MUTEX_FLAGS 0x07 (WAITERS, HANDOFF, PICKUP; kernel/locking/mutex.c),
//   rw_semaphore: RWSEM_READER_OWNED bit 0 and the NONSPINNABLE bits 1-2 (rwsem.c),
//   rt_mutex:     RT_MUTEX_HAS_WAITERS bit 0 (rtmutex_common.h).
#include "linux/lock_wait.h"

#include <fmt/format.h>

#include <string_view>

#include "kdive/error.h"
#include "linux/tasks.h"
#include "linux/target_words.h"
#include "program/program.h"
#include "types/type_printer.h"

namespace kdive {
namespace {

constexpr uint64_t kMutexFlags = 0x7;
constexpr uint64_t kRwsemFlags = 0x7;
constexpr uint64_t kRwsemReaderOwned = 0x1;
constexpr uint64_t kRtMutexHasWaiters = 0x1;
constexpr size_t kMaxRingNodes = 65536;  // waiters of one lock; a longer ring is taken as cyclic garbage
constexpr uint64_t kDefaultThreadSize = 16384;

// "__mutex_lock.constprop.0" → "__mutex_lock": the compiler's clone suffixes go.
std::string_view base_name(std::string_view f) { return f.substr(0, f.find('.')); }

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

LockWaitFinder::LockWaitFinder(Tasks& tasks) : tasks_(tasks) {}

std::string LockWaitFinder::lock_kind(const std::vector<std::string>& functions) {
  // The outermost lock function decides: on PREEMPT_RT mutex_lock and down_read call
  // into rt_mutex_slowlock and rwbase_*, which sit inside them on the stack.
  std::string kind;
  for (const std::string& f : functions) {
    std::string_view n = base_name(f);
    while (!n.empty() && n.front() == '_') n.remove_prefix(1);
    if (starts_with(n, "mutex_lock")) kind = "mutex";
    else if (starts_with(n, "down_read") || starts_with(n, "down_write") || starts_with(n, "rwsem_down_"))
      kind = "rw_semaphore";
    else if (starts_with(n, "rt_mutex_lock") || starts_with(n, "rt_mutex_slowlock"))
      kind = kind.empty() ? "rt_mutex" : kind;
  }
  return kind;
}

std::optional<LockWait> LockWaitFinder::find(uint64_t task, const std::vector<std::string>& functions) {
  std::string kind = lock_kind(functions);
  if (kind.empty()) return std::nullopt;
  std::optional<LockWait> w = from_pi_blocked_on(task, kind);
  if (!w && kind == "mutex") w = from_blocked_on(task);
  if (!w && kind != "rt_mutex") w = from_stack(task, kind);
  if (w) name_lock(*w);
  return w;
}

std::optional<LockWait> LockWaitFinder::from_pi_blocked_on(uint64_t task, const std::string& kind) {
  KernelLayout& layout = tasks_.layout();
  std::optional<uint64_t> off = layout.find_offset("struct task_struct", "pi_blocked_on");
  if (!off) return std::nullopt;
  const MemoryReader& mem = tasks_.program().memory();
  uint64_t waiter = read_u64(mem, task + *off);
  if (!waiter) return std::nullopt;
  uint64_t base = read_u64(mem, waiter + layout.offset("struct rt_mutex_waiter", "lock"));
  if (!base) return std::nullopt;
  // struct rt_mutex_base (5.15+) or struct rt_mutex (before): both have .owner.
  std::optional<uint64_t> owner_off = layout.find_offset("struct rt_mutex_base", "owner");
  if (!owner_off) owner_off = layout.offset("struct rt_mutex", "owner");
  LockWait w;
  w.source = "pi_blocked_on";
  w.owner = read_u64(mem, base + *owner_off) & ~kRtMutexHasWaiters;
  // On PREEMPT_RT a mutex is an rt_mutex_base at .rtmutex and an rw_semaphore one at
  // .rwbase.rtmutex (kernel/locking/rwbase_rt.c): report the lock the code named.
  std::optional<uint64_t> inner;
  if (kind == "mutex") inner = layout.find_offset("struct mutex", "rtmutex");
  else if (kind == "rw_semaphore") inner = layout.find_offset("struct rw_semaphore", "rwbase.rtmutex");
  w.kind = inner ? kind : "rt_mutex";
  w.lock = base - inner.value_or(0);
  return w;
}

std::optional<LockWait> LockWaitFinder::from_blocked_on(uint64_t task) {
  Program& program = tasks_.program();
  if (!tasks_.layout().has_member("struct task_struct", "blocked_on")) return std::nullopt;
  Object on = Object::reference(program.object_env(), program.find_type("struct task_struct"), task).member("blocked_on");
  uint64_t p = on.as_unsigned();
  if (!p) return std::nullopt;
  std::string type = type_name(on.type());
  LockWait w;
  w.kind = "mutex";
  w.source = "blocked_on";
  if (type == "struct mutex *") {
    w.lock = p;
  } else if (type == "struct mutex_waiter *" && tasks_.layout().has_member("struct mutex_waiter", "lock")) {
    w.lock = read_u64(program.memory(), p + tasks_.layout().offset("struct mutex_waiter", "lock"));
  } else {
    return std::nullopt;
  }
  w.owner = read_u64(program.memory(), w.lock + tasks_.layout().offset("struct mutex", "owner")) & ~kMutexFlags;
  return w;
}

std::optional<LockWait> LockWaitFinder::from_stack(uint64_t task, const std::string& kind) {
  KernelLayout& layout = tasks_.layout();
  std::string waiter_type = kind == "mutex" ? "struct mutex_waiter" : "struct rwsem_waiter";
  std::string lock_type = kind == "mutex" ? "struct mutex" : "struct rw_semaphore";
  std::optional<uint64_t> list_off = layout.find_offset(waiter_type, "list");
  std::optional<uint64_t> task_off = layout.find_offset(waiter_type, "task");
  std::optional<uint64_t> wait_list_off = layout.find_offset(lock_type, "wait_list");
  std::optional<uint64_t> owner_off = layout.find_offset(lock_type, "owner");
  std::optional<uint64_t> stack_off = layout.find_offset("struct task_struct", "stack");
  if (!list_off || !task_off || !wait_list_off || !owner_off || !stack_off) return std::nullopt;
  const MemoryReader& mem = tasks_.program().memory();
  uint64_t base = read_u64(mem, task + *stack_off);
  uint64_t size = thread_size();
  // Only the live part: a waiter left below the saved stack pointer by an earlier wait
  // is dead memory (x86-64 thread.sp; the whole stack when the layout has none).
  uint64_t from = base;
  if (std::optional<uint64_t> sp_off = layout.find_offset("struct task_struct", "thread.sp")) {
    uint64_t sp = read_u64(mem, task + *sp_off);
    if (sp >= base && sp < base + size) from = sp & ~uint64_t{7};
  }
  std::vector<uint8_t> words(base + size - from);
  mem.read(from, words.data(), words.size());
  for (size_t i = 0; i + 8 <= words.size(); i += 8) {
    uint64_t v = 0;
    for (int b = 7; b >= 0; --b) v = v << 8 | words[i + b];
    if (v != task || from + i < *task_off) continue;
    uint64_t node = from + i - *task_off + *list_off;
    std::optional<uint64_t> head;
    try {
      head = ring_head(node, *list_off, *task_off);
    } catch (const FaultError&) {
      continue;  // not a list: a stray copy of the task pointer
    }
    if (!head) continue;
    LockWait w;
    w.kind = kind;
    w.source = "stack";
    w.lock = *head - *wait_list_off;
    uint64_t owner = read_u64(mem, w.lock + *owner_off);
    if (kind == "mutex") {
      w.owner = owner & ~kMutexFlags;
    } else {
      w.owner = owner & ~kRwsemFlags;
      w.reader_owned = owner & kRwsemReaderOwned;
    }
    return w;
  }
  return std::nullopt;
}

std::optional<uint64_t> LockWaitFinder::ring_head(uint64_t node, uint64_t list_off, uint64_t task_off) {
  const MemoryReader& mem = tasks_.program().memory();
  // list_head is {next, prev}: a node is on a ring when its neighbours point back.
  uint64_t next = read_u64(mem, node);
  if (read_u64(mem, next + 8) != node || read_u64(mem, read_u64(mem, node + 8)) != node) return std::nullopt;
  std::optional<uint64_t> head;
  size_t heads = 0;
  uint64_t n = next;
  for (size_t steps = 0; n != node; ++steps) {
    if (steps == kMaxRingNodes) return std::nullopt;
    uint64_t waiter_task = read_u64(mem, n - list_off + task_off);
    bool waiter = false;
    try {
      waiter = on_task_stack(waiter_task, n);
    } catch (const FaultError&) {
      // Not a task pointer: this node is not a waiter.
    }
    if (!waiter) {
      head = n;
      ++heads;
    }
    uint64_t after = read_u64(mem, n);
    if (read_u64(mem, after + 8) != n) return std::nullopt;
    n = after;
  }
  if (heads != 1) return std::nullopt;
  return head;
}

bool LockWaitFinder::on_task_stack(uint64_t task, uint64_t address) {
  uint64_t base = read_u64(tasks_.program().memory(), task + tasks_.layout().offset("struct task_struct", "stack"));
  return base && address >= base && address - base < thread_size();
}

uint64_t LockWaitFinder::thread_size() {
  if (thread_size_) return thread_size_;
  thread_size_ = kDefaultThreadSize;
  try {
    if (std::optional<Object> t = tasks_.program().find_object("THREAD_SIZE")) thread_size_ = t->as_unsigned();
  } catch (const Error&) {
    // No init-task stack symbols: x86-64's 16 KiB (KASAN kernels use 32 KiB and have them).
  }
  return thread_size_;
}

void LockWaitFinder::name_lock(LockWait& w) {
  std::optional<SymbolInfo> s = tasks_.program().debug_info().symbolize(w.lock);
  if (!s || w.lock - s->address >= std::max<uint64_t>(s->size, 1)) return;
  w.symbol = w.lock == s->address ? s->name : fmt::format("{}+{:#x}", s->name, w.lock - s->address);
}

}  // namespace kdive
