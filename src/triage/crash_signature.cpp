// CrashSignature (see crash_signature.h). The hash is FNV-1a 64: stable across runs,
// machines and builds of kdive (std::hash promises none of that), and keys are only
// compared for equality, so a cryptographic hash would buy nothing.
#include "triage/crash_signature.h"

#include <fmt/format.h>

#include "oops/crash_rules.h"
#include "oops/line_pattern.h"

namespace kdive {

namespace {

uint64_t fnv1a64(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

bool identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::string normalize_frame_name(std::string_view name) {
  size_t b = 0;
  while (b < name.size() && (name[b] == ' ' || name[b] == '?')) ++b;
  size_t e = b;
  // A C identifier ends the name: ".isra.0", "+0x1f/0x80" and " [mod]" are not part of it.
  while (e < name.size() && identifier_char(name[e])) ++e;
  return std::string(name.substr(b, e - b));
}

bool is_generic_frame(std::string_view name) {
  return !name.empty() && generic_frame_pattern().search(name);
}

CrashSignature crash_signature(const std::string& title, const std::vector<std::string>& frames) {
  CrashSignature s;
  s.title = title;
  for (const std::string& f : frames) {
    std::string n = normalize_frame_name(f);
    if (n.empty() || is_generic_frame(n)) continue;
    if (!s.frames.empty() && s.frames.back() == n) continue;  // recursion or inline chains
    s.frames.push_back(std::move(n));
    if (s.frames.size() == kSignatureFrames) break;
  }
  s.text = title;
  for (const std::string& f : s.frames) s.text += "\n" + f;
  s.key = fmt::format("kdive1-{:016x}", fnv1a64(s.text));
  return s;
}

CrashSignature crash_signature(const OopsReport& report) {
  std::vector<std::string> names;
  // A user-mode RIP ("RIP: 0033:0x7f...") has no symbol and names no function.
  if (report.rip && report.rip->has_symbol()) names.push_back(report.rip->function);
  for (const ReportFrame& f : report.frames) {
    if (f.trace != 0 || !f.reliable || !f.location.has_symbol()) continue;
    if (f.section == StackSection::Allocated || f.section == StackSection::Freed ||
        f.section == StackSection::Auxiliary || f.section == StackSection::Other)
      continue;
    names.push_back(f.location.function);
  }
  return crash_signature(report.title.title, names);
}

}  // namespace kdive
