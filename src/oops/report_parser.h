// Finding crash reports in console output or dmesg text: which line starts a report,
// which following lines belong to it (same printk caller, `?` frames and other tasks'
// lines left out, a panic_on_warn tail cut), and the parsed OopsReport of each.
// Pure text processing; linear in the input, bounded in memory per report.
//
//   std::vector<OopsReport> reports = find_reports(console_log);
//   if (!reports.empty()) fmt::print("{}\n", reports[0].title.title);
#pragma once

#include <string_view>
#include <vector>

#include "oops/oops_report.h"

namespace kdive {

struct FindOptions {
  size_t max_reports = 64;          // stop after this many reports
  size_t max_report_lines = 20000;  // a report longer than this is cut (and so marked)
};

// Every crash report in `text`, in order. A report that starts inside another one
// (a "Kernel panic" after a WARNING, an "invalid opcode" after a BUG) is part of it,
// not a new report. Empty when the text holds no crash report.
std::vector<OopsReport> find_reports(std::string_view text, const FindOptions& options = {});

// Whether `text` contains the first line of any crash report (cheaper than parsing).
bool contains_report(std::string_view text);

// The title of a report from its own text (what find_reports put in report.title,
// except the input-wide checks: a console disconnect marking it corrupted).
CrashTitle crash_title(const OopsReport& report);

}  // namespace kdive
