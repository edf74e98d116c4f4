// FtraceRecords: the dump's dyn_ftrace records — one per ftrace call site (the
// `call __fentry__` of every traceable function, kernel and modules) with its flags —
// read from the ftrace_pages_start list, and the FTRACE_FL_* flag names and ref count.
//
//   FtraceRecords r = read_ftrace_records(program);
//   if (const FtraceRecord* rec = r.find(ip)) fmt::print("{} refs={}", r.flag_names(rec->flags), r.ref_count(rec->flags));
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kdive/memory_reader.h"

namespace kdive {

class Program;

struct FtraceRecord {
  uint64_t ip = 0;     // dyn_ftrace.ip: the call site's run-time address
  uint64_t flags = 0;  // dyn_ftrace.flags: FTRACE_FL_* bits and the ref count below them
};

// A registered struct ftrace_ops (ftrace_ops_list): who a call site's trampoline serves.
struct FtraceOps {
  uint64_t address = 0;     // of the struct ftrace_ops
  std::string name;         // its symbol ("kprobe_ftrace_ops"), "" for a dynamic one
  uint64_t func = 0;        // ops->func
  std::string func_name;    // "kprobe_ftrace_handler"
  uint64_t flags = 0;       // FTRACE_OPS_FL_*
  uint64_t trampoline = 0, trampoline_size = 0;  // 0: uses ftrace_caller / ftrace_regs_caller
};

struct FtraceRecords {
  std::vector<FtraceRecord> records;  // by ip
  uint64_t pages = 0;                 // ftrace_page structs read
  // FTRACE_FL_* names and bits, highest bit first (the enum of include/linux/ftrace.h,
  // from DWARF when it has the enumerators).
  std::vector<std::pair<std::string, uint64_t>> flag_bits;
  uint64_t ref_mask = 0;  // the bits below the lowest flag: the ops reference count
  std::vector<FtraceOps> ops;  // ftrace_ops_list, first to last (ftrace_list_end excluded)
  // The ops whose trampoline contains `address`, or null.
  const FtraceOps* trampoline_owner(uint64_t address) const;
  // Per-page problems (unreadable page, bad index, cycle): the walk continues or stops
  // there, never crashes.
  std::vector<std::string> problems;

  // The record whose ip is exactly `ip`, or null.
  const FtraceRecord* find(uint64_t ip) const;
  // The first record with ip in [begin, end), or null.
  const FtraceRecord* first_in(uint64_t begin, uint64_t end) const;
  // "ENABLED|REGS|TRAMP" (without the FTRACE_FL_ prefix); "" when no flag is set.
  std::string flag_names(uint64_t flags) const;
  uint64_t ref_count(uint64_t flags) const { return flags & ref_mask; }
  bool has_flag(uint64_t flags, std::string_view name) const;
};

// Walks ftrace_pages_start → struct ftrace_page {next, records, index} → struct
// dyn_ftrace {ip, flags}. LookupError when the kernel has no ftrace_pages_start
// (CONFIG_DYNAMIC_FTRACE=n). Bounded: at most 1<<16 pages and 1<<20 records per page,
// 4096 ops.
FtraceRecords read_ftrace_records(Program& program);
// The same through another view of the dump's memory (tests damage it).
FtraceRecords read_ftrace_records(Program& program, const MemoryReader& memory);

}  // namespace kdive
