// libFuzzer target for the crash report parser: the input is console text; every
// report found is titled, its fields extracted and serialised to JSON. The parser
// must not throw, crash, hang or trip a sanitizer on any input. The unit test
// tests/unit/oops/oops_fuzz_replay_test.cpp replays a seed corpus through this entry.
//
//   cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang -DKDIVE_FUZZ=ON
//   ninja -C build/fuzz oops_report_fuzz && build/fuzz/tests/fuzz/oops_report_fuzz -max_len=65536
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "oops/crash_rules.h"
#include "oops/report_json.h"
#include "oops/report_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<kdive::OopsReport> reports = kdive::find_reports(text);
  for (const kdive::OopsReport& r : reports) {
    // Recomputing the title from the report's own text must agree with the parser
    // whenever the header survived prefix stripping (else the parser titles the raw
    // lines, which the report does not keep).
    std::string_view first = std::string_view(r.text).substr(0, r.text.find('\n'));
    if (first.find(kdive::oops_rules().at(r.rule).header) == std::string_view::npos) continue;
    kdive::CrashTitle again = kdive::crash_title(r);
    if (again.title != r.title.title) __builtin_trap();
  }
  std::string json = kdive::format_report_json(reports);
  if (json.empty() || (reports.empty() && json != "[]")) __builtin_trap();
  (void)kdive::contains_report(text);
  return 0;
}
