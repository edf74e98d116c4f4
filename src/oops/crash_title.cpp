// The title engine (see crash_title.h): earliest-matching title format, guilty-frame
// extraction from the stack trace a format names, the corruption checks, and title
// normalisation. Semantics follow syzkaller's pkg/report so that titles are
// comparable with syzbot's; the code is kdive's own.
#include "oops/crash_title.h"

#include <algorithm>
#include <optional>
#include <regex>

#include "oops/symbol_demangler.h"

namespace kdive {
namespace {

constexpr std::string_view kNoFrames = "extracted no frames";
// Searches for multi-line patterns give up after this many candidate first lines;
// keeps a pathological report (thousands of header lines) linear.
constexpr size_t kMaxSeqAttempts = 16;
// A title is in the report's first lines (the header line, or the access line right
// after a KASAN header); the later parts of a multi-line pattern follow within a
// screenful. Bounding both keeps titling independent of the report's length.
constexpr size_t kMaxTitleLines = 256;
constexpr size_t kMaxStepDistance = 256;

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

struct Position {
  size_t line = 0;
  size_t column = 0;
  bool operator<(const Position& o) const { return line != o.line ? line < o.line : column < o.column; }
  bool operator==(const Position& o) const { return line == o.line && column == o.column; }
};

struct SeqMatch {
  Position start;
  std::vector<std::string> args;
};

void append_groups(const LineMatch& m, std::vector<std::string>* args) {
  for (const auto& g : m.groups) args->push_back(g.value_or(""));
}

// A pattern with "[\s\S]" (a task name) may run into the next lines when a
// message was split; search a window of three lines, but the match must start in
// the first.
bool search_across_lines(const LinePattern& p, const std::vector<std::string_view>& lines, size_t i,
                         LineMatch* m) {
  if (p.pattern().find("[\\s\\S]") == std::string::npos || i + 1 >= lines.size() || !p.may_match(lines[i])) {
    return false;
  }
  std::string window(lines[i]);
  for (size_t j = i + 1; j < lines.size() && j <= i + 2; ++j) window.append("\n").append(lines[j]);
  return p.search(window, m) && m->position < lines[i].size();
}

// Finds a multi-line pattern: step 0 in some line, each later step in a later line.
std::optional<SeqMatch> find_seq(const PatternSeq& seq, const std::vector<std::string_view>& lines) {
  if (seq.empty()) return std::nullopt;
  const LinePattern& first = *seq[0].pattern;
  bool anchored = !first.pattern().empty() && first.pattern()[0] == '^';
  size_t attempts = 0;
  for (size_t i = 0; i < lines.size() && i < kMaxTitleLines; ++i) {
    if (anchored && i > 0) break;
    LineMatch m;
    if (!first.search(lines[i], &m) && !search_across_lines(first, lines, i, &m)) continue;
    SeqMatch result{{i, m.position}, {}};
    append_groups(m, &result.args);
    size_t at = i;
    bool ok = true;
    for (size_t s = 1; s < seq.size() && ok; ++s) {
      const PatternStep& step = seq[s];
      if (step.whole_next_line) {
        if (at + 1 < lines.size() && !lines[at + 1].empty()) {
          ++at;
          result.args.emplace_back(lines[at]);
        } else {
          ok = false;
        }
        continue;
      }
      ok = false;
      for (size_t j = at + 1; j < lines.size() && j <= at + kMaxStepDistance; ++j) {
        LineMatch mj;
        if (step.pattern->search(lines[j], &mj)) {
          append_groups(mj, &result.args);
          at = j;
          ok = true;
          break;
        }
      }
    }
    if (ok) return result;
    if (++attempts >= kMaxSeqAttempts) break;
  }
  return std::nullopt;
}

bool matches_any(std::string_view line, const std::vector<std::shared_ptr<const LinePattern>>& patterns) {
  for (const auto& p : patterns) {
    if (p->search(line)) return true;
  }
  return false;
}

std::string strip_frame(const std::string& frame) {
  std::string best = frame;
  for (const auto& prefix : stack_vocabulary().strip_prefixes) {
    if (frame.compare(0, prefix.size(), prefix) == 0 && frame.size() - prefix.size() < best.size()) {
      best = frame.substr(prefix.size());
    }
  }
  return best;
}

std::string stall_frame(const std::vector<std::string>& frames) {
  std::string prev = frames[0];
  for (const auto& frame : frames) {
    if (matches_any(frame, stack_vocabulary().stall_anchors)) {
      if (frame.find("smp_call_function") != std::string::npos) prev = "smp_call_function";
      return prev;
    }
    prev = frame;
  }
  return {};
}

std::string hung_task_frame(const std::vector<std::string>& frames) {
  // Hangs show at victims' stacks; bucket the two common root causes together.
  static const std::pair<const char*, const char*> kAnchors[] = {
      {"rtnl_lock", ""},
      {"synchronize_rcu", "synchronize_rcu"},
      {"synchronize_srcu", "synchronize_rcu"},
      {"synchronize_net", "synchronize_rcu"},
      {"synchronize_sched", "synchronize_rcu"},
  };
  for (const auto& frame : frames) {
    for (const auto& [anchor, bucket] : kAnchors) {
      if (frame.find(anchor) != std::string::npos) return *bucket ? bucket : frame;
    }
  }
  static const char* const kWaiting[] = {"sched", "_lock", "_slowlock", "down", "rwsem", "completion",
                                         "kthread", "wait", "synchronize", "context_switch", "__switch_to",
                                         "cancel_delayed_work", "rcu_barrier"};
  for (const auto& frame : frames) {
    bool skip = false;
    for (const char* w : kWaiting) skip = skip || frame.find(w) != std::string::npos;
    if (!skip) return frame;
  }
  return {};
}

std::string choose_frame(const StackSpec& spec, const std::vector<std::string>& raw) {
  if (raw.empty()) return {};
  std::vector<std::string> frames;
  frames.reserve(raw.size());
  for (const auto& f : raw) frames.push_back(strip_frame(f));
  switch (spec.choice) {
    case FrameChoice::First: return frames[0];
    case FrameChoice::Stall: return stall_frame(frames);
    case FrameChoice::HungTask: return hung_task_frame(frames);
  }
  return {};
}

// Frames are demangled before the skip lists see them, so that a Rust or C++ frame
// is skipped (or chosen) by its source-level name ("core::panicking::panic_fmt").
void append_frames(const LineMatch& m, const StackSpec& spec, std::vector<std::string>* frames) {
  for (const auto& g : m.groups) {
    if (!g) continue;
    std::string frame = demangle_frame_name(*g);
    if (spec.skip && spec.skip->search(frame)) continue;
    frames->push_back(std::move(frame));
  }
}

// Walks the parts of a stack spec over `lines`; returns one frame per stack trace
// parsed (or "corrupted") and whether every part found its frame.
bool extract_frames_with(const StackSpec& spec, const std::vector<std::shared_ptr<const LinePattern>>& parts,
                         const std::vector<std::string_view>& lines, std::vector<std::string>* results) {
  const StackVocabulary& v = stack_vocabulary();
  std::vector<std::string> raw;
  bool ok = true;
  int traces = 0;
  size_t li = 0;
  results->clear();
  for (size_t part = 0;; ++part) {
    if (part == parts.size() || (!parts[part] && traces > 0)) {
      std::string key = choose_frame(spec, raw);
      if (key.empty()) {
        key = "corrupted";
        ok = false;
      }
      results->push_back(key);
      raw.clear();
    }
    if (part == parts.size()) break;
    if (!parts[part]) {
      ++traces;
      while (li < lines.size()) {
        std::string_view ln = lines[li++];
        if (matches_any(ln, v.corrupted_lines)) {
          ok = false;
          break;
        }
        if (matches_any(ln, v.stack_starts)) break;
        LineMatch m;
        if (part + 1 < parts.size() && parts[part + 1] && parts[part + 1]->search(ln, &m)) {
          append_frames(m, spec, &raw);
          ++part;
          break;
        }
        for (const auto& fr : v.frame_lines) {
          if (fr->search(ln, &m)) {
            append_frames(m, spec, &raw);
            break;
          }
        }
      }
    } else {
      while (li < lines.size()) {
        std::string_view ln = lines[li++];
        if (matches_any(ln, v.corrupted_lines)) {
          ok = false;
          break;
        }
        LineMatch m;
        if (parts[part]->search(ln, &m)) {
          append_frames(m, spec, &raw);
          break;
        }
      }
    }
  }
  return ok;
}

bool extract_frames(const StackSpec& spec, const std::vector<std::string_view>& lines,
                    std::vector<std::string>* results) {
  bool ok = extract_frames_with(spec, spec.parts, lines, results);
  if (ok || spec.parts2.empty()) return ok;
  return extract_frames_with(spec, spec.parts2, lines, results);
}

// Expands "{N}" with args[N-1]; a missing argument reads as Go's fmt would print it.
std::string format_title(const std::string& f, const std::vector<std::string>& args) {
  std::string out;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] == '{') {
      size_t close = f.find('}', i);
      if (close != std::string::npos) {
        size_t n = static_cast<size_t>(std::stoul(f.substr(i + 1, close - i - 1)));
        out += n >= 1 && n <= args.size() ? args[n - 1] : std::string("%!v(BADINDEX)");
        i = close;
        continue;
      }
    }
    out.push_back(f[i]);
  }
  return out;
}

