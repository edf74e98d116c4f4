// CrashTitle: the one-line, deduplicating title of a crash report in syzkaller's style
// ("KASAN: use-after-free Read in foo", "WARNING in bar", "INFO: task hung in baz"),
// its bug type, the guilty frame, and whether the report looks truncated or
// interleaved. The rules are in crash_rules.h; this is the engine that applies them.
//
//   CrashTitle t = describe_report(report_text, title_end, rule);
//   t.title == "general protection fault in blk_get_backing_dev_info"; t.type == "DoS";
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "oops/crash_rules.h"

namespace kdive {

struct CrashTitle {
  std::string title;     // normalised (addresses -> ADDR, numbers -> NUM, <= 120 chars)
  std::string type;      // syzkaller's TYPE ("KASAN-READ", "HANG", ...); "" when unknown
  std::string frame;     // the guilty function named by the title ("" when none)
  bool corrupted = false;
  std::string corrupted_reason;  // why, when corrupted
};

// Describes the report `text` (its lines, console prefixes already stripped, the first
// line the one that started the report). Only the first `title_end` bytes are used to
// find the title (the rest may belong to interleaved reports); the whole text is used
// for the corruption checks. `fallback` is the raw text used when no title is found in
// `text` (the header line may have been cut by prefix stripping).
CrashTitle describe_report(std::string_view text, size_t title_end, const OopsRule& rule,
                           std::string_view fallback = {});

// Title clean-up applied to every title: executor ids, addresses, IPs, file:line, and
// func+off/size collapse to fixed tokens; control characters go; at most 120 bytes.
std::string normalize_title(std::string title);

// The guilty frame a title names: the word after its last " in ".
std::string title_frame(const std::string& title);

}  // namespace kdive
