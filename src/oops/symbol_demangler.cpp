// Frame-name demangling (see symbol_demangler.h). Itanium names go through libstdc++'s
// abi::__cxa_demangle, which prints the full signature; the cut below removes what a
// demangler leaves out when asked for no parameters. Rust names use rust_demangler.
#include "oops/symbol_demangler.h"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <vector>

#include "oops/rust_demangler.h"

namespace kdive {
namespace {

// Longest symbol handed to the demanglers, and longest name accepted back: frame names
// in a console line are far shorter, and crafted substitutions can blow a name up.
constexpr size_t kMaxMangled = 1024;
constexpr size_t kMaxDemangled = 4096;

bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::optional<std::string> cxa_demangle(std::string_view name) {
  std::string z(name);
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> out(abi::__cxa_demangle(z.c_str(), nullptr, nullptr, &status),
                                                   &std::free);
  if (status != 0 || !out) return std::nullopt;
  std::string result(out.get());
  if (result.size() > kMaxDemangled) return std::nullopt;
  return result;
}

// At `i` (the start of the word "operator"), the end of the operator's name: the
// longest operator token that follows ("<<=", "->*", "()", "-"), so that template
// arguments after it ("operator-<42>") still count as brackets.
size_t skip_operator(const std::string& s, size_t i) {
  static constexpr std::string_view kTokens[] = {
      "<<=", ">>=", "->*", "<=>", "()", "[]", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "++", "--", "->",
      "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "+", "-", "*", "/", "%", "^", "&", "|", "~", "!", "=",
      "<", ">", ","};
  i += 8;  // "operator"
  for (std::string_view t : kTokens) {
    if (s.compare(i, t.size(), t) == 0) return i + t.size();
  }
  return i;
}

bool operator_at(const std::string& s, size_t i) {
  return s.compare(i, 8, "operator") == 0 && (i == 0 || !is_ident_char(s[i - 1])) &&
         (i + 8 >= s.size() || !is_ident_char(s[i + 8]));
}

// Offsets of the spaces outside any (), <>, [] or {} (operator names do not count as
// brackets), and whether the brackets balanced.
bool top_level_spaces(const std::string& s, std::vector<size_t>* spaces) {
  int depth = 0;
  for (size_t i = 0; i < s.size();) {
    if (operator_at(s, i)) {
      i = skip_operator(s, i);
      continue;
    }
    char c = s[i];
    if (c == '(' || c == '<' || c == '[' || c == '{') ++depth;
    else if (c == ')' || c == '>' || c == ']' || c == '}') --depth;
    else if (c == ' ' && depth == 0) spaces->push_back(i);
    if (depth < 0) return false;
    ++i;
  }
  return depth == 0;
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string strip_function_signature(std::string s) {
  static constexpr std::string_view kSpecial[] = {
      "vtable for ", "VTT for ", "typeinfo for ", "typeinfo name for ", "typeinfo fn for ",
      "template parameter object for ", "non-virtual thunk to ", "virtual thunk to ",
      "covariant return thunk to ", "construction vtable for ", "java Class for ",
      "TLS init function for ", "TLS wrapper function for ", "guard variable for ",
      "reference temporary #", "hidden alias for ", "transaction clone for ",
      "non-transaction clone for ", "java resource ", "global constructors keyed to ",
      "global destructors keyed to "};
  for (std::string_view p : kSpecial) {
    if (s.compare(0, p.size(), p) == 0) return s;
  }
  // Clone suffixes (" [clone .cold]") are not printed without parameters.
  while (ends_with(s, "]")) {
    size_t open = s.rfind(" [clone ");
    if (open == std::string::npos) break;
    s.resize(open);
  }
  // Qualifiers of the implicit object parameter.
  for (bool again = true; again;) {
    again = false;
    for (std::string_view q : {" const", " volatile", " restrict", " &&", " &", " noexcept"}) {
      if (ends_with(s, q)) {
        s.resize(s.size() - q.size());
        again = true;
      }
    }
  }
  if (!ends_with(s, ")")) return s;  // not a function: data, or a special name
  int depth = 0;
  size_t open = std::string::npos;
  for (size_t i = s.size(); i-- > 0;) {
    if (s[i] == ')') ++depth;
    else if (s[i] == '(' && --depth == 0) {
      open = i;
      break;
    }
  }
  if (open == std::string::npos || open == 0) return s;
  s.resize(open);
  // A template function's return type is printed before its name: "void swap<int>".
  std::vector<size_t> spaces;
  if (!ends_with(s, ">") || !top_level_spaces(s, &spaces)) return s;
  for (size_t k = spaces.size(); k-- > 0;) {
    size_t sp = spaces[k];
    bool continues_name = sp + 1 < s.size() && s[sp + 1] == '<';  // "operator< <int>"
    size_t word = k > 0 ? spaces[k - 1] + 1 : 0;
    std::string_view before(s.data() + word, sp - word);
    bool operator_word = before == "operator" || (before.size() > 10 &&
                                                   before.substr(before.size() - 10) == "::operator");  // "operator new"
    if (!continues_name && !operator_word) return s.substr(sp + 1);
  }
  return s;
}

std::string demangle_frame_name(std::string_view name) {
  if (name.size() > kMaxMangled) return std::string(name);
  if (name.substr(0, 2) == "_R") {
    if (auto r = demangle_rust_v0(name)) return *r;
    return std::string(name);
  }
  if (name.substr(0, 3) == "_ZN") {
    if (auto r = demangle_rust_legacy(name)) return *r;
  }
  if (name.substr(0, 2) == "_Z") {
    if (auto d = cxa_demangle(name)) return strip_function_signature(std::move(*d));
  }
  return std::string(name);
}

}  // namespace kdive
