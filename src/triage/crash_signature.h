// CrashSignature: the deduplication key of a crash — its title plus the names of its
// top frames, normalised so that one bug gives one key across KASLR slides, dump
// formats, module load addresses and rebuilds (no addresses, no offsets, no compiler
// clone suffixes such as ".isra.0"). The frames are the report's own (RIP, then the
// call trace as the kernel printed it), with syzkaller's never-guilty frames (locking,
// allocators, printk, panic machinery: crash_rules.h) left out, so the key reads the
// same with or without debug info.
//
//   CrashSignature s = crash_signature(report);   // or crash_signature(title, names)
//   s.key == "kdive1-3f0c...";  s.text == "BUG: ... in f\nf\ng\nh"
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "oops/oops_report.h"

namespace kdive {

struct CrashSignature {
  std::string title;                // the title the key was made from
  std::vector<std::string> frames;  // normalised names, innermost first
  std::string text;                 // title and frames, one per line: what is hashed
  std::string key;                  // "kdive1-" + 16 hex digits of the text's hash
};

inline constexpr size_t kSignatureFrames = 4;

// A function name without what the compiler or the kernel's printing adds: clone
// suffixes (".isra.0", ".constprop.0", ".cold"), "+0x1f/0x80", and a module in brackets.
std::string normalize_frame_name(std::string_view name);

// Whether syzkaller's rules never blame this function (crash_rules.h global skips).
bool is_generic_frame(std::string_view name);

// The key of a title and candidate frames (innermost first): generic frames and
// repeats of the previous frame are dropped, at most kSignatureFrames kept.
CrashSignature crash_signature(const std::string& title, const std::vector<std::string>& frames);

// The key of a parsed report: RIP's function (kernel mode only), then the reliable
// frames of its first stack trace in the order printed (not the Allocated/Freed
// stacks of KASAN or other auxiliary traces).
CrashSignature crash_signature(const OopsReport& report);

}  // namespace kdive
