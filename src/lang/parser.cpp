// Recursive-descent parser for the expression language (parser.h), following the C11
// grammar of 6.5 (expressions). Binary operators use precedence climbing; every
// recursive step and every tree node's height is checked against kMaxExpressionDepth.
#include "lang/parser.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "kdive/error.h"
#include "lang/lexer.h"

namespace kdive {
namespace {

struct BinaryInfo {
  std::string_view spelling;
  int precedence;
  ExprKind kind;
  BinaryOp op;
};

// C's binary operators, lowest precedence first (C11 6.5.5-6.5.14).
constexpr BinaryInfo kBinary[] = {
    {"||", 1, ExprKind::LogicalOr, BinaryOp::LogicalOr},
    {"&&", 2, ExprKind::LogicalAnd, BinaryOp::LogicalAnd},
    {"|", 3, ExprKind::Binary, BinaryOp::BitOr},
    {"^", 4, ExprKind::Binary, BinaryOp::BitXor},
    {"&", 5, ExprKind::Binary, BinaryOp::BitAnd},
    {"==", 6, ExprKind::Binary, BinaryOp::Eq},
    {"!=", 6, ExprKind::Binary, BinaryOp::Ne},
    {"<", 7, ExprKind::Binary, BinaryOp::Lt},
    {">", 7, ExprKind::Binary, BinaryOp::Gt},
    {"<=", 7, ExprKind::Binary, BinaryOp::Le},
    {">=", 7, ExprKind::Binary, BinaryOp::Ge},
    {"<<", 8, ExprKind::Binary, BinaryOp::LShift},
    {">>", 8, ExprKind::Binary, BinaryOp::RShift},
    {"+", 9, ExprKind::Binary, BinaryOp::Add},
    {"-", 9, ExprKind::Binary, BinaryOp::Sub},
    {"*", 10, ExprKind::Binary, BinaryOp::Mul},
    {"/", 10, ExprKind::Binary, BinaryOp::Div},
    {"%", 10, ExprKind::Binary, BinaryOp::Mod},
};

struct CompoundInfo {
  std::string_view spelling;
  BinaryOp op;
};
constexpr CompoundInfo kCompound[] = {
    {"+=", BinaryOp::Add},    {"-=", BinaryOp::Sub},    {"*=", BinaryOp::Mul},
    {"/=", BinaryOp::Div},    {"%=", BinaryOp::Mod},    {"<<=", BinaryOp::LShift},
    {">>=", BinaryOp::RShift}, {"&=", BinaryOp::BitAnd}, {"|=", BinaryOp::BitOr},
    {"^=", BinaryOp::BitXor},
};

// Words that begin a type name or are C keywords: never an identifier expression.
bool is_c_keyword(std::string_view w) {
  // Sorted for binary search.
  static constexpr std::string_view kWords[] = {
      "_Alignof", "_Atomic", "_Bool",    "break",  "case",   "char",     "const",
      "continue", "default", "do",       "double", "else",   "enum",     "extern",
      "float",    "for",     "goto",     "if",     "int",    "long",     "restrict",
      "return",   "short",   "signed",   "sizeof", "static", "struct",   "switch",
      "typedef",  "union",   "unsigned", "void",   "volatile", "while"};
  return std::binary_search(std::begin(kWords), std::end(kWords), w);
}

std::string describe(const Token& t) {
  switch (t.kind) {
    case TokenKind::End: return "end of expression";
    case TokenKind::Identifier: return fmt::format("identifier '{}'", t.text);
    case TokenKind::DollarIdent: return fmt::format("'{}'", t.text);
    case TokenKind::Integer:
    case TokenKind::Float: return fmt::format("number '{}'", t.text);
    case TokenKind::Char: return "character constant";
    case TokenKind::String: return "string literal";
    case TokenKind::Punct: return fmt::format("'{}'", t.text);
  }
  return "token";
}

class Parser {
 public:
  Parser(std::string_view text, TypeNameParser& types)
      : text_(text), types_(types), toks_(tokenize(text)) {}

  ExprPtr parse() {
    ExprPtr e = assignment();
    if (peek().kind != TokenKind::End) fail("unexpected " + describe(peek()), peek());
    return e;
  }

