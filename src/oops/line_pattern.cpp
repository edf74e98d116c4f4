// LinePattern: bounded std::regex search with a literal prefilter (see line_pattern.h).
// The prefilter matters for speed: most lines of a console log contain no rule's
// literal, and a substring search is ~100x cheaper than a std::regex search.
#include "oops/line_pattern.h"

namespace kdive {
namespace {

bool is_quantifier(char c) { return c == '?' || c == '*' || c == '{'; }

// The literal text a match of `p` must start with, or "" when the pattern has a
// top-level alternation or starts with something that is not literal.
std::string literal_prefix(const std::string& p) {
  int depth = 0;
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      continue;
    }
    if (c == '[') in_class = true;
    else if (c == '(') ++depth;
    else if (c == ')') --depth;
    else if (c == '|' && depth == 0) return {};
  }
  std::string lit;
  size_t i = 0;
  while (i < p.size()) {
    char c = p[i];
    size_t width = 1;
    char value = c;
    if (c == '\\') {
      if (i + 1 >= p.size()) break;
      char e = p[i + 1];
      // Escaped punctuation is literal; \d, \s, \w, \b ... are classes.
      if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) break;
      value = e;
      width = 2;
    } else if (std::string_view(".[]()*+?{}|^$").find(c) != std::string_view::npos) {
      break;
    }
    if (i + width < p.size() && (is_quantifier(p[i + width]) || p[i + width] == '+')) break;
    lit.push_back(value);
    i += width;
  }
  return lit;
}

}  // namespace

LinePattern::LinePattern(std::string pattern, bool icase, std::vector<std::string> needles)
    : pattern_(std::move(pattern)),
      re_(pattern_, icase ? std::regex::ECMAScript | std::regex::icase : std::regex::ECMAScript),
      literal_(icase ? std::string() : literal_prefix(pattern_)),
      needles_(std::move(needles)) {}

bool LinePattern::may_match(std::string_view text) const {
  text = text.substr(0, kMaxText);
  if (!literal_.empty() && text.find(literal_) == std::string_view::npos) return false;
  if (needles_.empty()) return true;
  for (const auto& n : needles_) {
    if (text.find(n) != std::string_view::npos) return true;
  }
  return false;
}

bool LinePattern::search(std::string_view text, LineMatch* match) const {
  if (text.size() > kMaxText) text = text.substr(0, kMaxText);
  if (!needles_.empty() && !may_match(text)) return false;
  size_t start = 0;
  if (!literal_.empty()) {
    start = text.find(literal_);
    if (start == std::string_view::npos) return false;
  }
  // A pattern that starts with a literal cannot match before that literal's first
  // occurrence; ^ anchors are only in patterns without a literal prefix (start == 0).
  std::cmatch m;
  auto flags = start == 0 ? std::regex_constants::match_default
                          : std::regex_constants::match_prev_avail;
  if (!std::regex_search(text.data() + start, text.data() + text.size(), m, re_, flags)) {
    return false;
  }
  if (match) {
    match->position = start + static_cast<size_t>(m.position(0));
    match->length = static_cast<size_t>(m.length(0));
    match->groups.clear();
    for (size_t g = 1; g < m.size(); ++g) {
      if (m[g].matched) match->groups.emplace_back(m[g].str());
      else match->groups.emplace_back(std::nullopt);
    }
  }
  return true;
}

}  // namespace kdive
