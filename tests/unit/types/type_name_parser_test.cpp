// Tests of the C type-name parser (src/types/type_name_parser.h) over types made in the
// test: structure of the parsed types, canonical primitive names, exact error texts.
#include "types/type_name_parser.h"

#include <map>

#include <gtest/gtest.h>

#include "kdive/error.h"

namespace kdive {
namespace {

class MapFinder : public TypeFinder {
 public:
  std::map<std::pair<TypeKind, std::string>, QualifiedType> types;
  int lookups = 0;

  QualifiedType find_type(TypeKind kind, std::string_view name) override {
    ++lookups;
    auto it = types.find({kind, std::string(name)});
    return it == types.end() ? QualifiedType{} : it->second;
  }
};

class TypeNameParserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    task = arena.make_compound(TypeKind::Struct, "task_struct", 64, {});
    thread_union = arena.make_compound(TypeKind::Union, "thread_union", 16384, {});
    pid_type = arena.make_enum("pid_type", {arena.int_type("unsigned int", 4, false), 0},
                               {{"PIDTYPE_PID", 0}, {"PIDTYPE_TGID", 1}});
    u64 = arena.make_typedef("u64", LazyType(QualifiedType{arena.int_type("unsigned long long", 8, false), 0}));
    dwarf_ulong = arena.int_type("unsigned long", 8, false);
    finder.types[{TypeKind::Struct, "task_struct"}] = {task, 0};
    finder.types[{TypeKind::Union, "thread_union"}] = {thread_union, 0};
    finder.types[{TypeKind::Enum, "pid_type"}] = {pid_type, 0};
    finder.types[{TypeKind::Typedef, "u64"}] = {u64, 0};
    finder.types[{TypeKind::Int, "unsigned long"}] = {dwarf_ulong, 0};
  }

  QualifiedType parse(std::string_view s) { return TypeNameParser(arena, finder).parse(s); }

  std::string syntax_error(std::string_view s) {
    try {
      parse(s);
    } catch (const SyntaxError& e) {
      return e.what();
    }
    return "no error";
  }

  TypeArena arena;
  MapFinder finder;
  const Type* task = nullptr;
  const Type* thread_union = nullptr;
  const Type* pid_type = nullptr;
  const Type* u64 = nullptr;
  const Type* dwarf_ulong = nullptr;
};

TEST_F(TypeNameParserTest, TaggedTypes) {
  EXPECT_EQ(parse("struct task_struct"), (QualifiedType{task, 0}));
  EXPECT_EQ(parse("union thread_union"), (QualifiedType{thread_union, 0}));
  EXPECT_EQ(parse("  enum   pid_type "), (QualifiedType{pid_type, 0}));
  EXPECT_EQ(parse("const struct task_struct"), (QualifiedType{task, kQualConst}));
  EXPECT_EQ(parse("struct task_struct volatile const"),
            (QualifiedType{task, kQualConst | kQualVolatile}));
}

TEST_F(TypeNameParserTest, PointerToStruct) {
  QualifiedType t = parse("struct task_struct *");
  ASSERT_EQ(t.type->kind(), TypeKind::Pointer);
  EXPECT_EQ(t.qualifiers, 0);
  EXPECT_EQ(t.type->size(), 8u);
  EXPECT_EQ(t.type->target(), (QualifiedType{task, 0}));
  // Interned: the same pointer type as asked of the arena.
  EXPECT_EQ(t.type, arena.pointer_to({task, 0}));
}

TEST_F(TypeNameParserTest, PrimitivesUseFinderThenDefaults) {
  EXPECT_EQ(parse("unsigned long").type, dwarf_ulong);
  EXPECT_EQ(parse("long unsigned int").type, dwarf_ulong);
  EXPECT_EQ(parse("unsigned long int").type, dwarf_ulong);
  QualifiedType u = parse("unsigned");
  EXPECT_EQ(u.type->name(), "unsigned int");
  EXPECT_EQ(u.type->size(), 4u);
  EXPECT_FALSE(u.type->is_signed());
  QualifiedType ll = parse("long long int");
  EXPECT_EQ(ll.type->name(), "long long");
  EXPECT_EQ(ll.type->size(), 8u);
  EXPECT_TRUE(ll.type->is_signed());
  EXPECT_EQ(parse("_Bool").type->kind(), TypeKind::Bool);
  EXPECT_EQ(parse("long double").type->size(), 16u);
  EXPECT_EQ(parse("void").type, arena.void_type());
  EXPECT_EQ(parse("signed char").type->name(), "signed char");
  EXPECT_EQ(parse("char").type->name(), "char");
}

