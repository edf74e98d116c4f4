// Console line prefixes (see console_line.h). Hand-written rather than a regular
// expression because it runs on every line of logs that can be 100 MB long.
#include "oops/console_line.h"

#include <cctype>

namespace kdive {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Parses `(<N>)?[ *N.N](\[ *(C|T)N\])? ` at `pos`; on success sets the context and
// timestamp and returns true.
bool parse_stamp(std::string_view s, size_t pos, ConsoleLine* out) {
  size_t i = pos;
  if (i < s.size() && s[i] == '<') {
    size_t j = i + 1;
    while (j < s.size() && is_digit(s[j])) ++j;
    if (j > i + 1 && j < s.size() && s[j] == '>') i = j + 1;
  }
  if (i >= s.size() || s[i] != '[') return false;
  ++i;
  while (i < s.size() && s[i] == ' ') ++i;
  size_t ts_start = i;
  size_t d = i;
  while (d < s.size() && is_digit(s[d])) ++d;
  if (d == i || d >= s.size() || s[d] != '.') return false;
  size_t f = d + 1;
  while (f < s.size() && is_digit(s[f])) ++f;
  if (f == d + 1 || f >= s.size() || s[f] != ']') return false;
  std::string_view ts = s.substr(ts_start, f - ts_start);
  i = f + 1;
  // Optional caller id; the regular expression this mirrors falls back to "no caller"
  // when the id is not followed by a space, so do the same.
  if (i < s.size() && s[i] == '[') {
    size_t j = i + 1;
    while (j < s.size() && s[j] == ' ') ++j;
    if (j < s.size() && (s[j] == 'C' || s[j] == 'T')) {
      size_t k = j + 1;
      while (k < s.size() && is_digit(s[k])) ++k;
      if (k > j + 1 && k + 1 < s.size() && s[k] == ']' && s[k + 1] == ' ') {
        out->context = s.substr(i, k + 1 - i);
        out->timestamp = ts;
        return true;
      }
    }
  }
  if (i < s.size() && s[i] == ' ') {
    out->context = kConsoleContext;
    out->timestamp = ts;
    return true;
  }
  return false;
}

bool find_prefix(std::string_view s, ConsoleLine* out) {
  // "** N printk messages dropped ** " may precede everything.
  size_t starts[2] = {0, std::string_view::npos};
  constexpr std::string_view kDropped = "** ";
  if (s.substr(0, 3) == kDropped) {
    size_t i = 3, j = 3;
    while (j < s.size() && is_digit(s[j])) ++j;
    constexpr std::string_view kRest = " printk messages dropped ** ";
    if (j > i && s.substr(j, kRest.size()) == kRest) starts[1] = j + kRest.size();
  }
  // Prefer the longer optional prefixes, as a greedy regular expression would.
  for (size_t base : {starts[1], starts[0]}) {
    if (base == std::string_view::npos) continue;
    constexpr std::string_view kLogin = " login: ";
    // Every " login: " after base, the last first.
    size_t q = s.rfind(kLogin);
    while (q != std::string_view::npos && q >= base) {
      if (parse_stamp(s, q + kLogin.size(), out)) return true;
      if (q == 0) break;
      q = s.rfind(kLogin, q - 1);
    }
    if (parse_stamp(s, base, out)) return true;
  }
  return false;
}

}  // namespace

ConsoleLine ConsoleLine::parse(std::string_view line) {
  ConsoleLine l;
  l.text = line;
  if (!find_prefix(line, &l)) return l;
  size_t end = line.find("] ");
  l.text = line.substr(end + 2);
  if (l.text.find("<EOI>") == std::string_view::npos) {
    size_t q = l.text.find(" ? ");
    if (q != std::string_view::npos) {
      l.text = l.text.substr(q + 2);
      l.questionable = true;
    } else {
      constexpr std::string_view kUnreliable = " (unreliable)";
      if (l.text.size() >= kUnreliable.size() &&
          l.text.substr(l.text.size() - kUnreliable.size()) == kUnreliable) {
        l.text = l.text.substr(0, l.text.size() - kUnreliable.size());
        l.questionable = true;
      }
    }
  }
  return l;
}

bool ConsoleLine::is_task_context() const {
  size_t i = 1;
  while (i < context.size() && context[i] == ' ') ++i;
  return context.size() > 2 && context[0] == '[' && i < context.size() && context[i] == 'T';
}

bool ConsoleLine::is_cpu_context() const {
  size_t i = 1;
  while (i < context.size() && context[i] == ' ') ++i;
  return context.size() > 2 && context[0] == '[' && i < context.size() && context[i] == 'C';
}

}  // namespace kdive
