// C type-name parsing (type_name_parser.h): a specifier-qualifier list followed by an
// abstract declarator (C11 6.7.7), with its own tiny tokenizer so that the types layer
// does not depend on the expression language. Recursion is bounded by kMaxDepth.
#include "types/type_name_parser.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "kdive/error.h"

namespace kdive {
namespace {

enum class Tok { End, Ident, Number, Star, LParen, RParen, LBracket, RBracket, Comma, Ellipsis, Other };

struct Token {
  Tok kind = Tok::End;
  size_t begin = 0;
  size_t end = 0;
  std::string_view text;
};

bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

Token lex_at(std::string_view text, size_t pos) {
  while (pos < text.size() && is_space(text[pos])) ++pos;
  Token t;
  t.begin = pos;
  if (pos >= text.size()) {
    t.end = pos;
    return t;
  }
  char c = text[pos];
  size_t end = pos + 1;
  if (is_ident_start(c)) {
    while (end < text.size() && is_ident_char(text[end])) ++end;
    t.kind = Tok::Ident;
  } else if (c >= '0' && c <= '9') {
    while (end < text.size() && is_ident_char(text[end])) ++end;
    t.kind = Tok::Number;
  } else if (c == '.' && text.substr(pos, 3) == "...") {
    end = pos + 3;
    t.kind = Tok::Ellipsis;
  } else {
    switch (c) {
      case '*': t.kind = Tok::Star; break;
      case '(': t.kind = Tok::LParen; break;
      case ')': t.kind = Tok::RParen; break;
      case '[': t.kind = Tok::LBracket; break;
      case ']': t.kind = Tok::RBracket; break;
      case ',': t.kind = Tok::Comma; break;
      default: t.kind = Tok::Other; break;
    }
  }
  t.end = end;
  t.text = text.substr(pos, end - pos);
  return t;
}

// The primitive specifier keywords, counted as they appear ("long long" is two longs).
enum Spec { kVoid, kChar, kShort, kInt, kLong, kSigned, kUnsigned, kBool, kFloat, kDouble, kNumSpecs };
constexpr std::array<const char*, kNumSpecs> kSpecSpelling = {
    "void", "char", "short", "int", "long", "signed", "unsigned", "_Bool", "float", "double"};

std::optional<Spec> spec_keyword(std::string_view word) {
  for (int i = 0; i < kNumSpecs; ++i) {
    if (word == kSpecSpelling[i]) return Spec(i);
  }
  return std::nullopt;
}

std::optional<uint8_t> qualifier_keyword(std::string_view word) {
  if (word == "const" || word == "__const" || word == "__const__") return kQualConst;
  if (word == "volatile" || word == "__volatile" || word == "__volatile__") return kQualVolatile;
  if (word == "restrict" || word == "__restrict" || word == "__restrict__") return kQualRestrict;
  if (word == "_Atomic") return kQualAtomic;
  return std::nullopt;
}

std::optional<TypeKind> tag_keyword(std::string_view word) {
  if (word == "struct") return TypeKind::Struct;
  if (word == "union") return TypeKind::Union;
  if (word == "enum") return TypeKind::Enum;
  return std::nullopt;
}

// Counts of primitive specifiers; valid() is C11 6.7.2p2's list of allowed multisets.
struct SpecCounts {
  std::array<int, kNumSpecs> n{};
  std::string spelling;  // as written, for "cannot combine" messages

