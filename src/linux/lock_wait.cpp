// LockWaitFinder: see lock_wait.h. Layouts come from the debug info (DWARF or BTF);
// the only constants are the owner flag bits, which the kernel keeps in the low bits of
// the owner word because a task_struct is at least L1_CACHE_BYTES aligned:
//   mutex:        MUTEX_FLAGS 0x07 (WAITERS, HANDOFF, PICKUP; kernel/locking/mutex.c),
//   rw_semaphore: RWSEM_READER_OWNED bit 0 and the NONSPINNABLE bits 1-2 (rwsem.c),
//   rt_mutex:     RT_MUTEX_HAS_WAITERS bit 0 (rtmutex_common.h).
#include "linux/lock_wait.h"

#include <fmt/format.h>

#include <set>
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
    else if (starts_with(n, "rt_spin_lock")) kind = "spinlock";
    else if (starts_with(n, "rt_read_lock") || starts_with(n, "rt_write_lock")) kind = "rwlock";
    // PREEMPT_RT's rw_semaphore and rwlock_t share rwbase_rt; an rwlock's frames name
    // rt_read_lock/rt_write_lock further out (kernel/locking/spinlock_rt.c).
    else if (starts_with(n, "rwbase_")) kind = kind == "rwlock" ? kind : "rw_semaphore";
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
  if (!w && (kind == "mutex" || kind == "rw_semaphore")) w = from_stack(task, kind);
  if (w) name_lock(*w);
  return w;
}

std::optional<LockWait> LockWaitFinder::find_on_stack(uint64_t task, const std::vector<std::string>& functions) {
  std::string kind = lock_kind(functions);
  if (kind != "mutex" && kind != "rw_semaphore") return std::nullopt;
  std::optional<LockWait> w = from_stack(task, kind);
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
  else if (kind == "spinlock") inner = layout.find_offset("spinlock_t", "lock");
  else if (kind == "rwlock") inner = layout.find_offset("rwlock_t", "rwbase.rtmutex");
  w.kind = inner ? kind : "rt_mutex";
  w.lock = base - inner.value_or(0);
  return w;
}

