// print_fmt evaluation (trace_print_fmt.h): a small tokenizer and a recursive-descent
// evaluator with C precedence that computes values while it parses (print_fmt
// expressions have no side effects, so evaluating both arms of ?: is harmless).
// Helper semantics follow the kernel's own output code so kdive prints what the
// kernel's "trace" file printed: __print_flags as trace_print_flags_seq()
// (kernel/trace/trace_output.c: flags matched in order while any remain, leftovers as
// 0x%lx), __print_symbolic as trace_print_symbols_seq() (exact match, else 0x%lx).
// Field storage: __data_loc fields hold (length << 16 | offset from the record's start);
// __rel_loc (5.19+) the same with the offset from the end of the field itself.
#include "linux/trace_print_fmt.h"

#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "kdive/error.h"

namespace kdive {

namespace {

uint64_t read_le(std::span<const uint8_t> rec, uint64_t off, uint64_t size) {
  if (off + size > rec.size() || size > 8 || size == 0)
    throw BadDataError(fmt::format("field at {} size {} outside the {}-byte record", off, size, rec.size()));
  uint64_t v = 0;
  for (uint64_t i = 0; i < size; ++i) v |= uint64_t(rec[off + i]) << (8 * i);
  return v;
}

bool has(std::string_view s, std::string_view what) { return s.find(what) != std::string_view::npos; }

// The bytes of a dynamic (__data_loc/__rel_loc) field.
std::span<const uint8_t> dynamic_bytes(const TraceEventField& f, std::span<const uint8_t> rec) {
  uint64_t v = read_le(rec, f.offset, 4);
  uint64_t off = v & 0xffff, len = v >> 16;
  if (has(f.type, "__rel_loc")) off += f.offset + f.size;
  if (off + len > rec.size()) throw BadDataError(fmt::format("dynamic field '{}' runs past the record", f.name));
  return rec.subspan(off, len);
}

bool is_dynamic(const TraceEventField& f) { return has(f.type, "__data_loc") || has(f.type, "__rel_loc"); }
bool is_array(const TraceEventField& f) { return has(f.type, "["); }
bool is_char_element(const TraceEventField& f) {
  std::string_view t = f.type;
  for (std::string_view p : {"__data_loc ", "__rel_loc ", "const ", "signed "})
    if (t.starts_with(p)) t.remove_prefix(p.size());
  return t.starts_with("char[") || t.starts_with("char ") || t == "char";
}

std::string c_string(std::span<const uint8_t> b) {
  size_t n = 0;
  while (n < b.size() && b[n]) ++n;
  return std::string(reinterpret_cast<const char*>(b.data()), n);
}

}  // namespace

std::string field_string(const TraceEventField& f, std::span<const uint8_t> rec) {
  if (is_dynamic(f)) return c_string(dynamic_bytes(f, rec));
  if (is_array(f) && is_char_element(f)) {
    if (f.offset + f.size > rec.size()) throw BadDataError(fmt::format("field '{}' runs past the record", f.name));
    return c_string(rec.subspan(f.offset, f.size));
  }
  throw BadDataError(fmt::format("field '{}' ({}) is not a string", f.name, f.type));
}

uint64_t field_integer(const TraceEventField& f, std::span<const uint8_t> rec) {
  if (is_dynamic(f) || is_array(f)) throw BadDataError(fmt::format("field '{}' ({}) is not an integer", f.name, f.type));
  uint64_t v = read_le(rec, f.offset, f.size);
  if (f.is_signed && f.size < 8 && (v >> (8 * f.size - 1)) & 1) v |= ~uint64_t(0) << (8 * f.size);
  return v;
}

std::string format_field_value(const TraceEventField& f, std::span<const uint8_t> rec) {
  if ((is_dynamic(f) || is_array(f)) && is_char_element(f)) return field_string(f, rec);
  if (is_dynamic(f) || is_array(f)) {
    std::span<const uint8_t> b = is_dynamic(f) ? dynamic_bytes(f, rec) : rec.subspan(std::min<size_t>(f.offset, rec.size()),
                                                                                     std::min<size_t>(f.size, rec.size() - std::min<size_t>(f.offset, rec.size())));
    std::string s;
    for (uint8_t c : b) s += fmt::format("{}{:02x}", s.empty() ? "" : ",", c);
    return "{" + s + "}";
  }
  uint64_t v = field_integer(f, rec);
  if (has(f.type, "*")) return fmt::format("{:#x}", v);
  if (f.is_signed) return std::to_string(static_cast<int64_t>(v));
  return std::to_string(v);
}

namespace {

struct Token {
  enum Kind { End, Number, String, Ident, Punct } kind = End;
  std::string text;
  uint64_t number = 0;
};

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}
  Token next() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
    Token t;
    if (i_ >= s_.size()) return t;
    char c = s_[i_];
    if (c == '"') {
      t.kind = Token::String;
      ++i_;
      while (i_ < s_.size() && s_[i_] != '"') {
        char ch = s_[i_++];
        if (ch == '\\' && i_ < s_.size()) {
          char e = s_[i_++];
          switch (e) {
            case 'n': ch = '\n'; break;
            case 't': ch = '\t'; break;
            case '\\': ch = '\\'; break;
            case '"': ch = '"'; break;
            case '0': ch = '\0'; break;
            default: ch = e;
          }
        }
        t.text += ch;
      }
      if (i_ >= s_.size()) throw BadDataError("print_fmt: unterminated string");
      ++i_;
      return t;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      t.kind = Token::Number;
      size_t start = i_;
      while (i_ < s_.size() && std::isalnum(static_cast<unsigned char>(s_[i_]))) ++i_;
      std::string num(s_.substr(start, i_ - start));
      while (!num.empty() && (num.back() == 'u' || num.back() == 'U' || num.back() == 'l' || num.back() == 'L'))
        num.pop_back();
      // C literal: 0x hex, leading 0 octal, else decimal; std::from_chars does not throw.
      int base = 10;
      std::string_view digits = num;
      if (digits.size() > 2 && (digits.starts_with("0x") || digits.starts_with("0X"))) {
        base = 16;
        digits.remove_prefix(2);
      } else if (digits.size() > 1 && digits[0] == '0') {
        base = 8;
        digits.remove_prefix(1);
      }
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), t.number, base);
      if (ec != std::errc() || end != digits.data() + digits.size())
        throw BadDataError(fmt::format("print_fmt: bad number '{}'", num));
      return t;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      t.kind = Token::Ident;
      while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) t.text += s_[i_++];
      return t;
    }
    t.kind = Token::Punct;
    static const char* two[] = {"->", "==", "!=", "<=", ">=", "<<", ">>", "&&", "||"};
    for (const char* p : two)
      if (s_.substr(i_, 2) == p) {
        t.text = p;
        i_ += 2;
        return t;
      }
    t.text = std::string(1, c);
    ++i_;
    return t;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