  bool empty() const { return spelling.empty(); }
  bool valid() const {
    int total = 0;
    for (int c : n) total += c;
    int sign = n[kSigned] + n[kUnsigned];
    if (n[kVoid] || n[kBool] || n[kFloat]) return total == 1;
    if (n[kDouble]) return n[kDouble] == 1 && n[kLong] <= 1 && total == 1 + n[kLong];
    if (sign > 1 || n[kInt] > 1) return false;
    if (n[kChar]) return n[kChar] == 1 && total == 1 + sign;
    if (n[kShort]) return n[kShort] == 1 && total == 1 + sign + n[kInt];
    return n[kLong] <= 2;
  }
  std::string canonical() const {
    bool u = n[kUnsigned] > 0;
    if (n[kVoid]) return "void";
    if (n[kBool]) return "_Bool";
    if (n[kFloat]) return "float";
    if (n[kDouble]) return n[kLong] ? "long double" : "double";
    if (n[kChar]) return n[kSigned] ? "signed char" : u ? "unsigned char" : "char";
    if (n[kShort]) return u ? "unsigned short" : "short";
    if (n[kLong] == 2) return u ? "unsigned long long" : "long long";
    if (n[kLong] == 1) return u ? "unsigned long" : "long";
    return u ? "unsigned int" : "int";
  }
  // Adds one keyword; false when the result is not a valid combination.
  bool add(Spec s) {
    ++n[s];
    if (!valid()) {
      --n[s];
      return false;
    }
    if (!spelling.empty()) spelling += ' ';
    spelling += kSpecSpelling[s];
    return true;
  }
};

// One step of an abstract declarator, applied from the specifiers outward.
struct DeclOp {
  enum Kind { Pointer, Array, Function };
  explicit DeclOp(Kind k) : kind(k) {}
  Kind kind;
  uint8_t qualifiers = 0;              // Pointer
  std::optional<uint64_t> length;      // Array
  std::vector<TypeParameter> params;   // Function
  bool variadic = false;               // Function
};

class Parser {
 public:
  Parser(TypeArena& arena, TypeFinder& finder, std::string_view text, size_t pos)
      : arena_(arena), finder_(finder), text_(text), pos_(pos) {}

  QualifiedType type_name() {
    QualifiedType base = specifier_qualifier_list();
    std::vector<DeclOp> ops;
    declarator(ops, /*allow_name=*/false, 0);
    return apply(base, ops);
  }

  size_t pos() const { return pos_; }
  Token peek() const { return lex_at(text_, pos_); }

 private:
  Token next() {
    Token t = lex_at(text_, pos_);
    pos_ = t.end;
    return t;
  }
  Token peek2() const { return lex_at(text_, lex_at(text_, pos_).end); }

  [[noreturn]] void fail(const std::string& message, const Token& at) const {
    throw SyntaxError(message, at.begin + 1);
  }

  void expect(Tok kind, const char* message) {
    Token t = peek();
    if (t.kind != kind) fail(message, t);
    next();
  }

  QualifiedType lookup(TypeKind kind, std::string_view name) {
    QualifiedType t = finder_.find_type(kind, name);
    if (!t.type) throw LookupError(type_not_found_message(kind, name));
    return t;
  }

  QualifiedType specifier_qualifier_list() {
    uint8_t quals = 0;
    SpecCounts specs;
    QualifiedType named;      // from a tag or typedef name
    std::string named_spelling;
    Token first = peek();
    for (;;) {
      Token t = peek();
      if (t.kind != Tok::Ident) break;
      if (auto q = qualifier_keyword(t.text)) {
        quals |= *q;
        next();
        continue;
      }
      if (auto s = spec_keyword(t.text)) {
        if (named.type) fail(fmt::format("cannot combine '{}' with '{}'", t.text, named_spelling), t);
        if (!specs.add(*s)) fail(fmt::format("cannot combine '{}' with '{}'", t.text, specs.spelling), t);
        next();
        continue;
      }
      if (auto tag = tag_keyword(t.text)) {
        if (named.type || !specs.empty()) {
          fail(fmt::format("cannot combine '{}' with '{}'", t.text,
                           named.type ? named_spelling : specs.spelling),
               t);
        }
        next();
        Token name = peek();
        if (name.kind != Tok::Ident || spec_keyword(name.text) || qualifier_keyword(name.text) ||
            tag_keyword(name.text)) {
          fail(fmt::format("expected identifier after '{}'", t.text), name);
        }
        next();
        named = lookup(*tag, name.text);
        named_spelling = fmt::format("{} {}", t.text, name.text);
        continue;
      }
      // A plain identifier: a typedef name unless the type is already specified, in
      // which case it ends the list (a parameter name, or what follows a prefix).
      if (named.type || !specs.empty()) break;
      next();
      named = lookup(TypeKind::Typedef, t.text);
      named_spelling = std::string(t.text);
    }
    QualifiedType base;
    if (named.type) {
      base = named;
    } else if (!specs.empty()) {
      base = primitive(specs.canonical());
    } else {
      fail("expected type specifier", first);
    }
    base.qualifiers |= quals;
    return base;
  }

  QualifiedType primitive(const std::string& canonical) {
    if (canonical == "void") return {arena_.void_type(), 0};
    TypeKind kind = canonical == "_Bool" ? TypeKind::Bool
                    : (canonical == "float" || canonical == "double" || canonical == "long double")
                        ? TypeKind::Float
                        : TypeKind::Int;
    QualifiedType t = finder_.find_type(kind, canonical);
    if (t.type) return t;
    return {default_primitive_type(arena_, canonical), 0};
  }