std::optional<LockWait> LockWaitFinder::from_blocked_on(uint64_t task) {
  Program& program = tasks_.program();
  if (!tasks_.layout().has_member("struct task_struct", "blocked_on")) return std::nullopt;
  Object on = Object::reference(program.object_env(), program.find_type("struct task_struct"), task).member("blocked_on");
  uint64_t p = on.as_unsigned();
  // NULL, or a marker rather than a lock (proxy execution's PROXY_WAKING, -1): the
  // stack method decides.
  if (p < (uint64_t{1} << 63) || p == ~uint64_t{0}) return std::nullopt;
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
  WaiterLayout wl;
  std::optional<uint64_t> list_off = layout.find_offset(waiter_type, "list");
  std::optional<uint64_t> task_off = layout.find_offset(waiter_type, "task");
  // The lock heads its waiter ring with a list_head (wait_list), or, since 7.0, points
  // at its first waiter and the waiters form the ring alone (first_waiter).
  std::optional<uint64_t> wait_list_off = layout.find_offset(lock_type, "wait_list");
  std::optional<uint64_t> first_off = layout.find_offset(lock_type, "first_waiter");
  std::optional<uint64_t> owner_off = layout.find_offset(lock_type, "owner");
  if (!list_off || !task_off || !owner_off || (!wait_list_off && !first_off)) return std::nullopt;
  wl.list_off = *list_off;
  wl.task_off = *task_off;
  std::vector<uint64_t> stack = live_stack_words(task);
  for (size_t i = 0; i < stack.size(); ++i) {
    if (stack[i] != task || stack_from_ + 8 * i < wl.task_off) continue;
    uint64_t node = stack_from_ + 8 * i - wl.task_off + wl.list_off;
    std::optional<uint64_t> lock;
    try {
      std::optional<std::vector<uint64_t>> ring = waiter_ring(node);
      if (!ring) continue;
      if (wait_list_off) {
        if (std::optional<uint64_t> head = ring_head(*ring, wl)) lock = *head - *wait_list_off;
      } else {
        lock = lock_pointing_at(*ring, stack, wl.list_off, *first_off);
      }
    } catch (const FaultError&) {
      continue;  // not a list: a stray copy of the task pointer
    }
    if (!lock) continue;
    LockWait w;
    w.kind = kind;
    w.source = "stack";
    w.lock = *lock;
    uint64_t owner = read_u64(tasks_.program().memory(), w.lock + *owner_off);
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

std::vector<uint64_t> LockWaitFinder::live_stack_words(uint64_t task) {
  KernelLayout& layout = tasks_.layout();
  const MemoryReader& mem = tasks_.program().memory();
  uint64_t base = read_u64(mem, task + layout.offset("struct task_struct", "stack"));
  uint64_t size = thread_size();
  // Only the live part: a waiter left below the saved stack pointer by an earlier wait
  // is dead memory (x86-64 thread.sp; the whole stack when the layout has none).
  stack_base_ = base;
  stack_from_ = base;
  if (std::optional<uint64_t> sp_off = layout.find_offset("struct task_struct", "thread.sp")) {
    uint64_t sp = read_u64(mem, task + *sp_off);
    if (sp >= base && sp < base + size) stack_from_ = sp & ~uint64_t{7};
  }
  std::vector<uint8_t> bytes(base + size - stack_from_);
  mem.read(stack_from_, bytes.data(), bytes.size());
  std::vector<uint64_t> words(bytes.size() / 8);
  for (size_t i = 0; i < words.size(); ++i)
    for (int b = 7; b >= 0; --b) words[i] = words[i] << 8 | bytes[8 * i + b];
  return words;
}

std::optional<std::vector<uint64_t>> LockWaitFinder::waiter_ring(uint64_t node) {
  const MemoryReader& mem = tasks_.program().memory();
  // list_head is {next, prev}: a node is on a ring when its neighbours point back.
  if (read_u64(mem, read_u64(mem, node + 8)) != node) return std::nullopt;
  std::vector<uint64_t> ring{node};
  for (uint64_t n = read_u64(mem, node); n != node; ) {
    if (ring.size() == kMaxRingNodes) return std::nullopt;
    uint64_t after = read_u64(mem, n);
    if (read_u64(mem, after + 8) != n) return std::nullopt;
    ring.push_back(n);
    n = after;
  }
  if (ring.size() < 2 && read_u64(mem, node) != node) return std::nullopt;
  return ring;
}

std::optional<uint64_t> LockWaitFinder::ring_head(const std::vector<uint64_t>& ring, const WaiterLayout& wl) {
  std::optional<uint64_t> head;
  size_t heads = 0;
  for (uint64_t n : ring) {
    bool waiter = false;
    try {
      waiter = on_task_stack(read_u64(tasks_.program().memory(), n - wl.list_off + wl.task_off), n);
    } catch (const FaultError&) {
      // Not a task pointer: this node is not a waiter.
    }
    if (!waiter) {
      head = n;
      ++heads;
    }
  }
  if (heads != 1) return std::nullopt;
  return head;
}

std::optional<uint64_t> LockWaitFinder::lock_pointing_at(const std::vector<uint64_t>& ring,
                                                         const std::vector<uint64_t>& stack, uint64_t list_off,
                                                         uint64_t first_off) {
  // The lock is live in the slow path across schedule(), so a callee-saved register
  // holds it and __switch_to_asm pushed that register on this stack: the word whose
  // first_waiter is one of the ring's waiters. Words pointing into this stack are
  // skipped: a saved frame pointer 24 bytes below a waiter would pass the test.
  std::set<uint64_t> waiters;
  for (uint64_t n : ring) waiters.insert(n - list_off);
  const MemoryReader& mem = tasks_.program().memory();
  std::set<uint64_t> locks;
  for (uint64_t w : stack) {
    if (w < (uint64_t{1} << 63) || w + first_off < w || (w >= stack_base_ && w - stack_base_ < thread_size()))
      continue;
    try {
      if (waiters.count(read_u64(mem, w + first_off))) locks.insert(w);
    } catch (const FaultError&) {
    }
  }
  if (locks.size() != 1) return std::nullopt;
  return *locks.begin();
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