struct Val {
  bool is_str = false;
  uint64_t i = 0;
  std::string s;
};

class Evaluator {
 public:
  Evaluator(std::string_view text, std::span<const uint8_t> rec, const std::vector<TraceEventField>& fields)
      : lex_(text), rec_(rec), fields_(fields) {
    advance();
  }

  std::string format_string() {
    if (tok_.kind != Token::String) throw BadDataError("print_fmt does not start with a string");
    std::string f;
    while (tok_.kind == Token::String) {
      f += tok_.text;
      advance();
    }
    return f;
  }

  std::vector<PrintfArg> args() {
    std::vector<PrintfArg> out;
    while (is(",")) {
      advance();
      Val v = expr();
      out.push_back(v.is_str ? PrintfArg::string(v.s) : PrintfArg::integer(v.i));
    }
    if (tok_.kind != Token::End) throw BadDataError(fmt::format("print_fmt: unexpected '{}'", tok_.text));
    return out;
  }

 private:
  void advance() { tok_ = lex_.next(); }
  bool is(std::string_view p) const { return tok_.kind == Token::Punct && tok_.text == p; }
  void expect(std::string_view p) {
    if (!is(p)) throw BadDataError(fmt::format("print_fmt: expected '{}', found '{}'", p, tok_.text));
    advance();
  }
  static uint64_t num(const Val& v) {
    if (v.is_str) throw BadDataError("print_fmt: string used as a number");
    return v.i;
  }
  static Val n(uint64_t x) { return Val{false, x, {}}; }

  Val expr() {
    Val c = binary(0);
    if (!is("?")) return c;
    advance();
    Val a = expr();
    expect(":");
    Val b = expr();
    return num(c) ? a : b;
  }

