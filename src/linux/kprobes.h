// The dump's registered kprobes: a bounded walk of kprobe_table[] (hlists of struct
// kprobe), each probe with its address, flags, saved opcode and handlers; kretprobes
// (container_of to struct kretprobe), aggregate probes' children, optimized probes.
//
//   KprobeTable t = read_kprobes(program);
//   for (const KprobeInfo& k : t.probes) fmt::print("{:#x} {}\n", k.addr, k.symbol);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kdive/memory_reader.h"

namespace kdive {

class Program;

// include/linux/kprobes.h: kprobe.flags. #defines, so not in DWARF; the first four since
// 4.x, ON_FUNC_ENTRY since 5.17 (commit bf7a87f1075f, "kprobes: Add KPROBE_FLAG_ON_FUNC_ENTRY").
inline constexpr uint32_t kKprobeFlagGone = 1, kKprobeFlagDisabled = 2, kKprobeFlagOptimized = 4,
                          kKprobeFlagFtrace = 8, kKprobeFlagOnFuncEntry = 16;
// "GONE|FTRACE", "" for none (unknown bits as hex).
std::string kprobe_flag_names(uint32_t flags);

struct KretprobeInfo {
  uint64_t address = 0;  // of the struct kretprobe
  uint64_t handler = 0, entry_handler = 0;
  std::string handler_symbol, entry_handler_symbol;
  int32_t maxactive = 0, nmissed = 0;
};

struct KprobeInfo {
  uint64_t address = 0;      // of the struct kprobe
  uint64_t addr = 0;         // kprobe.addr: the probed instruction
  // Addresses as %pS prints them: "func+0x4", "func [module]" ("" when no symbol covers it).
  std::string symbol;
  std::string symbol_name;   // kprobe.symbol_name as registered ("" when NULL)
  uint32_t offset = 0;       // kprobe.offset
  uint32_t flags = 0;
  uint8_t opcode = 0;        // kprobe.opcode: the original first byte an int3 replaced
  uint64_t nmissed = 0;
  uint64_t pre_handler = 0, post_handler = 0;
  std::string pre_handler_symbol, post_handler_symbol;
  bool aggregate = false;    // pre_handler == aggr_pre_handler: `children` share this address
  std::optional<KretprobeInfo> kretprobe;  // pre_handler == pre_handler_kretprobe
  // For optimized probes (struct optimized_kprobe): the jump's detour buffer and the
  // bytes saved after the int3 (arch_optimized_insn.copied_insn).
  std::optional<uint64_t> optimized_insn;
  std::vector<uint8_t> optimized_copied;
  std::vector<KprobeInfo> children;
  std::vector<std::string> problems;  // this entry's unreadable parts
};

struct KprobeTable {
  std::vector<KprobeInfo> probes;     // by bucket, then hlist order
  uint64_t buckets = 0;
  std::vector<std::string> problems;  // bucket walks that stopped (cycle, fault, limit)
  // The probe (or aggregate) at exactly `addr`, or null.
  const KprobeInfo* at(uint64_t addr) const;
};

// LookupError when the kernel has no kprobe_table (CONFIG_KPROBES=n). At most 4096
// probes per bucket and 256 children per aggregate are read.
KprobeTable read_kprobes(Program& program);
// The same through another view of the dump's memory (tests damage it).
KprobeTable read_kprobes(Program& program, const MemoryReader& memory);

}  // namespace kdive
