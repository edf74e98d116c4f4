// MmCounters: a process's resident set size from its mm_struct, as the kernel counts
// it in mm->rss_stat (MM_FILEPAGES + MM_ANONPAGES + MM_SHMEMPAGES, the enumerators
// from DWARF). Three layouts, told apart by the type of mm_struct.rss_stat:
//   struct percpu_counter rss_stat[NR_MM_COUNTERS] (6.2+, commit f1a7941243c1 "mm:
//     convert mm's rss stats into percpu_counter"): the exact value, as
//     percpu_counter_sum() computes it — `count` plus every possible CPU's s32 delta
//     in `counters` (a CPU that went offline folded its delta into count already);
//   struct mm_rss_stat { atomic_long_t count[]; } with SPLIT_RSS_COUNTING's per-task
//     caches task->rss_stat.count[] (before 6.2): the mm's counts plus the unsynced
//     deltas of every thread using the mm, as crash adds them;
//   the same without task->rss_stat.
//
//   MmCounters rss(program);
//   int64_t pages = rss.mm_pages(mm) + rss.task_pages(task);   // per thread of mm
//   std::string how = rss.layout_description();  // "mm->rss_stat[] percpu_counter sums"
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "linux/kernel_layout.h"

namespace kdive {

class Program;
class MemoryReader;

class MmCounters {
 public:
  // LookupError/TypeError naming the kernel release and the member when mm_struct's
  // rss_stat has none of the known layouts.
  explicit MmCounters(Program& program);

  // The resident pages counted in the mm_struct at `mm` (may be negative before the
  // per-task deltas are added). FaultError when unreadable.
  int64_t mm_pages(uint64_t mm);
  // The unsynced per-thread delta of `task` (0 on kernels without task->rss_stat).
  int64_t task_pages(uint64_t task);
  bool has_task_counters() const { return !task_offsets_.empty(); }
  // What was detected, for `info`: "mm->rss_stat[] percpu_counter (count + per-CPU
  // deltas)", "mm->rss_stat.count[] atomics plus task->rss_stat caches", ...
  std::string layout_description() const { return description_; }

 private:
  Program& program_;
  const MemoryReader& mem_;
  KernelLayout layout_;
  std::vector<uint64_t> mm_offsets_;  // per counter: of the atomic, or of the percpu_counter
  uint64_t mm_counter_size_ = 8;
  bool percpu_ = false;
  uint64_t off_pc_count_ = 0, off_pc_counters_ = 0;
  std::vector<uint64_t> cpu_offsets_;  // __per_cpu_offset[cpu] of every possible CPU
  std::vector<uint64_t> task_offsets_;
  std::string description_;
};

}  // namespace kdive
