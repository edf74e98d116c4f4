// Tests of the expression lexer and parser (src/lang/lexer.h, parser.h): precedence and
// associativity as S-expressions, literals, the `$` syntax of later layers, and exact
// syntax errors with columns, including bounded nesting.
#include "lang/parser.h"

#include "lang/lexer.h"
#include "lang_fixture.h"

namespace kdive::lang_test {
namespace {

class ParserTest : public LangTest {
 protected:
  std::string tree(std::string_view text) { return dump_expr(*evaluator.parse(text)); }
  std::string error(std::string_view text) {
    try {
      evaluator.parse(text);
    } catch (const Error& e) {
      return std::string(error_kind_name(e.kind())) + ": " + e.what();
    }
    return "no error";
  }
};

TEST_F(ParserTest, Precedence) {
  EXPECT_EQ(tree("1 + 2 * 3"), "(+ 1 (* 2 3))");
  EXPECT_EQ(tree("(1 + 2) * 3"), "(* (+ 1 2) 3)");
  EXPECT_EQ(tree("a - b - c"), "(- (- a b) c)");
  EXPECT_EQ(tree("a / b % c * d"), "(* (% (/ a b) c) d)");
  EXPECT_EQ(tree("a << 1 < b == c & d ^ e | f"), "(| (^ (& (== (< (<< a 1) b) c) d) e) f)");
  EXPECT_EQ(tree("!a && b || c && d"), "(|| (&& (! a) b) (&& c d))");
  EXPECT_EQ(tree("a + b >> 2"), "(>> (+ a b) 2)");
  EXPECT_EQ(tree("a != b <= c"), "(!= a (<= b c))");
  EXPECT_EQ(tree("a ? b : c ? d : e"), "(? a b (? c d e))");
  EXPECT_EQ(tree("a || b ? c : d"), "(? (|| a b) c d)");
  EXPECT_EQ(tree("-*p"), "(- (* p))");
  EXPECT_EQ(tree("~-!+a"), "(~ (- (! (+ a))))");
  EXPECT_EQ(tree("&a[1]"), "(& ([] a 1))");
  EXPECT_EQ(tree("*p.q"), "(* (. p q))");
  EXPECT_EQ(tree("a + +b"), "(+ a (+ b))");
  EXPECT_EQ(tree("a - -1"), "(- a (- 1))");
}

TEST_F(ParserTest, PostfixChains) {
  EXPECT_EQ(tree("p->tasks.next"), "(. (-> p tasks) next)");
  EXPECT_EQ(tree("a[b][c]"), "([] ([] a b) c)");
  EXPECT_EQ(tree("init_task.comm[0]"), "([] (. init_task comm) 0)");
  EXPECT_EQ(tree("per_cpu(runqueues, 1).curr->pid"), "(-> (. (call per_cpu runqueues 1) curr) pid)");
  EXPECT_EQ(tree("read(0x1000, 4)"), "(call read 4096 4)");
  EXPECT_EQ(tree("f()"), "(call f)");
}

TEST_F(ParserTest, DollarSyntaxChains) {
  EXPECT_EQ(tree("$bt[4].hctx->nr_ctx"), "(-> (. ([] $bt 4) hctx) nr_ctx)");
  EXPECT_EQ(tree("$bt(909)[7].l"), "(. ([] (call $bt 909) 7) l)");
  EXPECT_EQ(tree("$bt[4].kcq - $bt[4].khd->kcqs"), "(- (. ([] $bt 4) kcq) (-> (. ([] $bt 4) khd) kcqs))");
  EXPECT_EQ(tree("$frame(4).hctx"), "(. (call $frame 4) hctx)");
  EXPECT_EQ(tree("$_"), "$_");
}

TEST_F(ParserTest, Assignment) {
  EXPECT_EQ(tree("$a = $b = 3"), "(= $a (= $b 3))");
  EXPECT_EQ(tree("$x += 2 * 3"), "(+= $x (* 2 3))");
  EXPECT_EQ(tree("$x <<= 1"), "(<<= $x 1)");
  EXPECT_EQ(tree("$t = c ? a : b"), "(= $t (? c a b))");
  EXPECT_EQ(tree("$i++"), "($i++)");
  EXPECT_EQ(tree("--$i"), "(--$i)");
}

TEST_F(ParserTest, CastsAndTypeOperators) {
  EXPECT_EQ(tree("(struct task_struct *)p"), "(cast (struct task_struct *) p)");
  EXPECT_EQ(tree("(x)"), "x");
  EXPECT_EQ(tree("(u64)-1"), "(cast (u64) (- 1))");
  EXPECT_EQ(tree("(u64)(x) + 1"), "(+ (cast (u64) x) 1)");
  EXPECT_EQ(tree("(unsigned long)(char)x"), "(cast (unsigned long) (cast (char) x))");
  EXPECT_EQ(tree("(int (*)(void *))x"), "(cast (int (*)(void *)) x)");
  EXPECT_EQ(tree("*(struct list_head **)0x1000"), "(* (cast (struct list_head **) 4096))");
  EXPECT_EQ(tree("sizeof(int)"), "(sizeof (int))");
  EXPECT_EQ(tree("sizeof(struct task_struct) * 2"), "(* (sizeof (struct task_struct)) 2)");
  EXPECT_EQ(tree("sizeof x + 1"), "(+ (sizeof x) 1)");
  EXPECT_EQ(tree("sizeof(x)"), "(sizeof x)");
  EXPECT_EQ(tree("sizeof *p"), "(sizeof (* p))");
  EXPECT_EQ(tree("_Alignof(u64)"), "(alignof (u64))");
  EXPECT_EQ(tree("offsetof(struct task_struct, tasks.next)"),
            "(offsetof (struct task_struct) tasks.next)");
  EXPECT_EQ(tree("offsetof(struct task_struct, comm[ 3 ])"), "(offsetof (struct task_struct) comm[ 3 ])");
  EXPECT_EQ(tree("container_of(p->next, struct task_struct, tasks)"),
            "(container_of (-> p next) (struct task_struct) tasks)");
}

TEST_F(ParserTest, Literals) {
  EXPECT_EQ(tree("0x10ul"), "16ul");
  EXPECT_EQ(tree("010"), "8");
  EXPECT_EQ(tree("0"), "0");
  EXPECT_EQ(tree("18446744073709551615ULL"), "18446744073709551615ull");
  EXPECT_EQ(tree("5LU"), "5ul");
  EXPECT_EQ(tree("'a'"), "(char 97)");
  EXPECT_EQ(tree("'\\n'"), "(char 10)");
  EXPECT_EQ(tree("'\\x41'"), "(char 65)");
  EXPECT_EQ(tree("'\\101'"), "(char 65)");
  EXPECT_EQ(tree("'\\xff'"), "(char -1)");
  EXPECT_EQ(tree("'\\''"), "(char 39)");
  EXPECT_EQ(tree("\"ab\" \"c\""), "(string 3)");
  EXPECT_EQ(tree("1.5"), "1.5");
  EXPECT_EQ(tree(".5f"), "0.5f");
  EXPECT_EQ(tree("1e3"), "1000");
  EXPECT_EQ(tree("2.5e-1"), "0.25");
}

TEST_F(ParserTest, LexerRanges) {
  std::vector<Token> t = tokenize("a->b <<= $x");
  ASSERT_EQ(t.size(), 6u);
  EXPECT_EQ(t[1].text, "->");
  EXPECT_EQ(t[3].text, "<<=");
  EXPECT_EQ(t[3].column(), 6u);
  EXPECT_EQ(t[4].kind, TokenKind::DollarIdent);
  EXPECT_EQ(t[4].text, "$x");
  EXPECT_EQ(t[5].kind, TokenKind::End);
  EXPECT_EQ(t[5].column(), 12u);
  std::vector<Token> s = tokenize("\"a\\tb\\\"\"");
  EXPECT_EQ(s[0].str_value, "a\tb\"");
}

TEST_F(ParserTest, SyntaxErrors) {
  EXPECT_EQ(error(""), "SyntaxError: expected expression (column 1)");
  EXPECT_EQ(error("1 +"), "SyntaxError: expected expression (column 4)");
  EXPECT_EQ(error("(1"), "SyntaxError: expected ')' (column 3)");
  EXPECT_EQ(error("a b"), "SyntaxError: unexpected identifier 'b' (column 3)");
  EXPECT_EQ(error("1)"), "SyntaxError: unexpected ')' (column 2)");
  EXPECT_EQ(error("a = 1"), "SyntaxError: only '$' variables can be assigned (column 3)");
  EXPECT_EQ(error("a++"), "SyntaxError: only '$' variables can be assigned (column 2)");
  EXPECT_EQ(error("p."), "SyntaxError: expected identifier after '.' (column 3)");
  EXPECT_EQ(error("p->1"), "SyntaxError: expected identifier after '->' (column 4)");
  EXPECT_EQ(error("f(1"), "SyntaxError: expected ',' or ')' (column 4)");
  EXPECT_EQ(error("f(1,)"), "SyntaxError: expected expression (column 5)");
  EXPECT_EQ(error("1(2)"), "SyntaxError: only built-in functions can be called (column 2)");
  EXPECT_EQ(error("a[1"), "SyntaxError: expected ']' (column 4)");
  EXPECT_EQ(error("a ? b"), "SyntaxError: expected ':' (column 6)");
  EXPECT_EQ(error("a @ b"), "SyntaxError: invalid character '@' (column 3)");
  EXPECT_EQ(error("a \x01"), "SyntaxError: invalid character \\x01 (column 3)");
  EXPECT_EQ(error("'ab'"), "SyntaxError: multi-character character constant (column 1)");
  EXPECT_EQ(error("''"), "SyntaxError: empty character constant (column 1)");
  EXPECT_EQ(error("'a"), "SyntaxError: unterminated character constant (column 1)");
  EXPECT_EQ(error("x + \"abc"), "SyntaxError: unterminated string literal (column 5)");
  EXPECT_EQ(error("'\\q'"), "SyntaxError: unknown escape sequence '\\q' (column 2)");
  EXPECT_EQ(error("0x"), "SyntaxError: invalid number (column 1)");
  EXPECT_EQ(error("1 + 08"), "SyntaxError: invalid number (column 5)");
  EXPECT_EQ(error("12abc"), "SyntaxError: invalid number (column 1)");
  EXPECT_EQ(error("1.2.3"), "SyntaxError: invalid number (column 1)");
  EXPECT_EQ(error("99999999999999999999"), "SyntaxError: integer constant is too large (column 1)");
  EXPECT_EQ(error("$"), "SyntaxError: expected identifier after '$' (column 2)");
  EXPECT_EQ(error("int"), "SyntaxError: unexpected type name 'int' (column 1)");
  EXPECT_EQ(error("u64 + 1"), "SyntaxError: unexpected type name 'u64' (column 1)");
  EXPECT_EQ(error("(int){1}"), "SyntaxError: compound literals are not supported (column 6)");
  EXPECT_EQ(error("sizeof(struct)"), "SyntaxError: expected identifier after 'struct' (column 14)");
  EXPECT_EQ(error("(struct task_struct *"), "SyntaxError: expected ')' (column 22)");
  EXPECT_EQ(error("offsetof(struct task_struct)"), "SyntaxError: expected ',' (column 28)");
  EXPECT_EQ(error("offsetof(struct task_struct, )"), "SyntaxError: expected member designator (column 30)");
  EXPECT_EQ(error("offsetof(x, a)"), "SyntaxError: expected type name (column 10)");
  EXPECT_EQ(error("container_of(p, struct task_struct, tasks"), "SyntaxError: expected ')' (column 42)");
  EXPECT_EQ(error("container_of(p, struct task_struct, a, b)"), "SyntaxError: expected ')' (column 38)");
}

TEST_F(ParserTest, UnknownTypeNamesAreLookupErrors) {
  EXPECT_EQ(error("(struct nosuch *)p"), "LookupError: could not find 'struct nosuch'");
  EXPECT_EQ(error("sizeof(union u)"), "LookupError: could not find 'union u'");
}

TEST_F(ParserTest, NestingIsBounded) {
  std::string parens(100000, '(');
  EXPECT_NE(error(parens + "1").find("SyntaxError: expression is nested too deeply (column "), std::string::npos);
  EXPECT_NE(error(std::string(100000, '-') + "1").find("nested too deeply"), std::string::npos);
  EXPECT_NE(error(std::string(100000, '*') + "p").find("nested too deeply"), std::string::npos);
  // A long left-associative chain builds a deep tree without deep parser recursion.
  std::string chain = "1";
  for (int i = 0; i < 5000; ++i) chain += "+1";
  EXPECT_NE(error(chain).find("nested too deeply"), std::string::npos);
  std::string ternary;
  for (int i = 0; i < 5000; ++i) ternary += "a ? b : ";
  EXPECT_NE(error(ternary + "c").find("nested too deeply"), std::string::npos);
  std::string assigns;
  for (int i = 0; i < 5000; ++i) assigns += "$a = ";
  EXPECT_NE(error(assigns + "1").find("nested too deeply"), std::string::npos);
  std::string subs = "a";
  for (int i = 0; i < 5000; ++i) subs += "[0]";
  EXPECT_NE(error(subs).find("nested too deeply"), std::string::npos);
  // Within the bound, nesting works.
  EXPECT_EQ(tree(std::string(50, '(') + "1" + std::string(50, ')')), "1");
  std::string ok = "1";
  for (int i = 0; i < 200; ++i) ok += "+1";
  EXPECT_EQ(evaluator.parse(ok)->height, 201);
}

TEST_F(ParserTest, GarbageNeverCrashes) {
  // Every byte value and some hostile shapes: a SyntaxError or LookupError, no crash.
  for (int c = 0; c < 256; ++c) {
    std::string s = "a" + std::string(1, char(c)) + "b";
    try {
      evaluator.parse(s);
    } catch (const SyntaxError&) {
    } catch (const LookupError&) {
    }
  }
  for (const char* s : {")))", "]]]", "?:", "::", "->->", "sizeof", "sizeof(", "(int", "((int)",
                        "offsetof(", "container_of(", "container_of(p,", "'", "\"", "\\", "$$",
                        "1..2", "0x1p3", "a[", "f(,)", "(struct", "(struct task_struct"}) {
    EXPECT_NE(error(s).rfind("SyntaxError: ", 0), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace kdive::lang_test
