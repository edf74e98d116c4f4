// C type-name parsing: "struct task_struct *", "unsigned long [16]", "int (*)(void *)",
// "const char *const *", "void (*[4])(int, ...)", "u64". Names are resolved through a
// TypeFinder that the program layer implements; derived types are built in a TypeArena.
// Hand-written: the grammar is a small subset of C's (specifier-qualifier list plus an
// abstract declarator) and must also be usable from the middle of an expression.
//
//   TypeNameParser parser(arena, finder);
//   QualifiedType t = parser.parse("struct list_head *");      // SyntaxError / LookupError
//   auto [type, end] = parser.parse_prefix("(u64)x", 1);       // stops before ')', end == 4
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kdive/type.h"

namespace kdive {

// Name lookups for the type-name parser (and the expression language). Implemented by
// the program layer over its debug info, by tests over in-test types.
class TypeFinder {
 public:
  virtual ~TypeFinder() = default;

  // Finds a named type; returns {nullptr} when there is none (the parser then throws
  // LookupError "could not find 'struct foo'"). `kind` says what is asked for:
  //   Struct / Union / Class / Enum: a tagged type by its tag ("task_struct");
  //   Typedef: a typedef by name ("u64");
  //   Int / Bool / Float: a primitive by its canonical name as returned by
  //     canonical_primitive_name() ("unsigned long", "_Bool", "long double"). When the
  //     finder has none, the parser makes the LP64 primitive in the arena itself.
  // May throw for reasons other than "not found" (corrupt debug info).
  virtual QualifiedType find_type(TypeKind kind, std::string_view name) = 0;

  // Whether `name` is a typedef name. The expression parser asks this to tell the cast
  // "(u64)x" from the parenthesised expression "(x)". Default: find_type(Typedef, name).
  virtual bool is_typedef_name(std::string_view name);

  // Size of a pointer in bytes on the target.
  virtual uint64_t pointer_size() const { return 8; }
};

// The canonical spelling of a primitive C type written in any order of its specifiers
// ("long unsigned int" → "unsigned long", "short int" → "short", "signed" → "int",
// "char" → "char", "_Bool" → "_Bool"), or nullopt when `name` is not a valid primitive
// specifier list. The debug-info layer names DWARF base types with it so that lookups
// by the parser's canonical names find them.
std::optional<std::string> canonical_primitive_name(std::string_view name);

// The LP64 primitive of a canonical name (int 4, long 8, long double 16, ...), made in
// `arena`; nullptr when `canonical` is not one of canonical_primitive_name()'s results.
const Type* default_primitive_type(TypeArena& arena, std::string_view canonical);

// The text drgn uses for a failed type lookup: "could not find 'struct foo'".
std::string type_not_found_message(TypeKind kind, std::string_view name);

class TypeNameParser {
 public:
  // Bounds the nesting of declarators and parameter lists ("((((*))))").
  static constexpr int kMaxDepth = 128;

  struct Prefix {
    QualifiedType type;
    size_t end = 0;  // byte offset just past the type name
  };

  TypeNameParser(TypeArena& arena, TypeFinder& finder) : arena_(arena), finder_(finder) {}

  // Parses all of `text` as one type name. Throws SyntaxError (1-based column),
  // LookupError for unknown names.
  QualifiedType parse(std::string_view text);

  // Parses the longest type name starting at byte `begin` of `text` and says where it
  // ended; the caller checks what follows. Columns in errors count from the start of
  // `text`, so they point into the caller's whole line.
  Prefix parse_prefix(std::string_view text, size_t begin);

  // Whether the token at byte `begin` starts a type name: a type keyword, a qualifier, or
  // an identifier that the finder says is a typedef name.
  bool starts_type_name(std::string_view text, size_t begin);

 private:
  TypeArena& arena_;
  TypeFinder& finder_;
};

}  // namespace kdive