  static int precedence(const std::string& op) {
    static const std::pair<const char*, int> table[] = {
        {"||", 1}, {"&&", 2}, {"|", 3}, {"^", 4}, {"&", 5}, {"==", 6}, {"!=", 6}, {"<", 7}, {">", 7}, {"<=", 7},
        {">=", 7}, {"<<", 8}, {">>", 8}, {"+", 9}, {"-", 9}, {"*", 10}, {"/", 10}, {"%", 10}};
    for (auto& [o, p] : table)
      if (op == o) return p;
    return -1;
  }

  Val binary(int min_prec) {
    Val lhs = unary();
    while (tok_.kind == Token::Punct) {
      int p = precedence(tok_.text);
      if (p < 0 || p < min_prec) break;
      std::string op = tok_.text;
      advance();
      Val rhs = binary(p + 1);
      uint64_t a = num(lhs), b = num(rhs);
      uint64_t r = 0;
      if (op == "||") r = a || b;
      else if (op == "&&") r = a && b;
      else if (op == "|") r = a | b;
      else if (op == "^") r = a ^ b;
      else if (op == "&") r = a & b;
      else if (op == "==") r = a == b;
      else if (op == "!=") r = a != b;
      else if (op == "<") r = static_cast<int64_t>(a) < static_cast<int64_t>(b);
      else if (op == ">") r = static_cast<int64_t>(a) > static_cast<int64_t>(b);
      else if (op == "<=") r = static_cast<int64_t>(a) <= static_cast<int64_t>(b);
      else if (op == ">=") r = static_cast<int64_t>(a) >= static_cast<int64_t>(b);
      else if (op == "<<") r = b < 64 ? a << b : 0;
      else if (op == ">>") r = b < 64 ? a >> b : 0;
      else if (op == "+") r = a + b;
      else if (op == "-") r = a - b;
      else if (op == "*") r = a * b;
      else if (op == "/" || op == "%") {
        if (!b) throw BadDataError("print_fmt: division by zero");
        if (b == ~uint64_t(0)) {  // x / -1 and x % -1, without INT64_MIN / -1 overflowing
          lhs = n(op == "/" ? 0 - a : 0);
          continue;
        }
        r = op == "/" ? static_cast<uint64_t>(static_cast<int64_t>(a) / static_cast<int64_t>(b))
                      : static_cast<uint64_t>(static_cast<int64_t>(a) % static_cast<int64_t>(b));
      }
      lhs = n(r);
    }
    return lhs;
  }

  // "(type)" ahead? Identifiers and '*' up to ')', first one not REC nor a helper.
  bool cast_ahead() {
    if (tok_.kind != Token::Ident || tok_.text == "REC" || tok_.text.starts_with("__")) return false;
    return true;
  }

  // Width and signedness of a cast's type words.
  static Val apply_cast(const std::vector<std::string>& words, bool pointer, Val v) {
    if (pointer || v.is_str) return v;
    bool is_unsigned = false;
    int bits = 32;
    int longs = 0;
    for (const std::string& w : words) {
      if (w == "unsigned") is_unsigned = true;
      else if (w == "char" || w == "u8" || w == "s8" || w == "bool") bits = 8;
      else if (w == "short" || w == "u16" || w == "s16") bits = 16;
      else if (w == "long") ++longs;
      else if (w == "u64" || w == "s64" || w == "size_t" || w == "ssize_t" || w == "loff_t") bits = 64;
      if (w.size() > 1 && w[0] == 'u' && std::isdigit(static_cast<unsigned char>(w[1]))) is_unsigned = true;
      if (w == "bool" || w == "size_t") is_unsigned = true;
    }
    if (longs) bits = 64;
    if (bits == 64) return v;
    uint64_t x = v.i & ((uint64_t(1) << bits) - 1);
    if (!is_unsigned && (x >> (bits - 1)) & 1) x |= ~uint64_t(0) << bits;
    return n(x);
  }

  Val unary() {
    if (is("-")) { advance(); return n(-num(unary())); }
    if (is("+")) { advance(); return n(num(unary())); }
    if (is("!")) { advance(); return n(!num(unary())); }
    if (is("~")) { advance(); return n(~num(unary())); }
    if (is("(")) {
      advance();
      if (cast_ahead()) {
        std::vector<std::string> words;
        bool pointer = false;
        while (tok_.kind == Token::Ident || is("*")) {
          if (is("*")) pointer = true;
          else words.push_back(tok_.text);
          advance();
        }
        if (words.size() == 1 && !pointer && !is(")")) throw BadDataError(fmt::format("print_fmt: '{}' is not supported", words[0]));
        expect(")");
        return apply_cast(words, pointer, unary());
      }
      Val v = expr();
      expect(")");
      return v;
    }
    return primary();
  }