struct Description {
  std::string title;
  std::string corrupted;
  const TitleFormat* format = nullptr;
};

Description describe(const std::vector<std::string_view>& lines, const OopsRule& rule) {
  Description d;
  std::optional<Position> start;
  bool matched_title = false;
  for (const TitleFormat& f : rule.formats) {
    std::optional<SeqMatch> m = find_seq(f.title, lines);
    if (!m || (start && *start < m->start)) continue;
    if (start && m->start == *start && !d.title.empty()) continue;
    if (!start || m->start < *start) {
      d.title.clear();
      d.format = nullptr;
      start = m->start;
    }
    matched_title = true;
    if (!f.report.empty()) {
      m = find_seq(f.report, lines);
      if (!m) continue;
    }
    std::vector<std::string> args = m->args;
    d.corrupted.clear();
    if (f.stack) {
      std::vector<std::string_view> from(lines.begin() + static_cast<std::ptrdiff_t>(m->start.line), lines.end());
      if (!from.empty()) from[0] = from[0].substr(m->start.column);
      std::vector<std::string> frames;
      if (!extract_frames(*f.stack, from, &frames)) d.corrupted = kNoFrames;
      args.insert(args.end(), frames.begin(), frames.end());
    }
    d.title = format_title(f.fmt, args);
    d.format = &f;
  }
  if (d.title.empty()) {
    if (matched_title) d.corrupted = "matched title but not report regexp";
    for (std::string_view ln : lines) {
      size_t pos = ln.find(rule.header);
      if (pos != std::string_view::npos) {
        d.title = std::string(ln.substr(pos));
        break;
      }
    }
  }
  if (d.corrupted.empty() && d.format && d.format->corrupted) {
    d.corrupted = "report format is marked as corrupted";
  }
  return d;
}