TEST_F(TypeNameParserTest, CanonicalPrimitiveNames) {
  EXPECT_EQ(canonical_primitive_name("long unsigned int"), "unsigned long");
  EXPECT_EQ(canonical_primitive_name("short int"), "short");
  EXPECT_EQ(canonical_primitive_name("short unsigned int"), "unsigned short");
  EXPECT_EQ(canonical_primitive_name("long long unsigned int"), "unsigned long long");
  EXPECT_EQ(canonical_primitive_name("signed"), "int");
  EXPECT_EQ(canonical_primitive_name("char"), "char");
  EXPECT_EQ(canonical_primitive_name("unsigned char"), "unsigned char");
  EXPECT_EQ(canonical_primitive_name("_Bool"), "_Bool");
  EXPECT_EQ(canonical_primitive_name("double long"), "long double");
  EXPECT_EQ(canonical_primitive_name("long long long"), std::nullopt);
  EXPECT_EQ(canonical_primitive_name("u64"), std::nullopt);
  EXPECT_EQ(canonical_primitive_name(""), std::nullopt);
  EXPECT_EQ(canonical_primitive_name("unsigned float"), std::nullopt);
}

TEST_F(TypeNameParserTest, Typedef) {
  EXPECT_EQ(parse("u64"), (QualifiedType{u64, 0}));
  QualifiedType p = parse("const u64 *");
  ASSERT_EQ(p.type->kind(), TypeKind::Pointer);
  EXPECT_EQ(p.type->target(), (QualifiedType{u64, kQualConst}));
}

TEST_F(TypeNameParserTest, ArrayOfUnsignedLong) {
  QualifiedType t = parse("unsigned long [16]");
  ASSERT_EQ(t.type->kind(), TypeKind::Array);
  EXPECT_EQ(t.type->length(), 16u);
  EXPECT_EQ(t.type->target().type, dwarf_ulong);
  EXPECT_EQ(t.type->size(), 128u);
  EXPECT_EQ(parse("char [0x10]").type->length(), 16u);
  EXPECT_EQ(parse("char [010]").type->length(), 8u);
  EXPECT_EQ(parse("char []").type->length(), std::nullopt);
}

TEST_F(TypeNameParserTest, MultiDimensionalArray) {
  // int [2][3] is an array of 2 arrays of 3 ints.
  QualifiedType t = parse("int [2][3]");
  EXPECT_EQ(t.type->length(), 2u);
  EXPECT_EQ(t.type->target().type->length(), 3u);
  EXPECT_EQ(t.type->size(), 24u);
}

TEST_F(TypeNameParserTest, ConstCharConstPointerPointer) {
  // const char *const *: pointer to (const pointer to const char).
  QualifiedType t = parse("const char *const *");
  ASSERT_EQ(t.type->kind(), TypeKind::Pointer);
  EXPECT_EQ(t.qualifiers, 0);
  QualifiedType inner = t.type->target();
  ASSERT_EQ(inner.type->kind(), TypeKind::Pointer);
  EXPECT_EQ(inner.qualifiers, kQualConst);
  EXPECT_EQ(inner.type->target().type->name(), "char");
  EXPECT_EQ(inner.type->target().qualifiers, kQualConst);
}

TEST_F(TypeNameParserTest, FunctionPointer) {
  QualifiedType t = parse("int (*)(void *)");
  ASSERT_EQ(t.type->kind(), TypeKind::Pointer);
  const Type* fn = t.type->target().type;
  ASSERT_EQ(fn->kind(), TypeKind::Function);
  EXPECT_EQ(fn->target().type->name(), "int");
  ASSERT_EQ(fn->parameters().size(), 1u);
  QualifiedType param = fn->parameters()[0].type.get();
  ASSERT_EQ(param.type->kind(), TypeKind::Pointer);
  EXPECT_EQ(param.type->target().type, arena.void_type());
  EXPECT_FALSE(fn->is_variadic());
}

TEST_F(TypeNameParserTest, ArrayOfVariadicFunctionPointers) {
  // void (*[4])(int, ...): array of 4 pointers to variadic functions returning void.
  QualifiedType t = parse("void (*[4])(int, ...)");
  ASSERT_EQ(t.type->kind(), TypeKind::Array);
  EXPECT_EQ(t.type->length(), 4u);
  const Type* ptr = t.type->target().type;
  ASSERT_EQ(ptr->kind(), TypeKind::Pointer);
  const Type* fn = ptr->target().type;
  ASSERT_EQ(fn->kind(), TypeKind::Function);
  EXPECT_TRUE(fn->is_variadic());
  ASSERT_EQ(fn->parameters().size(), 1u);
  EXPECT_EQ(fn->parameters()[0].type.get().type->name(), "int");
  EXPECT_EQ(fn->target().type, arena.void_type());
  EXPECT_EQ(t.type->size(), 32u);
}

