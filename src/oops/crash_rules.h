// The rules that recognise Linux crash reports in console output and turn them into
// syzkaller-style titles: which line starts a report (a header such as "BUG:" or
// "general protection fault"), the title formats of each header, where the guilty
// stack frame is taken from, and the frames that are never guilty (sanitizer, allocator,
// locking, printk internals). They follow syzkaller's pkg/report rules (Apache-2.0),
// re-expressed as data for this engine; crash_title.cpp interprets them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "oops/line_pattern.h"

namespace kdive {

// One step of a multi-line pattern: the first step matches somewhere in a line; each
// later step matches in a later line (or is the whole next line).
struct PatternStep {
  std::shared_ptr<const LinePattern> pattern;  // null for kWholeNextLine
  bool whole_next_line = false;  // capture the next line entire (must be non-empty)
};
using PatternSeq = std::vector<PatternStep>;

enum class FrameChoice {
  First,     // the first frame not skipped
  Stall,     // loops (RCU stalls, soft lockups): the frame before a dispatch anchor
  HungTask,  // hangs: bucket rtnl_lock / synchronize_rcu, else skip waiting frames
};

struct StackSpec {
  // Parts matched one after another; a null pattern means "parse a stack trace from
  // here". Every part pattern captures the frames it names.
  std::vector<std::shared_ptr<const LinePattern>> parts;
  std::vector<std::shared_ptr<const LinePattern>> parts2;  // tried when parts fail
  std::shared_ptr<const LinePattern> skip;  // global skip list plus this format's own
  FrameChoice choice = FrameChoice::First;
};

struct TitleFormat {
  PatternSeq title;   // where in the report the title is (earliest match wins)
  PatternSeq report;  // when set, must match too, and its captures are the arguments
  std::string fmt;    // "{1}" .. "{N}": captures, then extracted frames
  std::shared_ptr<const StackSpec> stack;
  bool no_stack_trace = false;  // do not require a stack trace in the report
  bool corrupted = false;       // a match of this format means a corrupted report
  bool title_at_line_start = false;  // title pattern is anchored to its line's start
};

struct OopsRule {
  std::string header;  // a line containing this starts a report
  std::vector<TitleFormat> formats;
  std::vector<std::shared_ptr<const LinePattern>> suppressions;  // lines that do not count
};

// The rules in priority order (the first rule whose header a line contains wins).
const std::vector<OopsRule>& oops_rules();

// Shared stack-trace vocabulary.
struct StackVocabulary {
  std::vector<std::shared_ptr<const LinePattern>> stack_starts;  // "Call Trace", "Freed by task N:" ...
  std::vector<std::shared_ptr<const LinePattern>> frame_lines;   // a line that is a frame
  std::vector<std::shared_ptr<const LinePattern>> corrupted_lines;  // fault injection frames
  std::vector<std::string> strip_prefixes;  // syscall wrappers: "__x64_sys_" -> ...
  std::vector<std::shared_ptr<const LinePattern>> stall_anchors;
  std::shared_ptr<const LinePattern> riscv_stack_start;
  // Lines that never start a new report even though they contain a header.
  std::vector<std::shared_ptr<const LinePattern>> report_start_ignores;
  // Informational messages with a stack trace; inside a report they mark it interleaved.
  std::vector<std::string> info_messages_with_stack;
  // Reporter-wide suppressions (executor OOM kills and the like): the crash is real but
  // not worth reporting.
  std::vector<std::shared_ptr<const LinePattern>> suppressions;
};
const StackVocabulary& stack_vocabulary();

// syzkaller's global list of never-guilty frames as one pattern, searched in a function
// name: sanitizer, allocator, locking, printk and panic internals.
const LinePattern& generic_frame_pattern();

// The crash type (syzkaller's TYPE) a title belongs to: "KASAN-USE-AFTER-FREE-READ",
// "WARNING", "HANG", ... or "" when unknown.
std::string title_to_type(const std::string& title);

}  // namespace kdive
