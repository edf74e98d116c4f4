// `ps`: one row per task in crash's shape — PID, PPID, CPU, TASK, ST, %MEM, VSZ, RSS,
// COMM, with '>' marking the task running on a CPU — and filters (kernel threads
// only, user tasks only, by state letter, by comm glob). As crash does, the idle task
// of every CPU is listed (PID 0, "swapper/N") before the others.
//   ST:   crash's two-letter codes for the state letters (RU IN UN ST TR DE ZO PA ID);
//   RSS:  the mm's resident pages (mm_counters.h: MM_FILEPAGES + MM_ANONPAGES +
//         MM_SHMEMPAGES, whichever rss_stat layout the kernel has), plus each
//         thread's unsynced task->rss_stat when the kernel has one, as crash adds them;
//   VSZ:  mm->total_vm pages; %MEM: RSS over _totalram_pages.
// Kernel threads are the tasks without an mm (comm printed in brackets).
//
//   Tasks tasks(program);
//   PsOptions opt; opt.states = "D";
//   std::vector<PsRow> rows = process_status(tasks, opt, &status);
//   std::cout << format_ps(rows);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "linux/tasks.h"

namespace kdive {

struct PsRow {
  uint64_t task = 0;
  int64_t pid = 0, ppid = 0;
  uint64_t cpu = 0;
  TaskState state;
  double mem_percent = 0;
  uint64_t vsz_kib = 0, rss_kib = 0;
  std::string comm;
  bool active = false;         // running on its CPU at the time of the dump
  bool kernel_thread = false;
};

struct PsOptions {
  bool kernel_only = false;  // -k
  bool user_only = false;    // -u
  std::string states;        // -s: state letters to keep ("DR"), empty = all
  std::string comm_pattern;  // fnmatch(3) glob on comm, empty = all
  bool idle_tasks = true;    // list each CPU's idle task first
};

std::vector<PsRow> process_status(Tasks& tasks, const PsOptions& options, WalkStatus* status = nullptr);

// crash's two-letter state code for a state letter ("RU" for 'R').
const char* crash_state_code(char letter);

std::string format_ps(const std::vector<PsRow>& rows);

}  // namespace kdive
