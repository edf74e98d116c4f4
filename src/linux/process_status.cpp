// ps rows (process_status.h).
#include "linux/process_status.h"

#include <fnmatch.h>

#include <map>

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/cpumask.h"
#include "linux/mm_counters.h"
#include "linux/target_words.h"
#include "program/program.h"

namespace kdive {

const char* crash_state_code(char letter) {
  switch (letter) {
    case 'R': return "RU";
    case 'S': return "IN";
    case 'D': return "UN";
    case 'T': return "ST";
    case 't': return "TR";
    case 'X': return "DE";
    case 'Z': return "ZO";
    case 'P': return "PA";
    case 'I': return "ID";
    default: return "??";
  }
}


std::vector<PsRow> process_status(Tasks& tasks, const PsOptions& options, WalkStatus* status) {
  Program& program = tasks.program();
  const MemoryReader& mem = program.memory();
  std::vector<uint64_t> all;
  if (options.idle_tasks) {
    for (uint64_t cpu : possible_cpus(program)) {
      try {
        all.push_back(tasks.idle_task(cpu));
      } catch (const FaultError&) {
      }
    }
  }
  WalkStatus st = tasks.for_each_task([&](uint64_t t) {
    all.push_back(t);
    return true;
  });
  if (status) *status = st;

  std::map<uint64_t, bool> active;
  for (auto [cpu, t] : tasks.active_tasks()) active[t] = true;

  uint64_t page_kib = 4;
  if (const Vmcoreinfo* vi = program.vmcoreinfo()) page_kib = vi->page_size().value_or(4096) / 1024;
  uint64_t total_pages = 0;
  if (std::optional<Object> t = program.find_object("_totalram_pages")) total_pages = t->member("counter").as_unsigned();
  else if (std::optional<Object> t2 = program.find_object("totalram_pages")) total_pages = t2->as_unsigned();

  MmCounters rss(program);
  uint64_t off_total_vm = tasks.layout().offset("struct mm_struct", "total_vm");
  // Unsynced per-thread RSS deltas, summed per mm.
  std::map<uint64_t, int64_t> mm_rss;
  if (rss.has_task_counters()) {
    for (uint64_t t : all) {
      try {
        if (uint64_t mm = tasks.mm(t)) mm_rss[mm] += rss.task_pages(t);
      } catch (const FaultError&) {
      }
    }
  }

  std::vector<PsRow> rows;
  for (uint64_t t : all) {
    PsRow r;
    r.task = t;
    try {
      r.pid = tasks.pid(t);
      r.ppid = tasks.ppid(t);
      r.cpu = tasks.cpu(t);
      r.state = tasks.state(t);
      r.comm = tasks.comm(t);
      uint64_t mm = tasks.mm(t);
      r.kernel_thread = mm == 0;
      if (mm) {
        int64_t pages = rss.mm_pages(mm) + mm_rss[mm];
        if (pages < 0) pages = 0;
        r.rss_kib = static_cast<uint64_t>(pages) * page_kib;
        r.vsz_kib = read_u64(mem, mm + off_total_vm) * page_kib;
        if (total_pages) r.mem_percent = 100.0 * static_cast<double>(pages) / static_cast<double>(total_pages);
      }
    } catch (const FaultError& e) {
      r.comm = fmt::format("(unreadable: {})", e.what());
    }
    r.active = active.count(t) != 0;
    if (options.kernel_only && !r.kernel_thread) continue;
    if (options.user_only && r.kernel_thread) continue;
    if (!options.states.empty() && options.states.find(r.state.letter) == std::string::npos) continue;
    if (!options.comm_pattern.empty() && fnmatch(options.comm_pattern.c_str(), r.comm.c_str(), 0) != 0) continue;
    rows.push_back(std::move(r));
  }
  return rows;
}

std::string format_ps(const std::vector<PsRow>& rows) {
  std::string out = "   PID    PPID  CPU        TASK        ST  %MEM      VSZ      RSS  COMM\n";
  for (const PsRow& r : rows) {
    std::string comm = r.kernel_thread ? "[" + r.comm + "]" : r.comm;
    out += fmt::format("{}{:>6} {:>7} {:>4}  {:016x}  {}  {:>4.1f} {:>8} {:>8}  {}\n", r.active ? '>' : ' ', r.pid,
                       r.ppid, r.cpu, r.task, crash_state_code(r.state.letter), r.mem_percent, r.vsz_kib,
                       r.rss_kib, comm);
  }
  return out;
}

}  // namespace kdive
