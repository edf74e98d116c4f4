// Unit tests of StructLayoutPrinter::print(QualifiedType): kdive Types built here, as
// BtfTypes builds them from BTF, print what `pahole -F btf -C NAME` (dwarves 1.24)
// prints for the BTF of the same C declarations (`gcc -g -c` then `pahole -J`; the C is
// in each test's comment). The rules of BTF mode: alignments inferred from offsets
// (btf_loader.c's class__infer_alignment), no "Force padding" bit fields, base types in
// gcc's spelling, enumerators unsigned. The fixture kernels' whole BTF is compared with
// pahole in tests/integration/layout/btf_layout_pahole_test.cpp.
#include <gtest/gtest.h>

#include <string>

#include "debuginfo/debug_info.h"
#include "kdive/error.h"
#include "kdive/type.h"
#include "layout/struct_layout_printer.h"

namespace kdive {
namespace {

class BtfLayout : public ::testing::Test {
 protected:
  QualifiedType q(const Type* t, uint8_t quals = kQualNone) { return {t, quals}; }
  TypeMember member(std::string name, QualifiedType type, uint64_t bit_offset, uint64_t bit_field_size = 0) {
    return TypeMember{std::move(name), LazyType(type), bit_offset, bit_field_size};
  }
  const Type* structure(std::string tag, uint64_t size, std::vector<TypeMember> members) {
    return arena_.make_compound(TypeKind::Struct, std::move(tag), size, std::move(members));
  }
  std::string print(const Type* t, LayoutOptions options = {}) {
    return StructLayoutPrinter("BTF", options).print(q(t));
  }

  TypeArena arena_;
  const Type* int_ = arena_.int_type("int", 4, true);
  const Type* uint_ = arena_.int_type("unsigned int", 4, false);
  const Type* long_ = arena_.int_type("long", 8, true);
  const Type* char_ = arena_.int_type("char", 1, true);
};

// struct inner { long a; int b; };
// struct aligned_member { int x; struct inner in __attribute__((__aligned__(64))); char tail; };
// BTF keeps only the offsets: the 60-byte gap before `in`, on a cacheline, gives it
// __aligned__(64); the 47 bytes after `tail` give the struct the same.
TEST_F(BtfLayout, AlignmentsInferredFromOffsets) {
  const Type* inner = structure("inner", 16, {member("a", q(long_), 0), member("b", q(int_), 64)});
  const Type* s = structure("aligned_member", 128,
                            {member("x", q(int_), 0), member("in", q(inner), 512), member("tail", q(char_), 640)});
  EXPECT_EQ(print(s), R"(struct aligned_member {
	int                        x;                    /*     0     4 */

	/* XXX 60 bytes hole, try to pack */

	/* --- cacheline 1 boundary (64 bytes) --- */
	struct inner               in __attribute__((__aligned__(64))); /*    64    16 */

	/* XXX last struct has 4 bytes of padding */

	char                       tail;                 /*    80     1 */

	/* size: 128, cachelines: 2, members: 3 */
	/* sum members: 21, holes: 1, sum holes: 60 */
	/* padding: 47 */
	/* paddings: 1, sum paddings: 4 */
	/* forced alignments: 1, forced holes: 1, sum forced holes: 60 */
} __attribute__((__aligned__(64)));
)");
}

// struct force { int a; int b; char c[7]; } __attribute__((__aligned__(32)));
// The power of 2 above the 17 bytes of padding: 32, off a cacheline.
TEST_F(BtfLayout, StructAlignmentFromPadding) {
  const Type* s = structure("force", 32, {member("a", q(int_), 0), member("b", q(int_), 32),
                                          member("c", q(arena_.array_of(q(char_), 7)), 64)});
  EXPECT_EQ(print(s), R"(struct force {
	int                        a;                    /*     0     4 */
	int                        b;                    /*     4     4 */
	char                       c[7];                 /*     8     7 */

	/* size: 32, cachelines: 1, members: 3 */
	/* padding: 17 */
	/* last cacheline: 32 bytes */
} __attribute__((__aligned__(32)));
)");
}

// struct wide { __int128 x; char c; };
// From DWARF pahole fills the 15 bytes of padding with "Force padding:" bit fields; with
// inferred alignments (16, natural: none) it does not.
TEST_F(BtfLayout, NoForcePadding) {
  const Type* i128 = arena_.int_type("__int128", 16, true);
  const Type* s = structure("wide", 32, {member("x", q(i128), 0), member("c", q(char_), 128)});
  EXPECT_EQ(print(s), R"(struct wide {
	__int128                   x;                    /*     0    16 */
	char                       c;                    /*    16     1 */

	/* size: 32, cachelines: 1, members: 2 */
	/* padding: 15 */
	/* last cacheline: 32 bytes */
};
)");
}

// enum small { SMALL_NEG = -1, SMALL_TWO = 2 };  BTF_KIND_ENUM holds 32 bits, which
// pahole's BTF loader zero-extends and prints unsigned. An 8-byte enum is ENUM64 in
// BTF since pahole 1.24: all 64 bits.
TEST_F(BtfLayout, EnumeratorsUnsigned) {
  const Type* small = arena_.make_enum("small", q(int_), {{"SMALL_NEG", static_cast<uint64_t>(-1)}, {"SMALL_TWO", 2}});
  EXPECT_EQ(print(small), "enum small {\n\tSMALL_NEG = 4294967295,\n\tSMALL_TWO = 2,\n};\n");
  EXPECT_EQ(print(small, {.hex = true, .expand = false}),
            "enum small {\n\tSMALL_NEG = 0xffffffff,\n\tSMALL_TWO = 0x2,\n};\n");
  const Type* big = arena_.make_enum("big", q(long_), {{"BIG_NEG", static_cast<uint64_t>(-32)}, {"BIG_ONE", 1}});
  EXPECT_EQ(print(big),
            "enum big {\n\tBIG_NEG = 18446744073709551584,\n\tBIG_ONE = 1,\n} __attribute__((__packed__));\n");
}