 private:
  class DepthGuard {
   public:
    explicit DepthGuard(Parser& p) : p_(p) {
      if (++p_.depth_ > kMaxExpressionDepth) p_.fail("expression is nested too deeply", p_.peek());
    }
    ~DepthGuard() { --p_.depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    Parser& p_;
  };

  const Token& peek(size_t ahead = 0) const {
    return toks_[std::min(idx_ + ahead, toks_.size() - 1)];
  }
  const Token& next() {
    const Token& t = toks_[idx_];
    if (idx_ + 1 < toks_.size()) ++idx_;
    return t;
  }
  bool accept(std::string_view punct) {
    if (!peek().is(punct)) return false;
    next();
    return true;
  }
  void expect(std::string_view punct) {
    if (!accept(punct)) fail(fmt::format("expected '{}'", punct), peek());
  }
  [[noreturn]] void fail(const std::string& message, const Token& at) const {
    throw SyntaxError(message, at.column());
  }

  // Makes a node, checking the height of the tree it roots.
  ExprPtr node(ExprKind kind, const Token& at, std::vector<ExprPtr> children = {}) {
    auto e = std::make_unique<Expr>(kind, at.column());
    for (auto& c : children) e->height = std::max(e->height, c->height + 1);
    if (e->height > kMaxExpressionDepth) fail("expression is nested too deeply", at);
    e->children = std::move(children);
    return e;
  }

  // (type-name) at the current token: the type parser reads the raw text and says
  // where it ended; the token stream is re-synchronised there.
  QualifiedType type_name() {
    auto [type, end] = types_.parse_prefix(text_, peek().begin);
    while (peek().kind != TokenKind::End && peek().begin < end) next();
    return type;
  }
  bool at_type_name() {
    const Token& t = peek();
    return t.kind == TokenKind::Identifier && types_.starts_type_name(text_, t.begin);
  }

  ExprPtr assignment() {
    DepthGuard guard(*this);
    ExprPtr lhs = conditional();
    const Token& op = peek();
    if (op.kind != TokenKind::Punct) return lhs;
    bool plain = op.text == "=";
    const CompoundInfo* compound = nullptr;
    for (const auto& c : kCompound) {
      if (op.text[0] == c.spelling[0] && op.text == c.spelling) compound = &c;
    }
    if (!plain && !compound) return lhs;
    if (lhs->kind != ExprKind::Variable) fail("only '$' variables can be assigned", op);
    const Token& op_tok = next();
    ExprPtr rhs = assignment();
    std::vector<ExprPtr> kids;
    kids.push_back(std::move(rhs));
    ExprPtr e = node(ExprKind::Assign, op_tok, std::move(kids));
    e->name = lhs->name;
    if (compound) {
      e->has_compound_op = true;
      e->binary_op = compound->op;
    }
    return e;
  }

  ExprPtr conditional() {
    ExprPtr cond = binary(1);
    if (!peek().is("?")) return cond;
    DepthGuard guard(*this);
    const Token& q = next();
    ExprPtr then = assignment();
    expect(":");
    ExprPtr otherwise = conditional();
    std::vector<ExprPtr> kids;
    kids.push_back(std::move(cond));
    kids.push_back(std::move(then));
    kids.push_back(std::move(otherwise));
    return node(ExprKind::Conditional, q, std::move(kids));
  }

  const BinaryInfo* binary_at(const Token& t) const {
    if (t.kind != TokenKind::Punct) return nullptr;
    for (const auto& b : kBinary) {
      if (t.text[0] == b.spelling[0] && t.text == b.spelling) return &b;
    }
    return nullptr;
  }

  // Precedence climbing: all operators here are left-associative.
  ExprPtr binary(int min_precedence) {
    ExprPtr lhs = unary();
    for (;;) {
      const BinaryInfo* info = binary_at(peek());
      if (!info || info->precedence < min_precedence) return lhs;
      const Token& op = next();
      ExprPtr rhs = info->precedence < 10 ? binary(info->precedence + 1) : unary();
      std::vector<ExprPtr> kids;
      kids.push_back(std::move(lhs));
      kids.push_back(std::move(rhs));
      lhs = node(info->kind, op, std::move(kids));
      lhs->binary_op = info->op;
    }
  }