TEST_F(TypeNameParserTest, FunctionNoParamsAndNamedParams) {
  EXPECT_EQ(parse("int (*)(void)").type->target().type->parameters().size(), 0u);
  const Type* fn = parse("long (*)(struct task_struct *p, u64 n)").type->target().type;
  ASSERT_EQ(fn->parameters().size(), 2u);
  EXPECT_EQ(fn->parameters()[1].type.get(), (QualifiedType{u64, 0}));
  // A function type (not a pointer to one).
  EXPECT_EQ(parse("int (int)").type->kind(), TypeKind::Function);
  // Pointer to array: int (*)[3].
  QualifiedType pa = parse("int (*)[3]");
  ASSERT_EQ(pa.type->kind(), TypeKind::Pointer);
  EXPECT_EQ(pa.type->target().type->length(), 3u);
}

TEST_F(TypeNameParserTest, LookupErrors) {
  auto lookup_error = [&](std::string_view s) -> std::string {
    try {
      parse(s);
    } catch (const LookupError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(lookup_error("struct foo *"), "could not find 'struct foo'");
  EXPECT_EQ(lookup_error("union bar"), "could not find 'union bar'");
  EXPECT_EQ(lookup_error("enum baz"), "could not find 'enum baz'");
  EXPECT_EQ(lookup_error("u32"), "could not find 'u32'");
}

TEST_F(TypeNameParserTest, SyntaxErrors) {
  EXPECT_EQ(syntax_error(""), "expected type specifier (column 1)");
  EXPECT_EQ(syntax_error("*"), "expected type specifier (column 1)");
  EXPECT_EQ(syntax_error("struct"), "expected identifier after 'struct' (column 7)");
  EXPECT_EQ(syntax_error("struct *"), "expected identifier after 'struct' (column 8)");
  EXPECT_EQ(syntax_error("int int"), "cannot combine 'int' with 'int' (column 5)");
  EXPECT_EQ(syntax_error("unsigned long float"),
            "cannot combine 'float' with 'unsigned long' (column 15)");
  EXPECT_EQ(syntax_error("struct task_struct int"),
            "cannot combine 'int' with 'struct task_struct' (column 20)");
  EXPECT_EQ(syntax_error("int struct task_struct"), "cannot combine 'struct' with 'int' (column 5)");
  EXPECT_EQ(syntax_error("int *)"), "extra tokens after type name (column 6)");
  EXPECT_EQ(syntax_error("int x"), "extra tokens after type name (column 5)");
  EXPECT_EQ(syntax_error("int [4"), "expected ']' (column 7)");
  EXPECT_EQ(syntax_error("int [4x]"), "invalid number (column 6)");
  EXPECT_EQ(syntax_error("int [08]"), "invalid number (column 6)");
  EXPECT_EQ(syntax_error("int [99999999999999999999]"), "array length is too large (column 6)");
  EXPECT_EQ(syntax_error("int (*"), "expected ')' (column 7)");
  EXPECT_EQ(syntax_error("int (*)(int"), "expected ',' or ')' (column 12)");
  EXPECT_EQ(syntax_error("int (*)(int, ...,"), "expected ')' (column 17)");
  EXPECT_EQ(syntax_error("int @"), "extra tokens after type name (column 5)");
}

TEST_F(TypeNameParserTest, DeepNestingIsBounded) {
  std::string deep = "int " + std::string(100000, '(') + "*";
  EXPECT_EQ(syntax_error(deep), "type name is nested too deeply (column 134)");
  std::string params = "int ";
  for (int i = 0; i < 50000; ++i) params += "(*)(int ";
  EXPECT_NE(syntax_error(params).find("nested too deeply"), std::string::npos);
}

TEST_F(TypeNameParserTest, PrefixStopsAtFirstForeignToken) {
  TypeNameParser p(arena, finder);
  std::string_view text = "(struct task_struct *)ptr";
  auto r = p.parse_prefix(text, 1);
  EXPECT_EQ(r.end, 21u);
  EXPECT_EQ(text[r.end], ')');
  EXPECT_EQ(r.type.type->kind(), TypeKind::Pointer);
  auto r2 = p.parse_prefix("container_of(x, struct task_struct, tasks)", 16);
  EXPECT_EQ(r2.end, 34u);
  EXPECT_EQ(r2.type, (QualifiedType{task, 0}));
  // Errors inside a prefix are reported in columns of the whole text.
  try {
    p.parse_prefix("1 + sizeof(struct)", 11);
    FAIL();
  } catch (const SyntaxError& e) {
    EXPECT_STREQ(e.what(), "expected identifier after 'struct' (column 18)");
    EXPECT_EQ(e.column(), 18u);
  }
}

TEST_F(TypeNameParserTest, StartsTypeName) {
  TypeNameParser p(arena, finder);
  EXPECT_TRUE(p.starts_type_name("(u64)x", 1));
  EXPECT_TRUE(p.starts_type_name("( const int)x", 1));
  EXPECT_TRUE(p.starts_type_name("(struct foo *)x", 1));
  EXPECT_FALSE(p.starts_type_name("(x)", 1));
  EXPECT_FALSE(p.starts_type_name("(1)", 1));
  EXPECT_FALSE(p.starts_type_name("(", 1));
}

}  // namespace
}  // namespace kdive