  uint8_t pointer_qualifiers() {
    uint8_t quals = 0;
    for (;;) {
      Token t = peek();
      if (t.kind != Tok::Ident) return quals;
      auto q = qualifier_keyword(t.text);
      if (!q) return quals;
      quals |= *q;
      next();
    }
  }

  // abstract-declarator: pointer* ( '(' abstract-declarator ')' )? suffix*
  // The ops come out in the order they wrap the specifier type: the pointers (first
  // star innermost), then the suffixes right to left, then the parenthesised part.
  void declarator(std::vector<DeclOp>& out, bool allow_name, int depth) {
    if (depth > TypeNameParser::kMaxDepth) fail("type name is nested too deeply", peek());
    std::vector<DeclOp> ops;
    while (peek().kind == Tok::Star) {
      next();
      DeclOp op(DeclOp::Pointer);
      op.qualifiers = pointer_qualifiers();
      ops.push_back(std::move(op));
    }
    std::vector<DeclOp> inner;
    Token t = peek();
    if (t.kind == Tok::LParen) {
      Tok k2 = peek2().kind;
      if (k2 == Tok::Star || k2 == Tok::LParen || k2 == Tok::LBracket) {
        next();
        declarator(inner, allow_name, depth + 1);
        expect(Tok::RParen, "expected ')'");
      }
    } else if (allow_name && t.kind == Tok::Ident && !is_keyword(t.text)) {
      next();  // a parameter's name: irrelevant to its type
    }
    std::vector<DeclOp> suffixes;
    for (;;) {
      t = peek();
      if (t.kind == Tok::LBracket) {
        next();
        DeclOp op(DeclOp::Array);
        Token n = peek();
        if (n.kind == Tok::Number) {
          op.length = array_length(n);
          next();
        }
        expect(Tok::RBracket, "expected ']'");
        suffixes.push_back(std::move(op));
      } else if (t.kind == Tok::LParen) {
        next();
        suffixes.push_back(parameter_list(depth + 1));
      } else {
        break;
      }
    }
    std::reverse(suffixes.begin(), suffixes.end());
    for (auto* part : {&ops, &suffixes, &inner}) {
      for (auto& op : *part) out.push_back(std::move(op));
    }
  }

  static bool is_keyword(std::string_view w) {
    return spec_keyword(w) || qualifier_keyword(w) || tag_keyword(w);
  }

  uint64_t array_length(const Token& t) {
    std::string_view s = t.text;
    // Integer suffixes are accepted and ignored: the value is all that matters here.
    while (!s.empty() && (s.back() == 'u' || s.back() == 'U' || s.back() == 'l' || s.back() == 'L')) {
      s.remove_suffix(1);
    }
    int base = 10;
    if (s.size() > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
      base = 16;
      s.remove_prefix(2);
    } else if (s.size() > 1 && s[0] == '0') {
      base = 8;
      s.remove_prefix(1);
    }
    if (s.empty()) fail("invalid number", t);
    uint64_t value = 0;
    for (char c : s) {
      int d = (c >= '0' && c <= '9') ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : 99;
      if (d >= base) fail("invalid number", t);
      if (value > (UINT64_MAX - uint64_t(d)) / uint64_t(base)) fail("array length is too large", t);
      value = value * base + d;
    }
    return value;
  }

  // After '(': "void)", ")", or parameter type names separated by ',' with an optional
  // trailing "...".
  DeclOp parameter_list(int depth) {
    if (depth > TypeNameParser::kMaxDepth) fail("type name is nested too deeply", peek());
    DeclOp op(DeclOp::Function);
    Token t = peek();
    if (t.kind == Tok::RParen) {
      next();
      return op;
    }
    if (t.kind == Tok::Ident && t.text == "void" && peek2().kind == Tok::RParen) {
      next();
      next();
      return op;
    }
    for (;;) {
      t = peek();
      if (t.kind == Tok::Ellipsis) {
        next();
        op.variadic = true;
        expect(Tok::RParen, "expected ')'");
        return op;
      }
      QualifiedType base = specifier_qualifier_list();
      std::vector<DeclOp> ops;
      declarator(ops, /*allow_name=*/true, depth + 1);
      op.params.push_back(TypeParameter{"", LazyType(apply(base, ops))});
      t = next();
      if (t.kind == Tok::RParen) return op;
      if (t.kind != Tok::Comma) fail("expected ',' or ')'", t);
    }
  }