  ExprPtr unary() {
    DepthGuard guard(*this);
    const Token& t = peek();
    if (t.kind == TokenKind::Punct) {
      if (t.text == "++" || t.text == "--") {
        next();
        ExprPtr operand = unary();
        if (operand->kind != ExprKind::Variable) fail("only '$' variables can be assigned", t);
        ExprPtr e = node(ExprKind::Increment, t);
        e->name = operand->name;
        e->prefix = true;
        e->delta = t.text == "++" ? 1 : -1;
        return e;
      }
      std::optional<UnaryOp> uop;
      if (t.text == "+") uop = UnaryOp::Plus;
      if (t.text == "-") uop = UnaryOp::Minus;
      if (t.text == "~") uop = UnaryOp::BitNot;
      if (t.text == "!") uop = UnaryOp::LogicalNot;
      if (uop) {
        next();
        ExprPtr e = node(ExprKind::Unary, t, one(unary()));
        e->unary_op = *uop;
        return e;
      }
      if (t.text == "*" || t.text == "&") {
        next();
        return node(t.text == "*" ? ExprKind::Dereference : ExprKind::AddressOf, t, one(unary()));
      }
      if (t.text == "(" && peek(1).kind == TokenKind::Identifier &&
          types_.starts_type_name(text_, peek(1).begin)) {
        next();
        QualifiedType type = type_name();
        expect(")");
        if (peek().is("{")) fail("compound literals are not supported", peek());
        ExprPtr e = node(ExprKind::Cast, t, one(unary()));
        e->type = type;
        return e;
      }
    }
    if (t.kind == TokenKind::Identifier && t.text == "sizeof") {
      next();
      if (peek().is("(") && peek(1).kind == TokenKind::Identifier &&
          types_.starts_type_name(text_, peek(1).begin)) {
        next();
        QualifiedType type = type_name();
        expect(")");
        ExprPtr e = node(ExprKind::SizeofType, t);
        e->type = type;
        return e;
      }
      return node(ExprKind::SizeofExpr, t, one(unary()));
    }
    if (t.kind == TokenKind::Identifier && (t.text == "_Alignof" || t.text == "alignof") &&
        peek(1).is("(")) {
      next();
      next();
      if (!at_type_name()) fail("expected type name", peek());
      QualifiedType type = type_name();
      expect(")");
      ExprPtr e = node(ExprKind::AlignofType, t);
      e->type = type;
      return e;
    }
    return postfix();
  }

  static std::vector<ExprPtr> one(ExprPtr e) {
    std::vector<ExprPtr> v;
    v.push_back(std::move(e));
    return v;
  }

  ExprPtr postfix() {
    ExprPtr e = primary();
    for (;;) {
      const Token& t = peek();
      if (t.is("[")) {
        next();
        std::vector<ExprPtr> kids;
        kids.push_back(std::move(e));
        kids.push_back(assignment());
        expect("]");
        e = node(ExprKind::Subscript, t, std::move(kids));
      } else if (t.is("(")) {
        if (e->kind != ExprKind::Identifier && e->kind != ExprKind::Variable) {
          fail("only built-in functions can be called", t);
        }
        next();
        std::vector<ExprPtr> args;
        if (!accept(")")) {
          for (;;) {
            args.push_back(assignment());
            if (accept(")")) break;
            if (!peek().is(",")) fail("expected ',' or ')'", peek());
            next();
          }
        }
        std::string name = e->name;
        size_t column = e->column;
        e = node(ExprKind::Call, t, std::move(args));
        e->name = std::move(name);
        e->column = column;
      } else if (t.is(".") || t.is("->")) {
        next();
        const Token& m = peek();
        if (m.kind != TokenKind::Identifier) fail(fmt::format("expected identifier after '{}'", t.text), m);
        next();
        e = node(t.is(".") ? ExprKind::Member : ExprKind::Arrow, t, one(std::move(e)));
        e->name = std::string(m.text);
      } else if (t.is("++") || t.is("--")) {
        if (e->kind != ExprKind::Variable) fail("only '$' variables can be assigned", t);
        next();
        std::string name = e->name;
        e = node(ExprKind::Increment, t);
        e->name = std::move(name);
        e->delta = t.text == "++" ? 1 : -1;
      } else {
        return e;
      }
    }
  }

