// ps rows (process_status.h).
#include "linux/process_status.h"

#include <fnmatch.h>

#include <map>

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/cpumask.h"
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

namespace {

// How to read a task's resident set size (see the header).
struct RssReader {
  Program& program;
  KernelLayout& layout;
  const MemoryReader& mem;
  std::vector<uint64_t> counters;  // MM_FILEPAGES, MM_ANONPAGES, MM_SHMEMPAGES
  std::vector<uint64_t> mm_offsets;
  uint64_t mm_counter_size = 8;
  std::vector<uint64_t> task_offsets;  // task->rss_stat.count[i], if any
  uint64_t off_total_vm = 0;

  RssReader(Program& p, KernelLayout& l) : program(p), layout(l), mem(p.memory()) {
    for (const char* name : {"MM_FILEPAGES", "MM_ANONPAGES", "MM_SHMEMPAGES"}) {
      if (std::optional<Object> e = p.find_object(name)) counters.push_back(e->as_unsigned());
    }
    const char* mm = "struct mm_struct";
    off_total_vm = layout.offset(mm, "total_vm");
    if (auto base = layout.find_offset(mm, "rss_stat.count")) {
      uint64_t elem = layout.member_size(mm, "rss_stat.count[0]");
      for (uint64_t c : counters) mm_offsets.push_back(*base + c * elem);
      mm_counter_size = elem;
    } else {
      uint64_t base2 = layout.offset(mm, "rss_stat");
      uint64_t elem = layout.size_of("struct percpu_counter");
      uint64_t count = layout.offset("struct percpu_counter", "count");
      for (uint64_t c : counters) mm_offsets.push_back(base2 + c * elem + count);
      mm_counter_size = 8;
    }
    if (auto tbase = layout.find_offset("struct task_struct", "rss_stat.count")) {
      uint64_t elem = layout.member_size("struct task_struct", "rss_stat.count[0]");
      for (uint64_t c : counters) task_offsets.push_back(*tbase + c * elem);
    }
  }

  int64_t mm_pages(uint64_t mm_addr) {
    int64_t sum = 0;
    for (uint64_t off : mm_offsets) {
      uint64_t v = read_unsigned(mem, mm_addr + off, mm_counter_size);
      sum += mm_counter_size == 8 ? static_cast<int64_t>(v) : static_cast<int32_t>(v);
    }
    return sum;
  }
  int64_t task_pages(uint64_t task) {
    int64_t sum = 0;
    for (uint64_t off : task_offsets) sum += static_cast<int32_t>(read_u32(mem, task + off));
    return sum;
  }
};

}  // namespace

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

  RssReader rss(program, tasks.layout());
  // Unsynced per-thread RSS deltas, summed per mm.
  std::map<uint64_t, int64_t> mm_rss;
  if (!rss.task_offsets.empty()) {
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
        r.vsz_kib = read_u64(mem, mm + rss.off_total_vm) * page_kib;
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
