// TriageReport: the first answer about a kernel crash dump in one pass — the kernel,
// the crash (title, type and explained fault of the report in the dump's own log), the
// crashed thread's stack with the variables of its faulting frame, blocked (D-state)
// tasks grouped by identical stack with the lock each waits for and its owner, what each CPU was running, memory and the largest
// slab caches, recent warnings, tainting modules, and the crash signature used to
// deduplicate dumps (crash_signature.h). Every section is built on its own: one that
// fails leaves its reason in `problems` and the rest of the report stands.
//
//   TriageReport r = triage_dump(program);
//   r.signature.key;  r.crash.title;  r.crashed.frames[0].function;
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "triage/crash_signature.h"

namespace kdive {

class Program;

struct TriageFrame {
  std::string function;  // as drgn names the frame ("" when no debug info names it)
  std::string symbol;    // "func+0x1f/0x80" (with " [module]" for module code), or ""
  uint64_t pc = 0;
  std::string source;    // "kernel/sched/core.c:5257:2", "" when not known
  bool inlined = false;
};

struct TriageVariable {
  std::string name;
  std::string value;  // drgn's str(Object); "<absent: why>" when optimized out
};

// The lock a blocked task sleeps on and the task that holds it (linux/lock_wait.h).
struct TriageLockWait {
  std::string kind;    // "mutex", "rw_semaphore", "rt_mutex"
  uint64_t lock = 0;
  std::string symbol;  // the lock's global name, "" for one on the heap
  uint64_t owner = 0;  // struct task_struct *, 0 when the lock records no owner
  std::optional<int64_t> owner_pid;
  std::string owner_comm;
  char owner_state = '?';
  bool reader_owned = false;  // held for read: owner is the last reader
  std::string source;         // "pi_blocked_on", "blocked_on", "stack"
};

struct TriageThread {
  int64_t pid = 0;
  std::string comm;
  uint64_t task = 0;  // struct task_struct *
  int cpu = -1;       // running on this CPU, -1 when not running
  char state = '?';
  // How long before the dump the task last got a CPU: its CPU's rq->clock minus its
  // sched_info.last_arrival (CONFIG_SCHED_INFO), as crash's `ps -m` measures it.
  std::optional<uint64_t> last_ran_ns_ago;
  std::optional<TriageLockWait> waits_for;  // blocked tasks: the lock they queue on
  std::vector<TriageFrame> frames;
  std::string stack_end;  // why the trace stopped early, "" when it ended normally
  // The crashed thread: the frame that faulted (the report's RIP) and its variables.
  std::optional<size_t> faulting_frame;
  std::vector<TriageVariable> variables;
};

// Blocked tasks whose stacks are the same, PC for PC.
struct TriageTaskGroup {
  std::vector<TriageThread> tasks;  // without frames: the group's are below
  std::vector<TriageFrame> frames;
};

struct TriageCrash {
  bool found = false;  // a crash report was in the log
  std::string title, type, kind;  // syzkaller-style title, its TYPE, kdive's report kind
  std::string first_line, timestamp;
  bool panicked = false;
  std::optional<int> cpu, pid;
  std::string comm;
  std::string rip;  // "func+0x1f/0x80"
  std::string explanation, explanation_kind;
  std::vector<std::string> other_reports;  // titles of the log's other reports
};

struct TriageSlabCache {
  std::string name;
  uint64_t objects = 0, active = 0, bytes = 0;  // /proc/slabinfo's figures
};

struct TriageMemory {
  uint64_t total_bytes = 0;
  std::optional<uint64_t> free_bytes;  // vm_zone_stat[NR_FREE_PAGES]
  std::vector<TriageSlabCache> top_caches;
};

struct TriageModule {
  std::string name;
  std::vector<std::string> taints;  // "OOT_MODULE", "UNSIGNED_MODULE", ...
};

struct TriageReport {
  std::string release, version, machine, nodename, build_id;
  // Where symbols and types came from: the vmlinux with DWARF, or the dump alone
  // (kallsyms and BTF; then no source lines, inline frames or variables).
  std::string debug_info;
  std::optional<uint64_t> uptime_ns;
  uint64_t cpus = 0;
  std::optional<std::string> panic_message;
  std::string taint;  // "Not tainted" / "Tainted: G O"
  TriageCrash crash;
  CrashSignature signature;
  std::optional<TriageThread> crashed;
  std::vector<TriageThread> running;  // per CPU, with their top frames
  std::vector<TriageTaskGroup> blocked;
  size_t blocked_tasks = 0;  // D-state tasks found (groups may hold fewer)
  std::optional<TriageMemory> memory;
  std::vector<std::string> warnings;  // recent log lines at warning level or above
  std::vector<TriageModule> tainting_modules;
  // Sections that could not be built: {"section", "why"}.
  std::vector<std::pair<std::string, std::string>> problems;
};

struct TriageOptions {
  size_t top_caches = 5;
  size_t max_warnings = 20;
  size_t running_frames = 5;     // frames shown per CPU's running task
  size_t max_blocked_stacks = 256;  // D-state tasks whose stacks are unwound
  size_t max_value_chars = 2000;    // a variable's printed value is cut here
  bool slab = true;    // the largest slab caches (one read of every cache's node counters)
  bool stacks = true;  // the crashed thread, each CPU's task and the blocked tasks
};

// Never throws for a bad dump: failures are recorded per section.
TriageReport triage_dump(Program& program, const TriageOptions& options = {});

}  // namespace kdive