  // The text of a member designator ("tasks", "a.b[2]") up to the ')' that closes the
  // call at nesting level 0.
  std::string designator() {
    const Token& first = peek();
    size_t end = first.begin;
    int nesting = 0;
    for (;;) {
      const Token& t = peek();
      if (t.kind == TokenKind::End) fail("expected ')'", t);
      if (nesting == 0 && t.is(")")) break;
      if (nesting == 0 && t.is(",")) fail("expected ')'", t);
      if (t.is("(") || t.is("[")) ++nesting;
      if (t.is(")") || t.is("]")) --nesting;
      end = t.end;
      next();
    }
    if (end == first.begin) fail("expected member designator", first);
    return std::string(text_.substr(first.begin, end - first.begin));
  }

  ExprPtr primary() {
    DepthGuard guard(*this);
    const Token& t = peek();
    switch (t.kind) {
      case TokenKind::Integer: {
        next();
        ExprPtr e = node(ExprKind::IntLiteral, t);
        e->int_value = t.int_value;
        e->int_unsigned = t.int_unsigned;
        e->int_longs = t.int_longs;
        e->int_decimal = t.int_decimal;
        return e;
      }
      case TokenKind::Float: {
        next();
        ExprPtr e = node(ExprKind::FloatLiteral, t);
        e->float_value = t.float_value;
        e->float_single = t.float_single;
        return e;
      }
      case TokenKind::Char: {
        next();
        ExprPtr e = node(ExprKind::CharLiteral, t);
        e->int_value = t.int_value;
        return e;
      }
      case TokenKind::String: {
        ExprPtr e = node(ExprKind::StringLiteral, t);
        while (peek().kind == TokenKind::String) e->name += next().str_value;  // "a" "b"
        return e;
      }
      case TokenKind::DollarIdent: {
        next();
        ExprPtr e = node(ExprKind::Variable, t);
        e->name = std::string(t.text);
        return e;
      }
      case TokenKind::Identifier: {
        if (t.text == "offsetof" && peek(1).is("(")) return offsetof_call();
        if (t.text == "container_of" && peek(1).is("(")) return container_of_call();
        if (is_c_keyword(t.text) || types_.starts_type_name(text_, t.begin)) {
          fail(fmt::format("unexpected type name '{}'", t.text), t);
        }
        next();
        ExprPtr e = node(ExprKind::Identifier, t);
        e->name = std::string(t.text);
        return e;
      }
      case TokenKind::Punct:
        if (t.is("(")) {
          next();
          ExprPtr e = assignment();
          expect(")");
          return e;
        }
        break;
      case TokenKind::End:
        break;
    }
    fail("expected expression", t);
  }

  ExprPtr offsetof_call() {
    const Token& t = next();
    next();  // (
    if (!at_type_name()) fail("expected type name", peek());
    QualifiedType type = type_name();
    expect(",");
    std::string member = designator();
    expect(")");
    ExprPtr e = node(ExprKind::Offsetof, t);
    e->type = type;
    e->name = std::move(member);
    return e;
  }

  ExprPtr container_of_call() {
    const Token& t = next();
    next();  // (
    ExprPtr ptr = assignment();
    expect(",");
    if (!at_type_name()) fail("expected type name", peek());
    QualifiedType type = type_name();
    expect(",");
    std::string member = designator();
    expect(")");
    ExprPtr e = node(ExprKind::ContainerOf, t, one(std::move(ptr)));
    e->type = type;
    e->name = std::move(member);
    return e;
  }

  std::string_view text_;
  TypeNameParser& types_;
  std::vector<Token> toks_;
  size_t idx_ = 0;
  int depth_ = 0;
};

}  // namespace

ExprPtr parse_expression(std::string_view text, TypeNameParser& types) {
  return Parser(text, types).parse();
}

}  // namespace kdive
