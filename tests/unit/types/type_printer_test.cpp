// Type names and definitions, byte for byte as drgn 0.0.22 printed them (str(Type) and
// Type.type_name()) for the types of the test program described in
// tests/unit/object/object_formatter_test.cpp.
#include "types/type_printer.h"

#include <gtest/gtest.h>

#include "kdive/error.h"
#include "unit/object/test_program.h"

namespace kdive {
namespace {

using testing::TestProgram;

TEST(TypePrinterTest, Names) {
  TestProgram p;
  EXPECT_EQ(type_name(p.q(p.ptr(p.outer))), "struct outer *");
  EXPECT_EQ(type_name(p.q(p.arena.array_of({p.char_t, 0}, 16))), "char [16]");
  EXPECT_EQ(type_name(p.q(p.arena.array_of({p.ptr(p.fn_int), 0}, 2))), "void (*[2])(int)");
  EXPECT_EQ(type_name(p.q(p.ptr(p.ulong_t, kQualConst | kQualVolatile), kQualConst)),
            "const volatile unsigned long * const");
  EXPECT_EQ(type_name(p.q(p.ptr(p.arena.array_of({p.int_t, 0}, 4)))), "int (*)[4]");
  EXPECT_EQ(type_name(p.q(p.handler_t)), "handler_t");
  EXPECT_EQ(type_name(p.q(p.ptr(p.fn_handler))), "int (*)(void *)");
  EXPECT_EQ(type_name(p.q(p.fn_int)), "void (int)");
  EXPECT_EQ(type_name(p.q(p.arena.array_of({p.int_t, 0}, std::nullopt))), "int []");
  EXPECT_EQ(type_name(p.q(p.void_t, kQualConst)), "const void");
  // Anonymous members' types and variadic / parameterless functions.
  EXPECT_EQ(type_name(p.outer->members()[1].type.get()), "union <anonymous>");
  const Type* variadic = p.arena.make_function(LazyType(QualifiedType{p.int_t, 0}),
                                               {TypeParameter{"fmt", LazyType(QualifiedType{p.ptr(p.char_t, kQualConst), 0})}}, true);
  EXPECT_EQ(type_name(p.q(p.ptr(variadic))), "int (*)(const char *fmt, ...)");
  const Type* noargs = p.arena.make_function(LazyType(QualifiedType{p.int_t, 0}), {}, false);
  EXPECT_EQ(type_name(p.q(p.ptr(noargs))), "int (*)(void)");
  EXPECT_EQ(type_declaration(p.q(p.arena.array_of({p.char_t, 0}, 16)), "comm"), "char comm[16]");
  EXPECT_EQ(type_declaration(p.q(p.ptr(p.ulong_t), kQualConst), "p"), "unsigned long * const p");
}

TEST(TypePrinterTest, Definitions) {
  TestProgram p;
  EXPECT_EQ(type_definition(p.q(p.outer)),
            "struct outer {\n"
            "\tint id;\n"
            "\tunion {\n\t\tint ival;\n\t\tfloat fval;\n\t};\n"
            "\tstruct {\n\t\tshort s1;\n\t\tshort s2;\n\t};\n"
            "\tstruct inner in;\n"
            "\tstruct inner arr[2];\n"
            "\tint *ptr;\n"
            "\tvoid (*fn)(int);\n"
            "\tconst char *str;\n"
            "\tenum color col;\n"
            "\tdouble d;\n"
            "\t_Bool ok;\n"
            "\tunsigned char bytes[4];\n"
            "\tstruct list_head list;\n"
            "}");
  EXPECT_EQ(type_definition(p.q(p.bits)),
            "struct bits {\n\tunsigned int a : 3;\n\tunsigned int b : 5;\n\tint c : 4;\n"
            "\tunsigned long d : 40;\n\t_Bool flag;\n}");
  EXPECT_EQ(type_definition(p.q(p.color)), "enum color {\n\tRED = 0,\n\tGREEN = 5,\n\tBLUE = -1,\n}");
  EXPECT_EQ(type_definition(p.q(p.sigset2)), "typedef struct {\n\tunsigned long sig[1];\n} sigset_t2");
  EXPECT_EQ(type_definition(p.q(p.handler_t)), "typedef int (*handler_t)(void *)");
  EXPECT_EQ(type_definition(p.q(p.list_head)),
            "struct list_head {\n\tstruct list_head *next;\n\tstruct list_head *prev;\n}");
  EXPECT_EQ(type_definition(p.q(p.incomplete)), "struct incomplete");
  EXPECT_EQ(type_definition(p.q(p.int_t)), "int");
  EXPECT_EQ(type_definition(p.q(p.ptr(p.outer))), "struct outer *");
}

}  // namespace
}  // namespace kdive
