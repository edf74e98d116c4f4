// C operator semantics. Expected values and error texts are what drgn 0.0.22 printed
// for the same expressions on the core of the test program described in
// object_formatter_test.cpp (e.g. str(prog['gchar'] + prog['gchar']) == "(int)130").
#include "object/object_operators.h"

#include <gtest/gtest.h>

#include <functional>

#include "types/type_printer.h"

#include "object/object_formatter.h"
#include "unit/object/test_program.h"

namespace kdive {
namespace {

using testing::TestProgram;

class OperatorsTest : public ::testing::Test {
 protected:
  TestProgram p;
  uint64_t gbits = TestProgram::kData + 0x180;
  void SetUp() override {
    p.memory.put<uint64_t>(gbits, 5 | (17u << 3) | (13u << 8) | (0x123456789aull << 12) | (1ull << 56));
  }
  std::string str(const Object& o) { return format_object(o); }
  Object gint() { return p.ref(p.int_t, TestProgram::gint); }
  Object gptr() { return Object::unsigned_value(p.env, p.q(p.ptr(p.int_t)), TestProgram::gint); }
  Object garr() { return p.ref(p.arena.array_of({p.int_t, 0}, 4), TestProgram::garr); }
  Object bits() { return p.ref(p.bits, gbits); }
  Object gulong() { return Object::unsigned_value(p.env, p.q(p.ulong_t), ~0ull); }
  Object one() { return p.integer(p.int_t, 1); }
  std::string error_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  }
};

TEST_F(OperatorsTest, PointerArithmetic) {
  EXPECT_EQ(str(binary_op(BinaryOp::Add, gptr(), one())), "*(int *)0x404024 = 0");
  EXPECT_EQ(str(binary_op(BinaryOp::Add, garr(), one())), "*(int *)(garr+0x4 = 0x404054) = 2");
  Object three = p.integer(p.int_t, 3);
  EXPECT_EQ(str(binary_op(BinaryOp::Sub, binary_op(BinaryOp::Add, gptr(), three), gptr())), "(ptrdiff_t)3");
  Object vptr = Object::unsigned_value(p.env, p.q(p.ptr(p.void_t)), TestProgram::gint);
  EXPECT_EQ(str(binary_op(BinaryOp::Sub, binary_op(BinaryOp::Add, vptr, three), vptr)), "(ptrdiff_t)3");
  Object back = binary_op(BinaryOp::Sub, gptr(), p.integer(p.int_t, -2));
  EXPECT_EQ(back.as_unsigned(), TestProgram::gint + 8);
  EXPECT_EQ(error_of([&] { binary_op(BinaryOp::Add, gptr(), gptr()); }),
            "invalid operands to binary + ('int *' and 'int *')");
  EXPECT_EQ(error_of([&] { binary_op(BinaryOp::Mul, gptr(), p.integer(p.int_t, 2)); }),
            "invalid operands to binary * ('int *' and 'int')");
  // drgn 0.0.22 compares a pointer with an integer as addresses (ptr == 0 is True for
  // a NULL pointer): tests/diff/expressions.tsv.
  EXPECT_EQ(compare_objects(gptr(), one()), 1);
  EXPECT_EQ(compare_objects(p.integer(p.int_t, 0), gptr()), -1);
}

TEST_F(OperatorsTest, PromotionsAndConversions) {
  Object gchar = p.integer(p.char_t, 'A');
  EXPECT_EQ(str(binary_op(BinaryOp::Add, gchar, gchar)), "(int)130");
  EXPECT_EQ(str(binary_op(BinaryOp::Add, bits().member("a"), one())), "(int)6");
  EXPECT_EQ(str(binary_op(BinaryOp::Add, bits().member("d"), one())), "(unsigned long)78187493531");
  EXPECT_EQ(str(binary_op(BinaryOp::Add, bits().member("a"), bits().member("b"))), "(int)22");
  EXPECT_EQ(str(binary_op(BinaryOp::Mul, bits().member("c"), p.integer(p.int_t, 2))), "(int)-6");
  EXPECT_EQ(str(binary_op(BinaryOp::Add, p.integer(p.int_t, 5), gulong())), "(unsigned long)4");
  Object gdouble = Object::float_value(p.env, p.q(p.double_t), 1.5);
  EXPECT_EQ(str(binary_op(BinaryOp::Div, gint(), gdouble)), "(double)3.3333333333333335");
  Object gfloat = Object::float_value(p.env, p.q(p.float_t), 1.1);
  EXPECT_EQ(str(binary_op(BinaryOp::Add, gfloat, gfloat)), "(float)2.2000000476837158");
  EXPECT_EQ(str(unary_op(UnaryOp::Minus, gulong())), "(unsigned long)1");
  EXPECT_EQ(str(unary_op(UnaryOp::BitNot, gint())), "(int)-6");
  EXPECT_EQ(str(unary_op(UnaryOp::Minus, p.integer(p.bool_t, 1))), "(int)-1");
  EXPECT_EQ(str(binary_op(BinaryOp::Add, p.integer(p.color, 5), one())), "(int)6");
  EXPECT_EQ(str(binary_op(BinaryOp::Add, p.integer(p.ucolor, 2), one())), "(unsigned int)3");
  // Typedefs survive when no promotion changes the type (as in GCC and drgn).
  EXPECT_EQ(type_name(binary_op(BinaryOp::Add, Object::signed_value(p.env, p.q(p.env.prim.size_t_type), 2),
                                Object::signed_value(p.env, p.q(p.env.prim.size_t_type), 3)).type()),
            "size_t");
  EXPECT_EQ(error_of([&] { binary_op(BinaryOp::Add, p.ref(p.point, TestProgram::gpt), one()); }),
            "invalid operands to binary + ('struct point' and 'int')");
}

TEST_F(OperatorsTest, IntegerEdgeCases) {
  Object i32min = p.integer(p.int_t, INT32_MIN);
  EXPECT_EQ(str(binary_op(BinaryOp::Div, i32min, p.integer(p.int_t, -1))), "(int)-2147483648");
  Object l64min = p.integer(p.long_t, INT64_MIN);
  EXPECT_EQ(str(binary_op(BinaryOp::Div, l64min, p.integer(p.long_t, -1))), "(long)-9223372036854775808");
  EXPECT_EQ(str(binary_op(BinaryOp::Mod, l64min, p.integer(p.long_t, -1))), "(long)0");
  EXPECT_EQ(str(binary_op(BinaryOp::Mod, p.integer(p.int_t, -7), p.integer(p.int_t, 2))), "(int)-1");
  EXPECT_EQ(str(binary_op(BinaryOp::LShift, one(), p.integer(p.int_t, 31))), "(int)-2147483648");
  EXPECT_EQ(str(binary_op(BinaryOp::LShift, one(), p.integer(p.int_t, 40))), "(int)0");
  EXPECT_EQ(str(binary_op(BinaryOp::RShift, p.integer(p.int_t, -8), p.integer(p.int_t, 1))), "(int)-4");
  EXPECT_EQ(str(binary_op(BinaryOp::RShift, p.integer(p.int_t, -8), p.integer(p.int_t, 99))), "(int)-1");
  EXPECT_EQ(str(binary_op(BinaryOp::BitXor, p.integer(p.int_t, 6), p.integer(p.int_t, 3))), "(int)5");
  EXPECT_EQ(error_of([&] { binary_op(BinaryOp::LShift, gint(), p.integer(p.int_t, -1)); }),
            "negative shift count");
  EXPECT_EQ(error_of([&] { binary_op(BinaryOp::Div, gint(), p.integer(p.int_t, 0)); }), "division by zero");
  EXPECT_EQ(error_of([&] { binary_op(BinaryOp::Mod, gint(), Object::float_value(p.env, p.q(p.double_t), 2)); }),
            "invalid operands to binary % ('int' and 'double')");
}

TEST_F(OperatorsTest, ComparisonsAndLogic) {
  EXPECT_EQ(str(binary_op(BinaryOp::Lt, p.integer(p.int_t, -1), gulong())), "(int)0");  // -1 → ULONG_MAX
  EXPECT_EQ(str(binary_op(BinaryOp::Eq, p.integer(p.int_t, -1), gulong())), "(int)1");
  EXPECT_EQ(str(binary_op(BinaryOp::Lt, p.integer(p.int_t, -1), p.integer(p.long_t, 0))), "(int)1");
  EXPECT_EQ(str(binary_op(BinaryOp::Ge, gptr(), gptr())), "(int)1");
  EXPECT_EQ(str(binary_op(BinaryOp::LogicalAnd, gint(), p.integer(p.int_t, 0))), "(int)0");
  EXPECT_EQ(str(binary_op(BinaryOp::LogicalOr, gint(), p.integer(p.int_t, 0))), "(int)1");
  EXPECT_EQ(str(unary_op(UnaryOp::LogicalNot, gptr())), "(int)0");
  EXPECT_TRUE(garr().truthy());
  EXPECT_EQ(error_of([&] { p.ref(p.point, TestProgram::gpt).truthy(); }), "cannot convert 'struct point' to bool");
}

TEST_F(OperatorsTest, Casts) {
  EXPECT_EQ(str(cast(p.q(p.long_t), gptr())), "(long)4210720");
  EXPECT_EQ(str(cast(p.q(p.ulong_t), garr())), "(unsigned long)4210768");
  EXPECT_EQ(str(cast(p.q(p.char_t), p.integer(p.int_t, 321))), "(char)65");
  EXPECT_EQ(str(cast(p.q(p.int_t), Object::float_value(p.env, p.q(p.double_t), 1.5))), "(int)1");
  EXPECT_EQ(str(cast(p.q(p.bool_t), gint())), "(_Bool)5");  // drgn keeps the bits
  EXPECT_EQ(str(cast(p.q(p.color), p.integer(p.int_t, 5))), "(enum color)GREEN");
  EXPECT_EQ(str(cast(p.q(p.ptr(p.point)), p.integer(p.int_t, -1))), "(struct point *)0xffffffffffffffff");
  EXPECT_EQ(error_of([&] { cast(p.q(p.point), p.ref(p.point, TestProgram::gpt)); }),
            "cannot cast to 'struct point'");
  EXPECT_EQ(error_of([&] { cast(p.q(p.int_t), p.ref(p.point, TestProgram::gpt)); }),
            "cannot convert 'struct point' to 'int'");
  EXPECT_EQ(error_of([&] { cast(p.q(p.double_t), gptr()); }), "cannot convert 'int *' to 'double'");
  EXPECT_EQ(error_of([&] { cast(p.q(p.void_t), gint()); }), "cannot cast to void type");
}

TEST_F(OperatorsTest, ReinterpretAndContainerOf) {
  EXPECT_EQ(str(reinterpret(p.q(p.uint_t), gint())), "(unsigned int)5");
  EXPECT_EQ(str(reinterpret(p.q(p.long_t), p.ref(p.point, TestProgram::gpt))), "(long)8589934593");
  EXPECT_EQ(str(reinterpret(p.q(p.long_t), p.ref(p.point, TestProgram::gpt).read())), "(long)8589934593");
  // A scalar value is reinterpreted through its bytes (drgn 0.2.0); a larger type than
  // the value is out of its bounds.
  EXPECT_EQ(str(reinterpret(p.q(p.uint_t), p.integer(p.int_t, -1))), "(unsigned int)4294967295");
  EXPECT_EQ(error_of([&] { reinterpret(p.q(p.long_t), p.integer(p.int_t, 1)); }), "out of bounds of value");
  Object list = p.ref(p.outer, TestProgram::gout).member("list").address_of();
  Object outer = container_of(list, p.q(p.outer), "list");
  EXPECT_EQ(type_name(outer.type()), "struct outer *");
  EXPECT_EQ(outer.as_unsigned(), TestProgram::gout);
  EXPECT_EQ(container_of(p.ref(p.outer, TestProgram::gout).member("arr").subscript(1).member("name").address_of(),
                         p.q(p.outer), "arr[1].name")
                .as_unsigned(),
            TestProgram::gout);
  EXPECT_EQ(error_of([&] { container_of(gint(), p.q(p.outer), "list"); }),
            "container_of() argument must be a pointer, not 'int'");
}

TEST_F(OperatorsTest, MemberAccessIsLazy) {
  Object outer = p.ref(p.outer, TestProgram::gout);
  Object s2 = outer.member("s2");  // through the anonymous struct
  EXPECT_TRUE(s2.is_reference());
  EXPECT_EQ(s2.address(), TestProgram::gout + 10);
  EXPECT_EQ(str(s2), "(short)2");
  // drgn: str(prog['goutp'].list.next)
  EXPECT_EQ(str(outer.member("list").member("next").member_dereference("next")),
            "*(struct list_head *)(ghead+0x0 = 0x404160) = {\n"
            "\t.next = (struct list_head *)ghead+0x0 = 0x404160,\n"
            "\t.prev = (struct list_head *)ghead+0x0 = 0x404160,\n}");
  Object gptp = Object::unsigned_value(p.env, p.q(p.ptr(p.point)), TestProgram::gpt);
  EXPECT_EQ(str(gptp.member_dereference("x")), "(int)1");
  EXPECT_EQ(str(outer.member("arr").subscript(1).member("name")), "(char [8])\"\"");
  EXPECT_EQ(str(outer.member("arr").subscript(1).member("l")), "(long)3");
  EXPECT_EQ(error_of([&] { p.ref(p.point, TestProgram::gpt).member("z"); }), "'struct point' has no member 'z'");
  EXPECT_EQ(error_of([&] { gint().member("z"); }), "'int' is not a structure, union, or class");
  EXPECT_EQ(error_of([&] { gint().subscript(0); }), "'int' is not an array or pointer");
  EXPECT_EQ(error_of([&] { bits().member("b").address_of(); }), "cannot take address of bit field");
  EXPECT_EQ(error_of([&] { one().address_of(); }), "cannot take address of value");
  // An absent object keeps its reason.
  Object absent = Object::absent(p.env, p.q(p.int_t), "optimized out");
  EXPECT_EQ(absent.absent_reason(), "optimized out");
  EXPECT_EQ(error_of([&] { absent.as_signed(); }), "object absent");
  // Address of a reference gives a pointer to its (qualified) type.
  Object cint = Object::reference(p.env, p.q(p.int_t, kQualConst), TestProgram::gint);
  EXPECT_EQ(type_name(cint.address_of().type()), "const int *");
}

TEST_F(OperatorsTest, StringsAndBytes) {
  Object gname = p.ref(p.arena.array_of({p.char_t, 0}, 16), TestProgram::gname);
  EXPECT_EQ(gname.read_c_string(), "swapper/0");
  EXPECT_EQ(gname.read_c_string(4), "swap");
  Object sp = Object::unsigned_value(p.env, p.q(p.ptr(p.char_t)), TestProgram::gname);
  EXPECT_EQ(sp.read_c_string(), "swapper/0");
  EXPECT_EQ(gint().bytes(), (std::vector<uint8_t>{5, 0, 0, 0}));
  EXPECT_EQ(error_of([&] { gint().read_c_string(); }), "string() argument must be an array or pointer, not 'int'");
  Object bad = Object::unsigned_value(p.env, p.q(p.ptr(p.char_t)), 0x10);
  EXPECT_THROW(bad.read_c_string(), FaultError);
}

}  // namespace
}  // namespace kdive