// A report whose format expects a stack trace must have frames after every
// "Call Trace:"/"Allocated by task"/... line, and at least one stack trace.
std::string check_corrupted(const std::string& raw_title, const std::vector<std::string_view>& lines,
                            const TitleFormat* format) {
  static const std::regex kMergedTimestamp(R"(\[ *[0-9]+\.[0-9]+\])");
  if (std::regex_search(raw_title.substr(0, LinePattern::kMaxText), kMergedTimestamp)) {
    return "title matches corrupted regexp";
  }
  if (!format || format->no_stack_trace) return {};
  const StackVocabulary& v = stack_vocabulary();
  bool has_stack = false;
  for (const auto& key : v.stack_starts) {
    size_t i = 0;
    while (i < lines.size() && !key->search(lines[i])) ++i;
    if (i == lines.size()) continue;
    // Counted as the byte text would split: the key's line, the lines after it, and
    // the empty piece after the final newline.
    size_t pieces = lines.size() - i + 1;
    if (pieces < 4) return "call trace is missed";
    bool corrupted = true;
    for (size_t j = 0; j < 15 && j + 1 < pieces; ++j) {
      std::string_view ln = i + 1 + j < lines.size() ? lines[i + 1 + j] : std::string_view();
      if (matches_any(ln, v.stack_starts)) break;
      if (ln.find("(stack is not available)") != std::string_view::npos || matches_any(ln, v.frame_lines)) {
        has_stack = true;
        corrupted = false;
        break;
      }
    }
    if (key != v.riscv_stack_start && corrupted) return "no frames in a stack trace";
  }
  if (!has_stack) return "no stack trace in report";
  return {};
}

