// MmCounters implementation (mm_counters.h): the layout is chosen once, from the type
// of mm_struct.rss_stat, and each read is a few words.
#include "linux/mm_counters.h"

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/cpumask.h"
#include "linux/target_words.h"
#include "program/program.h"
#include "types/type_layout.h"

namespace kdive {

MmCounters::MmCounters(Program& program) : program_(program), mem_(program.memory()), layout_(program) {
  const char* mm = "struct mm_struct";
  std::vector<uint64_t> counters;
  for (const char* name : {"MM_FILEPAGES", "MM_ANONPAGES", "MM_SHMEMPAGES"})
    if (std::optional<Object> e = program.find_object(name)) counters.push_back(e->as_unsigned());
  if (counters.empty())
    throw LookupError(fmt::format("kernel {}: no MM_FILEPAGES/MM_ANONPAGES enumerators (enum mm counters)",
                                  program.kernel_release()));
  const uint64_t base = layout_.first_offset(mm, {"rss_stat"});
  QualifiedType rss = underlying_type(resolve_designator(layout_.type(mm), "rss_stat").type);
  if (rss.type->kind() == TypeKind::Array) {
    // 6.2+: an array of struct percpu_counter.
    percpu_ = true;
    uint64_t elem = layout_.size_of("struct percpu_counter");
    off_pc_count_ = layout_.offset("struct percpu_counter", "count");
    off_pc_counters_ = layout_.offset("struct percpu_counter", "counters");
    for (uint64_t c : counters) mm_offsets_.push_back(base + c * elem);
    std::optional<Object> offsets = program.find_object("__per_cpu_offset");
    if (!offsets || !offsets->is_reference()) throw LookupError("could not find '__per_cpu_offset'");
    uint64_t n = type_sizeof(offsets->type()) / 8;
    for (uint64_t cpu : possible_cpus(program))
      if (cpu < n) cpu_offsets_.push_back(read_u64(mem_, offsets->address() + cpu * 8));
    description_ = "mm->rss_stat[] percpu_counter (count + per-CPU deltas)";
  } else {
    std::optional<uint64_t> count = layout_.find_offset(mm, "rss_stat.count");
    if (!count)
      throw LookupError(fmt::format("kernel {}: 'struct mm_struct' rss_stat is neither an array of percpu_counter "
                                    "nor has member 'count'", program.kernel_release()));
    mm_counter_size_ = layout_.member_size(mm, "rss_stat.count[0]");
    for (uint64_t c : counters) mm_offsets_.push_back(*count + c * mm_counter_size_);
    description_ = "mm->rss_stat.count[] atomics";
    // SPLIT_RSS_COUNTING (removed with the percpu_counter conversion): per-task caches.
    if (std::optional<uint64_t> t = layout_.find_offset("struct task_struct", "rss_stat.count")) {
      uint64_t elem = layout_.member_size("struct task_struct", "rss_stat.count[0]");
      for (uint64_t c : counters) task_offsets_.push_back(*t + c * elem);
      description_ += " plus task->rss_stat caches";
    }
  }
}

int64_t MmCounters::mm_pages(uint64_t mm) {
  int64_t sum = 0;
  for (uint64_t off : mm_offsets_) {
    if (percpu_) {
      sum += static_cast<int64_t>(read_u64(mem_, mm + off + off_pc_count_));
      if (uint64_t deltas = read_u64(mem_, mm + off + off_pc_counters_))
        for (uint64_t cpu_off : cpu_offsets_) sum += static_cast<int32_t>(read_u32(mem_, deltas + cpu_off));
    } else {
      uint64_t v = read_unsigned(mem_, mm + off, mm_counter_size_);
      sum += mm_counter_size_ == 8 ? static_cast<int64_t>(v) : static_cast<int32_t>(v);
    }
  }
  return sum;
}

int64_t MmCounters::task_pages(uint64_t task) {
  int64_t sum = 0;
  for (uint64_t off : task_offsets_) sum += static_cast<int32_t>(read_u32(mem_, task + off));
  return sum;
}

}  // namespace kdive