namespace kdive {
namespace {

TEST(ObjectTest, BigEndianBitFields) {
  TypeArena arena;
  ObjectEnv env = ObjectEnv::lp64(nullptr, &arena);
  env.little_endian = false;
  const Type* u32 = env.prim.unsigned_int_type;
  // Big endian numbers bits from the most significant bit of the first byte.
  std::vector<uint8_t> bytes = {0xb0, 0x00, 0x01, 0x02};
  EXPECT_EQ(Object::from_bytes(env, {u32, 0}, bytes.data(), bytes.size(), 0, 3).as_unsigned(), 5u);
  EXPECT_EQ(Object::from_bytes(env, {u32, 0}, bytes.data(), bytes.size()).as_unsigned(), 0xb0000102u);
  EXPECT_EQ(Object::from_bytes(env, {u32, 0}, bytes.data(), bytes.size()).bytes(), bytes);
  env.little_endian = true;
  EXPECT_EQ(Object::from_bytes(env, {u32, 0}, bytes.data(), bytes.size()).as_unsigned(), 0x020100b0u);
  EXPECT_EQ(Object::from_bytes(env, {env.prim.int_type, 0}, bytes.data(), bytes.size(), 4, 4).as_signed(), -5);
}

TEST(ObjectTest, SelfContainingTypeIsBounded) {
  TypeArena arena;
  testing::BufferMemory memory;
  memory.map(0x1000, 64);
  ObjectEnv env = ObjectEnv::lp64(&memory, &arena);
  const Type* loop = nullptr;
  loop = arena.make_compound(TypeKind::Struct, "loop", 8,
                             {TypeMember{"inner", LazyType([&loop] { return QualifiedType{loop, 0}; }), 0, 0}});
  Object o = Object::reference(env, {loop, 0}, 0x1000);
  EXPECT_THROW(format_object(o), TypeError);
  EXPECT_THROW(o.is_zero(), TypeError);
}

TEST(ObjectTest, MissingMemoryFaults) {
  TypeArena arena;
  ObjectEnv env = ObjectEnv::lp64(nullptr, &arena);
  Object o = Object::reference(env, {env.prim.int_type, 0}, 0x1234);
  try {
    o.as_signed();
    FAIL();
  } catch (const FaultError& e) {
    EXPECT_EQ(e.address(), 0x1234u);
  }
}

}  // namespace
}  // namespace kdive
