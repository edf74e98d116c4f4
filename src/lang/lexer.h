// The tokenizer of kdive's C expression language: identifiers, `$` identifiers, C
// literals (integers with u/l/ll suffixes, floats, character constants, strings) and
// every C operator. Each token keeps its byte range so that errors name a 1-based
// column and the parser can hand a range to the type-name parser.
//
//   std::vector<Token> toks = tokenize("init_task.comm[0] == 's'");   // SyntaxError
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kdive {

enum class TokenKind : uint8_t {
  End,
  Identifier,     // text: the name
  DollarIdent,    // text: the name including '$' ("$bt", "$_")
  Integer,        // int_value, int_unsigned, int_longs, int_decimal
  Float,          // float_value, float_single
  Char,           // int_value (the character's value as C int)
  String,         // str_value (escapes decoded; adjacent literals are not joined here)
  Punct,          // text: the operator ("->", "<<=", "(", ...)
};

struct Token {
  TokenKind kind = TokenKind::End;
  size_t begin = 0;  // byte offsets into the expression text
  size_t end = 0;
  std::string_view text;
  uint64_t int_value = 0;
  bool int_unsigned = false;  // 'u' suffix
  uint8_t int_longs = 0;      // 0, 1 ('l') or 2 ('ll')
  bool int_decimal = true;    // decimal literals never become unsigned implicitly
  double float_value = 0;
  bool float_single = false;  // 'f' suffix
  std::string str_value;

  size_t column() const { return begin + 1; }
  // The first-byte test keeps the hot path of the parser free of memcmp calls.
  bool is(std::string_view punct) const {
    return kind == TokenKind::Punct && text.size() == punct.size() && text[0] == punct[0] &&
           text == punct;
  }
};

// Splits `text` into tokens, ending with one End token (at column text.size() + 1).
// Throws SyntaxError with the column of the offending character.
std::vector<Token> tokenize(std::string_view text);

}  // namespace kdive