// Applies `re` -> `fmt` until the text stops changing (matches may overlap, "0,1,2").
std::string replace_all_fixpoint(std::string s, const std::regex& re, const char* fmt) {
  for (int round = 0; round < 64; ++round) {
    std::string next = std::regex_replace(s, re, fmt);
    if (next == s) break;
    s = std::move(next);
  }
  return s;
}

}  // namespace

std::string normalize_title(std::string title) {
  // Titles are short, but a corrupted header line may be long: bound the regex work.
  if (title.size() > 1024) title.resize(1024);
  static const std::pair<std::regex, const char*> kReplacements[] = {
      {std::regex(R"(syz-executor\.?[0-9]+((/|:)[0-9]+)?)"), "syz-executor"},
      {std::regex(R"(syzkaller[0-9]+((/|:)[0-9]+)?)"), "syzkaller"},
      {std::regex(R"(([^a-zA-Z0-9])(?:0x)?[0-9a-f]{6,})"), "$1ADDR"},
      {std::regex(R"(([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}))"), "IP"},
      {std::regex(R"((\.\w+)(:[0-9]+)+)"), "$1:LINE"},
      {std::regex(R"(([a-zA-Z][a-zA-Z0-9_.]+)\+0x[0-9a-z]+/0x[0-9a-z]+)"), "$1"},
      {std::regex(R"(CPU#[0-9]+)"), "CPU"},
      {std::regex(R"((\W)(\d+)(\W|$))"), "$1NUM$3"},
      {std::regex(R"((\d+){7,})"), "NUM"},
  };
  for (const auto& [re, fmt] : kReplacements) title = replace_all_fixpoint(std::move(title), re, fmt);
  std::string out;
  char prev = ' ';
  for (size_t i = 0; i < title.size() && i < 120; ++i) {
    char c = title[i];
    auto u = static_cast<unsigned char>(c);
    if (c == '\t') c = ' ';
    else if (u < 0x20 || u >= 0x7f) continue;
    if (c == ' ' && prev == ' ') continue;
    out.push_back(c);
    prev = c;
  }
  size_t b = out.find_first_not_of(" \t\r\n\v\f");
  if (b == std::string::npos) return {};
  size_t e = out.find_last_not_of(" \t\r\n\v\f");
  return out.substr(b, e - b + 1);
}

std::string title_frame(const std::string& title) {
  static const std::regex kFrame(R"(.* in ((?:<[a-zA-Z0-9_: ]+>)?[a-zA-Z0-9_:]+))");
  std::smatch m;
  if (std::regex_search(title, m, kFrame)) return m[1].str();
  return {};
}

CrashTitle describe_report(std::string_view text, size_t title_end, const OopsRule& rule,
                           std::string_view fallback) {
  std::vector<std::string_view> all = split_lines(text);
  std::vector<std::string_view> head = split_lines(text.substr(0, std::min(title_end, text.size())));
  Description d = describe(head, rule);
  std::vector<std::string_view> checked = all;
  if (d.title.empty() && !fallback.empty()) {
    checked = split_lines(fallback);
    d = describe(checked, rule);
  }
  CrashTitle t;
  t.corrupted_reason = d.corrupted;
  if (t.corrupted_reason.empty()) t.corrupted_reason = check_corrupted(d.title, checked, d.format);
  t.corrupted = !t.corrupted_reason.empty();
  t.title = normalize_title(d.title);
  t.type = title_to_type(t.title);
  t.frame = title_frame(t.title);
  return t;
}

}  // namespace kdive