// struct bits {
//   unsigned int a:3; unsigned int b:5; unsigned char c; unsigned long long d:40;
//   const void *p; volatile unsigned long v; short s; unsigned short us; long long ll;
//   unsigned long long ull; signed char sc; _Bool flag; enum small e:8; char flex[];
// };
// Base types in gcc's spelling, qualifiers, bit fields on their storage units and a
// flexible array.
TEST_F(BtfLayout, MembersAsBtfSpellsThem) {
  const Type* uchar = arena_.int_type("unsigned char", 1, false);
  const Type* ull = arena_.int_type("unsigned long long", 8, false);
  const Type* ulong = arena_.int_type("unsigned long", 8, false);
  const Type* small = arena_.make_enum("small", q(int_), {{"SMALL_NEG", static_cast<uint64_t>(-1)}, {"SMALL_TWO", 2}});
  const Type* s = structure(
      "bits", 56,
      {member("a", q(uint_), 0, 3), member("b", q(uint_), 3, 5), member("c", q(uchar), 8),
       member("d", q(ull), 16, 40), member("p", q(arena_.pointer_to(q(arena_.void_type(), kQualConst))), 64),
       member("v", q(ulong, kQualVolatile), 128), member("s", q(arena_.int_type("short", 2, true)), 192),
       member("us", q(arena_.int_type("unsigned short", 2, false)), 208),
       member("ll", q(arena_.int_type("long long", 8, true)), 256), member("ull", q(ull), 320),
       member("sc", q(arena_.int_type("signed char", 1, true)), 384),
       member("flag", q(arena_.bool_type("_Bool", 1)), 392),
       member("e", q(small), 400, 8), member("flex", q(arena_.array_of(q(char_), std::nullopt)), 408)});
  EXPECT_EQ(print(s), R"(struct bits {
	unsigned int               a:3;                  /*     0: 0  4 */
	unsigned int               b:5;                  /*     0: 3  4 */

	/* Bitfield combined with next fields */

	unsigned char              c;                    /*     1     1 */

	/* Bitfield combined with previous fields */

	long long unsigned int     d:40;                 /*     0:16  8 */

	/* XXX 8 bits hole, try to pack */

	const void  *              p;                    /*     8     8 */
	volatile long unsigned int  v;                   /*    16     8 */
	short int                  s;                    /*    24     2 */
	short unsigned int         us;                   /*    26     2 */

	/* XXX 4 bytes hole, try to pack */

	long long int              ll;                   /*    32     8 */
	long long unsigned int     ull;                  /*    40     8 */
	signed char                sc;                   /*    48     1 */
	_Bool                      flag;                 /*    49     1 */

	/* Bitfield combined with previous fields */

	enum small                 e:8;                  /*    48:16  4 */

	/* Bitfield combined with next fields */

	char                       flex[];               /*    51     0 */

	/* size: 56, cachelines: 1, members: 14 */
	/* sum members: 39, holes: 1, sum holes: 4 */
	/* sum bitfield members: 56 bits, bit holes: 1, sum bit holes: 8 bits */
	/* padding: 5 */
	/* last cacheline: 56 bytes */
};
)");
}

// union u { char c[20]; long l; };  typedef int (*handler_t)(const void *, size_t, ...);
// A union's inferred alignment (32: 16 bytes after `l`) is not printed; a variadic
// function pointer typedef.
TEST_F(BtfLayout, UnionAndFunctionPointerTypedef) {
  const Type* u = arena_.make_compound(TypeKind::Union, "u", 24,
                                       {member("c", q(arena_.array_of(q(char_), 20)), 0), member("l", q(long_), 0)});
  EXPECT_EQ(print(u), R"(union u {
	char                       c[20];              /*     0    20 */
	long int                   l;                  /*     0     8 */
};
)");
  const Type* size_t_ = arena_.make_typedef("size_t", LazyType(q(arena_.int_type("unsigned long", 8, false))));
  const Type* fn = arena_.make_function(
      LazyType(q(int_)),
      {TypeParameter{"", LazyType(q(arena_.pointer_to(q(arena_.void_type(), kQualConst))))},
       TypeParameter{"", LazyType(q(size_t_))}},
      true);
  const Type* handler = arena_.make_typedef("handler_t", LazyType(q(arena_.pointer_to(q(fn)))));
  EXPECT_EQ(print(handler), "typedef int (*handler_t)(const void  *, size_t, ...);\n");
}

// layout_of() with no debug file defining the name asks DebugInfo::find_type, and says
// which name it could not find when that has none either.
TEST_F(BtfLayout, LayoutOfUnknownName) {
  DebugInfo debug_info(arena_);
  try {
    layout_of(debug_info, " struct kdive_nowhere ", {});
    FAIL() << "no LookupError";
  } catch (const LookupError& e) {
    EXPECT_STREQ(e.what(), "type 'kdive_nowhere' not found");
  }
  EXPECT_THROW(layout_of(debug_info, "kdive_nowhere_t", {}), LookupError);
}

TEST_F(BtfLayout, NotALayoutType) {
  EXPECT_THROW(print(int_), TypeError);
  EXPECT_THROW(StructLayoutPrinter("BTF", {}).print(q(arena_.void_type())), TypeError);
}

}  // namespace
}  // namespace kdive
