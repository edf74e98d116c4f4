// The expression tokenizer (lexer.h). Literal rules follow C11 6.4.4 (integer and
// floating constants, character constants with simple, octal and hex escapes) and 6.4.5
// (string literals); operators are matched longest first (6.4.6).
#include "lang/lexer.h"

#include <array>
#include <cerrno>
#include <cstdlib>

#include <fmt/format.h>

#include "kdive/error.h"

namespace kdive {
namespace {

bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Longest first within each length so that a prefix never shadows a longer operator.
constexpr std::array<std::string_view, 3> kPunct3 = {"<<=", ">>=", "..."};
constexpr std::array<std::string_view, 19> kPunct2 = {
    "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&",
    "||", "+=", "-=", "*=", "/=", "%=", "&=", "^=", "|="};
constexpr std::string_view kPunct1 = "()[].&*+-~!/%<>^|?:=,{}";

std::string describe_char(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7f) return fmt::format("'{}'", c);
  return fmt::format("\\x{:02x}", u);
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::vector<Token> run() {
    std::vector<Token> out;
    out.reserve(text_.size() / 2 + 2);
    for (;;) {
      while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
      Token t;
      t.begin = pos_;
      if (pos_ >= text_.size()) {
        t.end = pos_;
        out.push_back(std::move(t));
        return out;
      }
      char c = text_[pos_];
      if (is_ident_start(c)) {
        size_t end = pos_ + 1;
        while (end < text_.size() && is_ident_char(text_[end])) ++end;
        // A C++ qualified name (ns::name, A::B::c) is one identifier: `::` has no other
        // meaning in C.
        while (end + 2 < text_.size() && text_[end] == ':' && text_[end + 1] == ':' && is_ident_start(text_[end + 2])) {
          end += 3;
          while (end < text_.size() && is_ident_char(text_[end])) ++end;
        }
        t.kind = TokenKind::Identifier;
        pos_ = end;
      } else if (c == '$') {
        size_t end = pos_ + 1;
        while (end < text_.size() && is_ident_char(text_[end])) ++end;
        if (end == pos_ + 1) throw SyntaxError("expected identifier after '$'", pos_ + 2);
        t.kind = TokenKind::DollarIdent;
        pos_ = end;
      } else if (is_digit(c) || (c == '.' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1]))) {
        number(t);
      } else if (c == '\'') {
        char_constant(t);
      } else if (c == '"') {
        string_literal(t);
      } else {
        punct(t);
      }
      t.end = pos_;
      t.text = text_.substr(t.begin, t.end - t.begin);
      out.push_back(std::move(t));
    }
  }

 private:
  [[noreturn]] void fail(const std::string& message, size_t at) const {
    throw SyntaxError(message, at + 1);
  }

  void punct(Token& t) {
    t.kind = TokenKind::Punct;
    std::string_view rest = text_.substr(pos_);
    for (auto p : kPunct3) {
      if (rest[0] == p[0] && rest.substr(0, 3) == p) {
        pos_ += 3;
        return;
      }
    }
    for (auto p : kPunct2) {
      if (rest[0] == p[0] && rest.substr(0, 2) == p) {
        pos_ += 2;
        return;
      }
    }
    if (kPunct1.find(rest[0]) != std::string_view::npos) {
      pos_ += 1;
      return;
    }
    fail(fmt::format("invalid character {}", describe_char(rest[0])), pos_);
  }

  // A pp-number (C11 6.4.8): digits, letters, '_', '.', and signs after an exponent
  // letter; then classified as an integer or floating constant.
  void number(Token& t) {
    size_t start = pos_;
    size_t end = pos_;
    bool hex = text_.substr(start, 2) == "0x" || text_.substr(start, 2) == "0X";
    while (end < text_.size()) {
      char c = text_[end];
      if (is_ident_char(c) || c == '.') {
        ++end;
      } else if ((c == '+' || c == '-') && !hex &&
                 (text_[end - 1] == 'e' || text_[end - 1] == 'E')) {
        ++end;
      } else {
        break;
      }
    }
    std::string_view s = text_.substr(start, end - start);
    pos_ = end;
    bool is_float = !hex && (s.find_first_of(".eE") != std::string_view::npos);
    if (is_float) {
      float_constant(t, s, start);
    } else {
      int_constant(t, s, start, hex);
    }
  }

  void float_constant(Token& t, std::string_view s, size_t start) {
    t.kind = TokenKind::Float;
    if (!s.empty() && (s.back() == 'f' || s.back() == 'F')) {
      t.float_single = true;
      s.remove_suffix(1);
    } else if (!s.empty() && (s.back() == 'l' || s.back() == 'L')) {
      s.remove_suffix(1);  // long double is evaluated as double
    }
    std::string copy(s);
    char* endp = nullptr;
    errno = 0;
    double v = std::strtod(copy.c_str(), &endp);
    if (copy.empty() || endp != copy.c_str() + copy.size() || copy.find_first_of("xXpP") != std::string::npos) {
      fail("invalid number", start);
    }
    t.float_value = v;
  }

  void int_constant(Token& t, std::string_view s, size_t start, bool hex) {
    t.kind = TokenKind::Integer;
    // Suffix: any order of one 'u' and 'l'/'ll' (same case for 'll').
    size_t digits_end = s.size();
    while (digits_end > 0 && !(hex ? hex_digit(s[digits_end - 1]) >= 0 : is_digit(s[digits_end - 1]))) {
      --digits_end;
    }
    std::string_view suffix = s.substr(digits_end);
    std::string_view digits = s.substr(0, digits_end);
    bool u = false;
    int longs = 0;
    for (size_t i = 0; i < suffix.size();) {
      char c = suffix[i];
      if ((c == 'u' || c == 'U') && !u) {
        u = true;
        ++i;
      } else if ((c == 'l' || c == 'L') && longs == 0) {
        if (i + 1 < suffix.size() && suffix[i + 1] == c) {
          longs = 2;
          i += 2;
        } else {
          longs = 1;
          ++i;
        }
      } else {
        fail("invalid number", start);
      }
    }
    int base = 10;
    if (hex) {
      base = 16;
      digits.remove_prefix(2);
      if (digits.empty()) fail("invalid number", start);
    } else if (digits.size() > 1 && digits[0] == '0') {
      base = 8;
      digits.remove_prefix(1);
    }
    uint64_t value = 0;
    for (char c : digits) {
      int d = hex_digit(c);
      if (d < 0 || d >= base) fail("invalid number", start);
      if (value > (UINT64_MAX - uint64_t(d)) / uint64_t(base)) {
        fail("integer constant is too large", start);
      }
      value = value * uint64_t(base) + uint64_t(d);
    }
    t.int_value = value;
    t.int_unsigned = u;
    t.int_longs = uint8_t(longs);
    t.int_decimal = base == 10;
  }

  // After a backslash inside a character or string literal: decodes one escape.
  uint8_t escape() {
    size_t at = pos_ - 1;
    if (pos_ >= text_.size()) fail("unterminated escape sequence", at);
    char c = text_[pos_++];
    switch (c) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case 'a': return '\a';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'v': return '\v';
      case 'e': return 0x1b;  // GNU extension, common in kernel strings
      case '\\': case '\'': case '"': case '?': return uint8_t(c);
      case 'x': {
        unsigned v = 0;
        size_t n = 0;
        while (pos_ < text_.size() && hex_digit(text_[pos_]) >= 0) {
          v = v * 16 + unsigned(hex_digit(text_[pos_++]));
          if (++n > 2) fail("hex escape sequence out of range", at);
        }
        if (n == 0) fail("\\x used with no following hex digits", at);
        return uint8_t(v);
      }
      default:
        if (c >= '0' && c <= '7') {
          unsigned v = unsigned(c - '0');
          for (int n = 1; n < 3 && pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '7'; ++n) {
            v = v * 8 + unsigned(text_[pos_++] - '0');
          }
          if (v > 0xff) fail("octal escape sequence out of range", at);
          return uint8_t(v);
        }
        fail(fmt::format("unknown escape sequence '\\{}'", c), at);
    }
  }

  void char_constant(Token& t) {
    size_t start = pos_++;
    t.kind = TokenKind::Char;
    if (pos_ >= text_.size() || text_[pos_] == '\'') {
      fail(pos_ >= text_.size() ? "unterminated character constant" : "empty character constant", start);
    }
    uint8_t v;
    char c = text_[pos_++];
    v = c == '\\' ? escape() : uint8_t(c);
    if (pos_ >= text_.size()) fail("unterminated character constant", start);
    if (text_[pos_] != '\'') fail("multi-character character constant", start);
    ++pos_;
    // C: a character constant has type int; plain char is signed on x86-64.
    t.int_value = uint64_t(int64_t(int8_t(v)));
  }

  void string_literal(Token& t) {
    size_t start = pos_++;
    t.kind = TokenKind::String;
    for (;;) {
      if (pos_ >= text_.size()) fail("unterminated string literal", start);
      char c = text_[pos_++];
      if (c == '"') return;
      t.str_value.push_back(c == '\\' ? char(escape()) : c);
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

std::vector<Token> tokenize(std::string_view text) { return Lexer(text).run(); }

}  // namespace kdive
