// Report finding (see report_parser.h). The line-selection rules — same caller
// context, questionable frames dropped, other CPUs kept during an NMI backtrace, a
// panic or lockdep tail cut once the report has enough lines — follow syzkaller's
// Linux reporter so titles agree with syzbot's.
#include "oops/report_parser.h"

#include <algorithm>

#include "oops/console_line.h"
#include "oops/crash_rules.h"
#include "oops/report_fields.h"

namespace kdive {
namespace {

struct Line {
  size_t start, end;  // [start, end) without the newline
  size_t next;        // start of the following line
};

Line line_at(std::string_view text, size_t pos) {
  size_t nl = text.find('\n', pos);
  if (nl == std::string_view::npos) return {pos, text.size(), text.size() + 1};
  return {pos, nl, nl + 1};
}

bool matches_any(std::string_view line, const std::vector<std::shared_ptr<const LinePattern>>& patterns) {
  for (const auto& p : patterns) {
    if (p->search(line)) return true;
  }
  return false;
}

// Whether `line` starts a report of `rule`.
bool matches_rule(std::string_view line, const OopsRule& rule) {
  if (line.find(rule.header) == std::string_view::npos) return false;
  return !matches_any(line, rule.suppressions);
}

// The first rule whose header `line` contains, or npos.
size_t matching_rule(std::string_view line) {
  const auto& rules = oops_rules();
  for (size_t i = 0; i < rules.size(); ++i) {
    if (matches_rule(line, rules[i])) return i;
  }
  return std::string_view::npos;
}

// printk re-prints a line after a "** replaying previous printk message **" marker;
// a header cut by it is not a report.
bool replayed_next(std::string_view text, size_t next) {
  if (next >= text.size()) return false;
  Line l = line_at(text, next);
  return text.substr(l.start, l.end - l.start).find("** replaying previous printk message **") !=
         std::string_view::npos;
}

struct Found {
  size_t rule = std::string_view::npos;
  size_t start = 0;
};

Found find_first(std::string_view text, size_t from) {
  for (size_t pos = from; pos < text.size();) {
    Line l = line_at(text, pos);
    std::string_view line = text.substr(l.start, l.end - l.start);
    const auto& rules = oops_rules();
    for (size_t i = 0; i < rules.size(); ++i) {
      if (matches_rule(line, rules[i]) && !replayed_next(text, l.next)) return {i, pos};
    }
    pos = l.next;
  }
  return {};
}

struct Extracted {
  std::string text;      // report lines (prefix stripped), each ending in '\n'
  size_t title_end = 0;  // bytes of text before a second report started
  std::string detail;    // same-context lines including unreliable frames
  size_t end = 0;        // end of the last header line seen
  size_t second = 0;     // start of a following report (0: none)
  size_t scan_end = 0;   // where scanning stopped
  std::string_view timestamp;
};

// Lines a KMSAN report has before a trailing panic may be cut (KMSAN prints no
// "Call Trace:" header and fewer lines than other reports).
size_t min_report_lines(std::string_view oops_line) {
  return oops_line.find("BUG: KMSAN:") != std::string_view::npos ? 16 : 22;
}

Extracted extract(std::string_view text, size_t start, std::string_view context, const FindOptions& opt) {
  const StackVocabulary& v = stack_vocabulary();
  Extracted x;
  bool skip_text = false, cpu_traceback = false;
  size_t text_lines = 0, kept_lines = 0, scanned = 0;
  std::string_view oops_line;
  const auto& rules = oops_rules();
  size_t pos = start;
  for (; pos < text.size(); ) {
    Line l = line_at(text, pos);
    std::string_view line = text.substr(l.start, l.end - l.start);
    ConsoleLine cl = ConsoleLine::parse(line);
    bool is_oops_line = pos == start;
    if (is_oops_line) {
      oops_line = line;
      x.timestamp = cl.timestamp;
    }
    bool matched_info = false;
    for (const auto& rule : rules) {
      if (!matches_rule(line, rule)) {
        if (!is_oops_line && x.second == 0 && !matched_info) {
          for (const auto& m : v.info_messages_with_stack) {
            if (line.find(m) != std::string_view::npos) {
              x.second = pos;
              matched_info = true;
              break;
            }
          }
        }
        continue;
      }
      if (replayed_next(text, l.next)) continue;
      x.end = l.end;
      if (!is_oops_line && x.second == 0 && !matches_any(line, v.report_start_ignores)) x.second = pos;
    }
    pos = l.next;
    // Interleaved output of other tasks is skipped but still costs time: bound it.
    if (++scanned > 10 * opt.max_report_lines) break;
    bool same_context = cl.context == context;
    if (!is_oops_line && (same_context || (cpu_traceback && cl.is_cpu_context()))) {
      // Unreliable frames are left out of the report but kept in the detail.
      std::string_view raw = cl.context.empty() ? line : line.substr(line.find("] ") + 2);
      x.detail.append(raw).push_back('\n');
    } else if (is_oops_line) {
      x.detail.append(cl.text).push_back('\n');
    }
    if (!is_oops_line && (cl.questionable || (!same_context && (!cpu_traceback || !cl.is_cpu_context())))) {
      continue;
    }
    ++text_lines;
    bool skip_line = skip_text;
    if (line.find("Disabling lock debugging due to kernel taint") != std::string_view::npos) {
      skip_line = true;
    } else if (line.find("Sending NMI from CPU") != std::string_view::npos) {
      // An all-CPU backtrace: other CPUs' lines belong to the report.
      cpu_traceback = true;
    } else if ((line.find("Kernel panic - not syncing") != std::string_view::npos ||
                line.find("WARNING: possible circular locking dependency detected") != std::string_view::npos) &&
               text_lines > min_report_lines(oops_line)) {
      // panic_on_warn repeats the stack; lockdep splats caused by the oops itself.
      skip_text = true;
      skip_line = true;
    }
    if (!is_oops_line && skip_line) continue;
    x.text.append(cl.text).push_back('\n');
    if (x.second == 0 || (!context.empty() && context != kConsoleContext)) x.title_end = x.text.size();
    if (++kept_lines >= opt.max_report_lines) break;
  }
  x.scan_end = std::min(pos, text.size());
  return x;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

bool any_line_matches(std::string_view text, const std::vector<std::shared_ptr<const LinePattern>>& patterns) {
  for (size_t pos = 0; pos < text.size();) {
    Line l = line_at(text, pos);
    if (matches_any(text.substr(l.start, l.end - l.start), patterns)) return true;
    pos = l.next;
  }
  return false;
}

}  // namespace

bool contains_report(std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    Line l = line_at(text, pos);
    if (matching_rule(text.substr(l.start, l.end - l.start)) != std::string_view::npos) return true;
    pos = l.next;
  }
  return false;
}

CrashTitle crash_title(const OopsReport& report) {
  return describe_report(report.text, report.title_end, oops_rules().at(report.rule));
}

std::vector<OopsReport> find_reports(std::string_view text, const FindOptions& options) {
  std::vector<OopsReport> reports;
  if (text.empty()) return reports;
  const bool panicked = text.find("Kernel panic - not syncing") != std::string_view::npos;
  const bool console_lost = text.find("serialport: VM disconnected.") != std::string_view::npos;
  std::optional<bool> suppressed;  // computed once, on the first report
  size_t from = 0;
  while (reports.size() < options.max_reports) {
    Found f = find_first(text, from);
    if (f.rule == std::string_view::npos) break;
    Line first = line_at(text, f.start);
    std::string_view first_line = text.substr(first.start, first.end - first.start);
    ConsoleLine cl = ConsoleLine::parse(first_line);
    Extracted x = extract(text, f.start, cl.context, options);

    OopsReport r;
    r.start = f.start;
    r.end = std::max(x.end, first.end);
    r.first_line = std::string(cl.text);
    r.rule = f.rule;
    r.text = std::move(x.text);
    r.title_end = x.title_end;
    r.timestamp = std::string(x.timestamp);
    r.title = describe_report(r.text, r.title_end, oops_rules()[f.rule], text.substr(r.start, r.end - r.start));
    if (console_lost && !r.title.corrupted) {
      r.title.corrupted = true;
      r.title.corrupted_reason = "console disconnected";
    }
    r.panicked = panicked;
    if (!suppressed) suppressed = any_line_matches(text, stack_vocabulary().suppressions);
    r.suppressed = *suppressed;
    extract_fields(split_lines(x.detail), &r);
    r.kind = kind_of_title(r.title, r.first_line);
    reports.push_back(std::move(r));

    size_t next = x.second != 0 ? x.second : x.scan_end;
    if (next <= f.start) next = first.next;
    from = next;
  }
  return reports;
}

}  // namespace kdive
