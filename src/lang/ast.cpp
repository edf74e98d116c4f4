// S-expression dump of expression trees (ast.h), used by the parser's tests to assert
// precedence and associativity exactly.
#include "lang/ast.h"

#include <fmt/format.h>

#include "types/type_printer.h"

namespace kdive {
namespace {

void dump(const Expr& e, std::string& out) {
  auto kids = [&](size_t from) {
    for (size_t i = from; i < e.children.size(); ++i) {
      out += ' ';
      dump(*e.children[i], out);
    }
  };
  switch (e.kind) {
    case ExprKind::IntLiteral:
      out += fmt::format("{}", e.int_value);
      if (e.int_unsigned) out += 'u';
      out += std::string(e.int_longs, 'l');
      return;
    case ExprKind::FloatLiteral:
      out += fmt::format("{}{}", e.float_value, e.float_single ? "f" : "");
      return;
    case ExprKind::CharLiteral:
      out += fmt::format("(char {})", int64_t(e.int_value));
      return;
    case ExprKind::StringLiteral:
      out += fmt::format("(string {})", e.name.size());
      return;
    case ExprKind::Identifier:
    case ExprKind::Variable:
      out += e.name;
      return;
    case ExprKind::Member:
    case ExprKind::Arrow:
      out += e.kind == ExprKind::Member ? "(. " : "(-> ";
      dump(e.child(0), out);
      out += ' ' + e.name + ')';
      return;
    case ExprKind::Subscript: out += "([]"; break;
    case ExprKind::Call: out += "(call " + e.name; break;
    case ExprKind::Unary: out += fmt::format("({}", unary_op_spelling(e.unary_op)); break;
    case ExprKind::Dereference: out += "(*"; break;
    case ExprKind::AddressOf: out += "(&"; break;
    case ExprKind::Cast: out += "(cast (" + type_name(e.type) + ")"; break;
    case ExprKind::SizeofType: out += "(sizeof (" + type_name(e.type) + ")"; break;
    case ExprKind::SizeofExpr: out += "(sizeof"; break;
    case ExprKind::AlignofType: out += "(alignof (" + type_name(e.type) + ")"; break;
    case ExprKind::Offsetof:
      out += "(offsetof (" + type_name(e.type) + ") " + e.name;
      break;
    case ExprKind::ContainerOf:
      out += "(container_of";
      kids(0);
      out += " (" + type_name(e.type) + ") " + e.name + ")";
      return;
    case ExprKind::Binary: out += fmt::format("({}", binary_op_spelling(e.binary_op)); break;
    case ExprKind::LogicalAnd: out += "(&&"; break;
    case ExprKind::LogicalOr: out += "(||"; break;
    case ExprKind::Conditional: out += "(?"; break;
    case ExprKind::Assign:
      out += fmt::format("({}= {}", e.has_compound_op ? binary_op_spelling(e.binary_op) : "", e.name);
      break;
    case ExprKind::Increment:
      out += fmt::format("({}{}{})", e.prefix ? (e.delta > 0 ? "++" : "--") : "", e.name,
                         e.prefix ? "" : (e.delta > 0 ? "++" : "--"));
      return;
  }
  kids(0);
  out += ')';
}

}  // namespace

std::string dump_expr(const Expr& expr) {
  std::string out;
  dump(expr, out);
  return out;
}

}  // namespace kdive
