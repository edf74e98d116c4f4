// Member completion (member_completion.h): a backward walk over the tokens before the
// '.' / '->' that stops where a C postfix expression must start (C11 6.5.2), then an
// evaluation of just that operand.
#include "lang/member_completion.h"

#include <algorithm>

#include "kdive/error.h"
#include "lang/lexer.h"

namespace kdive {
namespace {

bool is_primary(const Token& t) {
  switch (t.kind) {
    case TokenKind::Identifier:
    case TokenKind::DollarIdent:
    case TokenKind::Integer:
    case TokenKind::Float:
    case TokenKind::Char:
    case TokenKind::String:
      return true;
    default:
      return false;
  }
}

bool is_member_op(const Token& t) { return t.is(".") || t.is("->"); }

bool has_side_effect(const Token& t) {
  if (t.kind != TokenKind::Punct) return false;
  static constexpr std::string_view kOps[] = {"=",  "+=", "-=", "*=",  "/=",  "%=", "&=",
                                              "|=", "^=", "<<=", ">>=", "++", "--"};
  return std::find(std::begin(kOps), std::end(kOps), t.text) != std::end(kOps);
}

// Index of the token opening the bracket closed at `close`, or -1.
long matching_open(const std::vector<Token>& toks, long close) {
  std::string_view closer = toks[close].text;
  std::string_view opener = closer == ")" ? "(" : "[";
  int depth = 0;
  for (long i = close; i >= 0; --i) {
    if (toks[i].is(closer)) ++depth;
    if (toks[i].is(opener) && --depth == 0) return i;
  }
  return -1;
}

// The first token of the postfix expression that ends at token `last`, or -1.
long postfix_start(const std::vector<Token>& toks, long last) {
  long j = last;
  for (;;) {
    if (j < 0) return -1;
    long start;
    const Token& t = toks[j];
    if (t.is("]")) {
      long open = matching_open(toks, j);
      if (open < 0) return -1;
      j = open - 1;  // the subscripted operand comes before '['
      continue;
    }
    if (t.is(")")) {
      long open = matching_open(toks, j);
      if (open < 0) return -1;
      bool call = open > 0 && (toks[open - 1].kind == TokenKind::Identifier ||
                               toks[open - 1].kind == TokenKind::DollarIdent);
      start = call ? open - 1 : open;
    } else if (is_primary(t)) {
      start = j;
    } else {
      return -1;
    }
    if (start > 0 && is_member_op(toks[start - 1])) {
      j = start - 2;
      continue;
    }
    return start;
  }
}

void collect_members(QualifiedType type, std::vector<std::string>& out, int depth) {
  QualifiedType t = underlying_type(type);
  if (!t.type || depth > 32) return;  // depth: anonymous members nest; bound corrupt cycles
  if (t.type->kind() == TypeKind::Pointer && depth == 0) t = underlying_type(t.type->target());
  if (!t.type || !t.type->is_compound()) return;
  for (const TypeMember& m : t.type->members()) {
    if (!m.name.empty()) {
      out.push_back(m.name);
    } else {
      collect_members(m.type.get(), out, depth + 1);
    }
  }
}

}  // namespace

std::vector<std::string> member_names(QualifiedType type) {
  std::vector<std::string> out;
  collect_members(type, out, 0);
  return out;
}

std::optional<MemberCompletion> complete_member(Evaluator& evaluator, std::string_view line) {
  std::vector<Token> toks;
  try {
    toks = tokenize(line);
  } catch (const SyntaxError&) {
    return std::nullopt;
  }
  toks.pop_back();  // End
  MemberCompletion result;
  long k = long(toks.size());
  if (k > 0 && toks[k - 1].kind == TokenKind::Identifier && toks[k - 1].end == line.size()) {
    result.partial = std::string(toks[k - 1].text);
    result.replace_from = toks[k - 1].begin;
    --k;
  } else {
    result.replace_from = line.size();
  }
  if (k < 2 || !is_member_op(toks[k - 1])) return std::nullopt;
  long start = postfix_start(toks, k - 2);
  if (start < 0) return std::nullopt;
  for (long i = start; i < k - 1; ++i) {
    if (has_side_effect(toks[i])) return std::nullopt;
  }
  std::string_view operand = line.substr(toks[start].begin, toks[k - 1].begin - toks[start].begin);
  std::vector<std::string> names;
  try {
    ExprPtr expr = evaluator.parse(operand);
    Value v = evaluator.evaluate(*expr);
    names = v.is_object() ? member_names(v.object().type()) : v.extension().member_names();
  } catch (const Error&) {
    return std::nullopt;
  }
  for (auto& n : names) {
    if (n.compare(0, result.partial.size(), result.partial) == 0) result.candidates.push_back(std::move(n));
  }
  std::sort(result.candidates.begin(), result.candidates.end());
  result.candidates.erase(std::unique(result.candidates.begin(), result.candidates.end()),
                          result.candidates.end());
  return result;
}

}  // namespace kdive
