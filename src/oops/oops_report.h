// OopsReport: one kernel crash report found in console/dmesg text, with every field
// the text gives (no debug info needed): kind, title, RIP, registers, CR2, the Code:
// bytes with the trapping byte, the call trace frames by stack section, modules,
// release, taint, CPU/PID/comm, the KASLR offset line, the faulting access. Later
// stages (symbolizer, code decoder, fault explanation) take it as their input.
//
//   for (const OopsReport& r : find_reports(log)) {
//     r.title.title;           // "BUG: unable to handle kernel NULL pointer dereference in try_to_wake_up"
//     r.rip->function;         // "_raw_spin_lock_irqsave"
//     r.registers.at("RDI");   // 0x6fc
//   }
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "oops/crash_title.h"

namespace kdive {

enum class ReportKind {
  PageFault,         // BUG: unable to handle page fault / paging request
  NullDereference,   // BUG: kernel NULL pointer dereference
  GeneralProtection, // general protection fault (also KASAN's null-ptr-deref GPF)
  Kasan,
  Kfence,
  Kmsan,
  Kcsan,
  Ubsan,
  Warning,
  KernelBug,         // kernel BUG at file:line (BUG_ON)
  Lockdep,           // possible deadlock, inconsistent lock state, bad unlock balance, ...
  AtomicSleep,       // sleeping in atomic context, scheduling while atomic
  SoftLockup,
  HardLockup,
  RcuStall,
  HungTask,
  Panic,             // Kernel panic - not syncing
  MemoryLeak,
  Other,
};
const char* report_kind_name(ReportKind kind);  // "page-fault", "kasan", ...

// A code location as printed: "func+0x36/0x70 [module]".
struct CodeLocation {
  std::optional<uint64_t> address;  // from "[<ffffffff81f04b7a>]" or "RIP: 0033:0x7f..."
  std::string function;             // "" when only an address is known
  uint64_t offset = 0;
  uint64_t size = 0;
  std::string module;               // "" for vmlinux
  bool has_symbol() const { return !function.empty(); }
};

// Which stack a frame was printed in.
enum class StackSection {
  Task,      // after "Call Trace:" / <TASK>
  Irq,       // between <IRQ> and </IRQ>
  SoftIrq,   // <SOFTIRQ> .. </SOFTIRQ>
  Nmi,       // <NMI> .. </NMI>
  Exception, // <#DF>, <#MC>, ... exception stacks
  Allocated, // KASAN/KFENCE "Allocated by task N:"
  Freed,     // "Freed by task N:"
  Auxiliary, // "Last potentially related work creation:" and similar
  Other,     // memory leak backtraces, KMSAN origins, lockdep chains
};
const char* stack_section_name(StackSection section);

struct ReportFrame {
  CodeLocation location;
  bool reliable = true;        // false for "? func+..." (stale return address)
  StackSection section = StackSection::Task;
  bool inlined = false;        // "[inline]" in a symbolized report
  std::string source;          // "mm/filemap.c:123" when the report is symbolized
  size_t trace = 0;            // which stack trace of the report (0 = first)
  std::string line;            // the frame's line as printed
};

struct CodeBytes {
  std::vector<uint8_t> bytes;
  std::optional<size_t> trap_offset;  // index of the "<..>"/"(..)" byte(s)
  bool user = false;                  // the Code: line after a user-mode (0033) RIP
};

// The faulting access, when the report names one.
struct MemoryAccess {
  enum class Type { Unknown, Read, Write, Execute, Free } type = Type::Unknown;
  std::optional<uint64_t> address;
  std::optional<uint64_t> size;  // KASAN "of size N"
  // KASAN GPFs: "KASAN: null-ptr-deref in range [0x10-0x17]" recovered from the shadow.
  std::optional<uint64_t> range_start, range_end;
  bool user_mode = false;  // "#PF: ... in user mode"
  std::optional<uint64_t> error_code;  // "#PF: error_code(0x0002)" or "Oops: 0002"
  std::string detail;      // "not-present page", "slab-use-after-free", ...
};

struct OopsReport {
  // Where in the input: byte offsets of the first line and the end of the last line
  // that belongs to it.
  size_t start = 0, end = 0;
  std::string first_line;  // the header line as printed (prefix stripped)
  ReportKind kind = ReportKind::Other;
  CrashTitle title;
  bool panicked = false;   // "Kernel panic - not syncing" follows in the input
  bool suppressed = false; // an executor OOM kill or similar makes it uninteresting
  // The report text: its lines with console prefixes stripped, unreliable frames and
  // other tasks' interleaved lines left out.
  std::string text;
  size_t title_end = 0;    // the prefix of `text` the title is taken from
  size_t rule = 0;         // index into oops_rules()

  std::optional<CodeLocation> rip;  // "RIP: 0010:func+off/size", "IP:", "pc :"
  std::vector<std::pair<std::string, uint64_t>> register_list;  // as printed, in order
  std::map<std::string, uint64_t> registers;  // the first value printed for each name
  std::optional<uint64_t> cr2;
  std::optional<CodeBytes> code;
  std::vector<ReportFrame> frames;
  std::vector<std::string> modules;  // "Modules linked in:"
  std::optional<int> cpu;
  std::optional<int> pid;
  std::string comm;
  std::string kernel_release;  // "6.11.0"
  std::string taint;           // "G        W" ("" when "Not tainted")
  bool tainted = false;
  std::string hardware;        // "Hardware name:"
  // "Kernel Offset: 0x1a000000 from 0xffffffff81000000": the KASLR slide; disabled
  // when the line says "disabled".
  std::optional<uint64_t> kernel_offset;
  bool kaslr_disabled = false;
  MemoryAccess access;
  std::string timestamp;  // of the first line, when the log has timestamps
};

}  // namespace kdive