  const TraceEventField& field(const std::string& name) const {
    for (const TraceEventField& f : fields_)
      if (f.name == name) return f;
    throw BadDataError(fmt::format("print_fmt: no field '{}'", name));
  }

  std::string field_name_arg() {
    // __get_str(field) / __get_str(REC->field) spellings both occur.
    if (tok_.kind == Token::Ident && tok_.text == "REC") {
      advance();
      expect("->");
    }
    if (tok_.kind != Token::Ident) throw BadDataError("print_fmt: expected a field name");
    std::string name = tok_.text;
    advance();
    return name;
  }

  // {value, "name"}, ... up to ')'.
  std::vector<std::pair<uint64_t, std::string>> table() {
    std::vector<std::pair<uint64_t, std::string>> out;
    while (is(",")) {
      advance();
      expect("{");
      uint64_t v = num(expr());
      expect(",");
      if (tok_.kind != Token::String) throw BadDataError("print_fmt: expected a name in a flag table");
      std::string s = tok_.text;
      advance();
      expect("}");
      out.emplace_back(v, std::move(s));
    }
    return out;
  }

  Val primary() {
    if (tok_.kind == Token::Number) {
      Val v = n(tok_.number);
      advance();
      return v;
    }
    if (tok_.kind == Token::String) {
      Val v{true, 0, {}};
      while (tok_.kind == Token::String) {
        v.s += tok_.text;
        advance();
      }
      return v;
    }
    if (tok_.kind != Token::Ident) throw BadDataError(fmt::format("print_fmt: unexpected '{}'", tok_.text));
    std::string id = tok_.text;
    advance();
    if (id == "REC") {
      expect("->");
      if (tok_.kind != Token::Ident) throw BadDataError("print_fmt: expected a field after REC->");
      const TraceEventField& f = field(tok_.text);
      advance();
      if (is_dynamic(f) || is_array(f)) return Val{true, 0, field_string(f, rec_)};
      return n(field_integer(f, rec_));
    }
    if (!is("(")) throw BadDataError(fmt::format("print_fmt: unknown identifier '{}'", id));
    advance();
    Val out;
    if (id == "__get_str" || id == "__get_rel_str") {
      out = Val{true, 0, field_string(field(field_name_arg()), rec_)};
    } else if (id == "__get_dynamic_array_len" || id == "__get_rel_dynamic_array_len") {
      out = n(dynamic_bytes(field(field_name_arg()), rec_).size());
    } else if (id == "__print_flags") {
      uint64_t flags = num(expr());
      expect(",");
      if (tok_.kind != Token::String) throw BadDataError("print_fmt: __print_flags without a delimiter");
      std::string delim = tok_.text;
      advance();
      std::string s;
      for (auto& [mask, name] : table()) {
        if (!flags) break;
        if ((flags & mask) != mask) continue;
        flags &= ~mask;
        if (!s.empty()) s += delim;
        s += name;
      }
      if (flags) s += (s.empty() ? "" : delim) + fmt::format("{:#x}", flags);
      out = Val{true, 0, s};
    } else if (id == "__print_symbolic" || id == "__print_symbolic_u64") {
      uint64_t v = num(expr());
      std::string s;
      for (auto& [value, name] : table())
        if (s.empty() && value == v) s = name;
      out = Val{true, 0, s.empty() ? fmt::format("{:#x}", v) : s};
    } else {
      throw BadDataError(fmt::format("print_fmt: helper {}() is not supported", id));
    }
    expect(")");
    return out;
  }

  Lexer lex_;
  Token tok_;
  std::span<const uint8_t> rec_;
  const std::vector<TraceEventField>& fields_;
};

}  // namespace

std::string evaluate_print_fmt(std::string_view print_fmt, std::span<const uint8_t> record,
                               const std::vector<TraceEventField>& fields, const TraceSymbolLookup& symbols) {
  if (print_fmt.empty()) throw BadDataError("event has no print_fmt");
  Evaluator ev(print_fmt, record, fields);
  std::string f = ev.format_string();
  std::vector<PrintfArg> args = ev.args();
  return format_printf(f, args, symbols);
}

}  // namespace kdive