  QualifiedType apply(QualifiedType t, std::vector<DeclOp>& ops) {
    for (auto& op : ops) {
      switch (op.kind) {
        case DeclOp::Pointer:
          t = {arena_.pointer_to(t, finder_.pointer_size()), op.qualifiers};
          break;
        case DeclOp::Array:
          t = {arena_.array_of(t, op.length), 0};
          break;
        case DeclOp::Function:
          t = {arena_.make_function(LazyType(t), std::move(op.params), op.variadic), 0};
          break;
      }
    }
    return t;
  }

  TypeArena& arena_;
  TypeFinder& finder_;
  std::string_view text_;
  size_t pos_;
};

}  // namespace

bool TypeFinder::is_typedef_name(std::string_view name) {
  return find_type(TypeKind::Typedef, name).type != nullptr;
}

std::optional<std::string> canonical_primitive_name(std::string_view name) {
  SpecCounts specs;
  size_t pos = 0;
  for (;;) {
    Token t = lex_at(name, pos);
    if (t.kind == Tok::End) break;
    if (t.kind != Tok::Ident) return std::nullopt;
    auto s = spec_keyword(t.text);
    if (!s || !specs.add(*s)) return std::nullopt;
    pos = t.end;
  }
  if (specs.empty()) return std::nullopt;
  return specs.canonical();
}

const Type* default_primitive_type(TypeArena& arena, std::string_view canonical) {
  struct Prim {
    const char* name;
    TypeKind kind;
    uint64_t size;
    bool is_signed;
  };
  static constexpr Prim kPrims[] = {
      {"char", TypeKind::Int, 1, true},
      {"signed char", TypeKind::Int, 1, true},
      {"unsigned char", TypeKind::Int, 1, false},
      {"short", TypeKind::Int, 2, true},
      {"unsigned short", TypeKind::Int, 2, false},
      {"int", TypeKind::Int, 4, true},
      {"unsigned int", TypeKind::Int, 4, false},
      {"long", TypeKind::Int, 8, true},
      {"unsigned long", TypeKind::Int, 8, false},
      {"long long", TypeKind::Int, 8, true},
      {"unsigned long long", TypeKind::Int, 8, false},
      {"_Bool", TypeKind::Bool, 1, false},
      {"float", TypeKind::Float, 4, true},
      {"double", TypeKind::Float, 8, true},
      {"long double", TypeKind::Float, 16, true},
  };
  if (canonical == "void") return arena.void_type();
  for (const Prim& p : kPrims) {
    if (canonical != p.name) continue;
    switch (p.kind) {
      case TypeKind::Bool: return arena.bool_type(p.name, p.size);
      case TypeKind::Float: return arena.float_type(p.name, p.size);
      default: return arena.int_type(p.name, p.size, p.is_signed);
    }
  }
  return nullptr;
}

std::string type_not_found_message(TypeKind kind, std::string_view name) {
  switch (kind) {
    case TypeKind::Struct:
    case TypeKind::Union:
    case TypeKind::Class:
    case TypeKind::Enum:
      return fmt::format("could not find '{} {}'", type_kind_name(kind), name);
    default:
      return fmt::format("could not find '{}'", name);
  }
}

QualifiedType TypeNameParser::parse(std::string_view text) {
  Parser p(arena_, finder_, text, 0);
  QualifiedType t = p.type_name();
  Token rest = p.peek();
  if (rest.kind != Tok::End) throw SyntaxError("extra tokens after type name", rest.begin + 1);
  return t;
}

TypeNameParser::Prefix TypeNameParser::parse_prefix(std::string_view text, size_t begin) {
  Parser p(arena_, finder_, text, std::min(begin, text.size()));
  QualifiedType t = p.type_name();
  return {t, p.pos()};
}

bool TypeNameParser::starts_type_name(std::string_view text, size_t begin) {
  Token t = lex_at(text, std::min(begin, text.size()));
  if (t.kind != Tok::Ident) return false;
  if (spec_keyword(t.text) || qualifier_keyword(t.text) || tag_keyword(t.text)) return true;
  return finder_.is_typedef_name(t.text);
}

}  // namespace kdive
