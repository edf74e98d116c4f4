// LinePattern: a regular expression applied to one console line at a time, with a literal
// prefilter and a length cap. The report rules (crash_rules.cpp) are regular expressions;
// std::regex backtracks and recurses, so it is only ever run on bounded text here.
//
//   LinePattern p("BUG: KASAN: ([a-z-]+) in");
//   LineMatch m;
//   if (p.search(" BUG: KASAN: slab-out-of-bounds in f+0x1/0x2", &m)) use(*m.groups[0]);
#pragma once

#include <cstddef>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace kdive {

struct LineMatch {
  size_t position = 0;  // offset of the match in the searched text
  size_t length = 0;
  // Capture groups 1..n; nullopt for a group that did not take part in the match.
  std::vector<std::optional<std::string>> groups;
};

class LinePattern {
 public:
  // Longest text a pattern is run on; console lines are at most ~1 KiB (printk's limit),
  // so a longer "line" is garbage and its tail is ignored.
  static constexpr size_t kMaxText = 4096;

  // `pattern` is ECMAScript syntax. Throws std::regex_error on a bad pattern (a bug).
  // `needles`, when given, are strings of which every match contains at least one: a
  // prefilter for patterns that do not start with a literal.
  explicit LinePattern(std::string pattern, bool icase = false, std::vector<std::string> needles = {});

  bool search(std::string_view text, LineMatch* match = nullptr) const;
  const std::string& pattern() const { return pattern_; }
  // False when `text` cannot contain a match (it lacks the pattern's literal prefix).
  bool may_match(std::string_view text) const;

 private:
  std::string pattern_;
  std::regex re_;
  // Text every match must contain (a literal prefix of the pattern); empty when unknown.
  std::string literal_;
  std::vector<std::string> needles_;
};

}  // namespace kdive
