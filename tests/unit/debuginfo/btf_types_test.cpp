// BtfTypes on BTF blobs written here record by record (Documentation/bpf/btf.rst §2):
// every kind's translation into kdive Types as the DWARF translator makes the same C
// declaration, lookups by name, split BTF on a base, both byte orders, laziness, and
// malformed blobs with their exact error text. Also replays blobs, cut and mutated,
// through the libFuzzer entry of tests/fuzz/debuginfo_btf_fuzz.cpp.
#include "debuginfo/btf_types.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "kdive/error.h"
#include "types/type_printer.h"

#define LLVMFuzzerTestOneInput BtfFuzzOne
#include "fuzz/debuginfo_btf_fuzz.cpp"
#undef LLVMFuzzerTestOneInput

namespace kdive {
namespace {

// BTF_KIND_* as the numbers a blob holds.
constexpr uint32_t INT = 1, PTR = 2, ARRAY = 3, STRUCT = 4, UNION = 5, ENUM = 6, FWD = 7, TYPEDEF = 8,
                   VOLATILE = 9, CONST = 10, RESTRICT = 11, FUNC = 12, FUNC_PROTO = 13, VAR = 14, DATASEC = 15,
                   FLOAT = 16, DECL_TAG = 17, TYPE_TAG = 18, ENUM64 = 19;
constexpr uint32_t SIGNED = kBtfIntSigned << 24, BOOL = kBtfIntBool << 24;

// Writes a BTF blob: a 24-byte struct btf_header, the type section, the string section.
struct BtfBlob {
  bool little_endian = true;
  uint32_t str_base = 0;  // split BTF: the base's string length
  std::vector<uint8_t> types;
  std::vector<uint8_t> strings{0};  // a base blob's first string is ""

  // Adds a string to the string section; its offset.
  uint32_t str(const std::string& s) {
    uint32_t off = str_base + static_cast<uint32_t>(strings.size());
    strings.insert(strings.end(), s.begin(), s.end());
    strings.push_back(0);
    return off;
  }
  static void put(std::vector<uint8_t>& out, uint32_t v, int n, bool le) {
    for (int i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * (le ? i : n - 1 - i))));
  }
  // One u32 of kind-specific data.
  BtfBlob& u32(uint32_t v) {
    put(types, v, 4, little_endian);
    return *this;
  }
  // struct btf_type: name_off; info = kind_flag << 31 | kind << 24 | vlen; size or type.
  BtfBlob& type(uint32_t name_off, uint32_t kind, uint32_t vlen, uint32_t size_or_type, bool kind_flag = false) {
    return u32(name_off).u32((kind_flag ? 1u << 31 : 0) | kind << 24 | vlen).u32(size_or_type);
  }
  std::vector<uint8_t> bytes() const {
    std::vector<uint8_t> out;
    put(out, 0xeb9f, 2, little_endian);                         // magic
    out.push_back(1);                                            // version
    out.push_back(0);                                            // flags
    put(out, 24, 4, little_endian);                              // hdr_len
    put(out, 0, 4, little_endian);                               // type_off
    put(out, static_cast<uint32_t>(types.size()), 4, little_endian);   // type_len
    put(out, static_cast<uint32_t>(types.size()), 4, little_endian);   // str_off
    put(out, static_cast<uint32_t>(strings.size()), 4, little_endian); // str_len
    out.insert(out.end(), types.begin(), types.end());
    out.insert(out.end(), strings.begin(), strings.end());
    return out;
  }
};

std::unique_ptr<BtfTypes> parse(const BtfBlob& b, TypeArena& arena, const BtfTypes* base = nullptr) {
  return BtfTypes::parse(b.bytes(), arena, "test", base);
}

std::string parse_error(const std::vector<uint8_t>& bytes) {
  TypeArena arena;
  try {
    BtfTypes::parse(bytes, arena, "test");
  } catch (const BadDataError& e) {
    return e.what();
  }
  return "(no error)";
}

// A blob with one of most kinds, as pahole writes a kernel's:
//   struct node { int value; struct node *next; unsigned int flags:3, mode:5;
//                 union { long l; const volatile char *s; }; char data[]; };
//   typedef struct node node_t;  int fn(node_t *n, ...);  DEFINE_PER_CPU(int, counter);
//   enum color { RED = -1, BLUE = 2 };
void write_rich(BtfBlob& b) {
  b.type(b.str("int"), INT, 0, 4);                  // [1] INT "int", 4 bytes
  b.u32(SIGNED | 32);                               //     signed, offset 0, 32 bits
  b.type(b.str("node"), STRUCT, 6, 32, true);       // [2] STRUCT "node", 6 members, 32 bytes, kind_flag
  b.u32(b.str("value")).u32(1).u32(0);              //     value: int at bit 0
  b.u32(b.str("next")).u32(3).u32(64);              //     next: [3] at bit 64
  b.u32(b.str("flags")).u32(4).u32(3u << 24 | 128); //     flags: [4], 3-bit field at bit 128
  b.u32(b.str("mode")).u32(4).u32(5u << 24 | 131);  //     mode: [4], 5-bit field at bit 131
  b.u32(0).u32(5).u32(192);                         //     (anonymous): [5] at bit 192
  b.u32(b.str("data")).u32(11).u32(256);            //     data: [11] at bit 256
  b.type(0, PTR, 0, 2);                             // [3] PTR to [2]
  b.type(b.str("unsigned int"), INT, 0, 4);         // [4] INT "unsigned int"
  b.u32(32);                                        //     unsigned, 32 bits
  b.type(0, UNION, 2, 8);                           // [5] UNION (anonymous), 2 members, 8 bytes
  b.u32(b.str("l")).u32(6).u32(0);                  //     l: [6] at bit 0
  b.u32(b.str("s")).u32(7).u32(0);                  //     s: [7] at bit 0
  b.type(b.str("long int"), INT, 0, 8);             // [6] INT "long int"
  b.u32(SIGNED | 64);                               //     signed, 64 bits
  b.type(0, PTR, 0, 8);                             // [7] PTR to [8]
  b.type(0, CONST, 0, 9);                           // [8] CONST [9]
  b.type(0, VOLATILE, 0, 10);                       // [9] VOLATILE [10]
  b.type(b.str("char"), INT, 0, 1);                 // [10] INT "char"
  b.u32(SIGNED | 8);                                //     signed, 8 bits
  b.type(0, ARRAY, 0, 0);                           // [11] ARRAY
  b.u32(10).u32(4).u32(0);                          //     of [10], index [4], 0 elements
  b.type(b.str("node_t"), TYPEDEF, 0, 2);           // [12] TYPEDEF "node_t" = [2]
  b.type(0, PTR, 0, 12);                            // [13] PTR to [12]
  b.type(0, FUNC_PROTO, 2, 1);                      // [14] FUNC_PROTO returning [1], 2 params
  b.u32(b.str("n")).u32(13);                        //     n: [13]
  b.u32(0).u32(0);                                  //     ... (no name, type 0)
  b.type(b.str("fn"), FUNC, 1, 14);                 // [15] FUNC "fn" (global linkage) = [14]
  b.type(b.str("counter"), VAR, 0, 1);              // [16] VAR "counter": [1]
  b.u32(1);                                         //     linkage: global
  b.type(b.str(".data..percpu"), DATASEC, 1, 64);   // [17] DATASEC ".data..percpu", 1 entry, 64 bytes
  b.u32(16).u32(0x28).u32(4);                       //     [16] at offset 0x28, 4 bytes
  b.type(b.str("color"), ENUM, 2, 4, true);         // [18] ENUM "color", 2 values, 4 bytes, signed
  b.u32(b.str("RED")).u32(0xffffffff);              //     RED = -1
  b.u32(b.str("BLUE")).u32(2);                      //     BLUE = 2
  b.type(b.str("user"), TYPE_TAG, 0, 3, true);      // [19] TYPE_TAG "user" on [3]
  b.type(b.str("tag"), DECL_TAG, 0, 2);             // [20] DECL_TAG "tag" on [2]
  b.u32(0xffffffff);                                //     component_idx -1: the struct itself
}

TEST(BtfTypes, IntsFloatsAndBoolAsDwarfNamesThem) {
  BtfBlob b;
  b.type(b.str("long unsigned int"), INT, 0, 8);  // [1] INT "long unsigned int", 8 bytes
  b.u32(64);                                      //     unsigned, 64 bits
  b.type(b.str("char"), INT, 0, 1);               // [2] INT "char", 1 byte
  b.u32(SIGNED | 8);                              //     signed, 8 bits
  b.type(b.str("_Bool"), INT, 0, 1);              // [3] INT "_Bool", 1 byte
  b.u32(BOOL | 8);                                //     bool, 8 bits
  b.type(b.str("double"), FLOAT, 0, 8);           // [4] FLOAT "double", 8 bytes
  b.type(b.str("signed char"), INT, 0, 1);        // [5] INT "signed char"
  b.u32(SIGNED | 8);                              //     signed, 8 bits
  TypeArena arena;
  auto btf = parse(b, arena);
  EXPECT_EQ(btf->type_count(), 6u);
  EXPECT_EQ(btf->first_id(), 1u);
  QualifiedType ul = btf->type_by_id(1);
  EXPECT_EQ(ul.type, arena.int_type("unsigned long", 8, false));  // canonical spelling, interned
  EXPECT_EQ(btf->type_by_id(2).type, arena.int_type("char", 1, true));
  EXPECT_EQ(btf->type_by_id(3).type, arena.bool_type("_Bool", 1));
  EXPECT_EQ(btf->type_by_id(4).type, arena.float_type("double", 8));
  EXPECT_EQ(btf->type_by_id(0).type, arena.void_type());
  EXPECT_EQ(btf->find_type(TypeKind::Int, "unsigned long"), ul);
  EXPECT_EQ(btf->find_type(TypeKind::Int, "long unsigned int"), ul);  // gcc's spelling too
  EXPECT_EQ(btf->find_type(TypeKind::Bool, "_Bool").type, arena.bool_type("_Bool", 1));
  EXPECT_EQ(btf->find_type(TypeKind::Float, "double").type, arena.float_type("double", 8));
  EXPECT_EQ(btf->find_type(TypeKind::Int, "_Bool").type, nullptr);  // a Bool, not an Int
  EXPECT_EQ(btf->find_type(TypeKind::Int, "int").type, nullptr);
  EXPECT_EQ(btf->name_of(1), "long unsigned int");
  EXPECT_EQ(btf->kind_of(4), BtfKind::Float);
}

TEST(BtfTypes, OldProducersCharSignednessAndFloats) {
  // pahole before 1.21 (5.10's BTF): no BTF_INT_SIGNED on "signed char" nor "char", no
  // FLOAT kind (a double is an INT).
  BtfBlob b;
  b.type(b.str("char"), INT, 0, 1);         // [1] INT "char", 1 byte
  b.u32(8);                                 //     no encoding, 8 bits
  b.type(b.str("signed char"), INT, 0, 1);  // [2] INT "signed char", 1 byte
  b.u32(8);                                 //     no encoding, 8 bits
  b.type(b.str("double"), INT, 0, 8);       // [3] INT "double", 8 bytes
  b.u32(64);                                //     no encoding, 64 bits
  TypeArena arena;
  auto btf = parse(b, arena);
  EXPECT_EQ(btf->type_by_id(1).type, arena.int_type("char", 1, true));
  EXPECT_EQ(btf->type_by_id(2).type, arena.int_type("signed char", 1, true));
  EXPECT_EQ(btf->type_by_id(3).type, arena.float_type("double", 8));
  EXPECT_EQ(btf->find_type(TypeKind::Float, "double").type, arena.float_type("double", 8));

  // A producer that records it (pahole >= 1.21): "char" without SIGNED is unsigned
  // (Linux >= 6.2 builds with -funsigned-char).
  BtfBlob n;
  n.type(n.str("char"), INT, 0, 1);         // [1] INT "char", 1 byte
  n.u32(8);                                 //     no encoding, 8 bits
  n.type(n.str("signed char"), INT, 0, 1);  // [2] INT "signed char", 1 byte
  n.u32(SIGNED | 8);                        //     signed, 8 bits
  EXPECT_EQ(parse(n, arena)->type_by_id(1).type, arena.int_type("char", 1, false));
}

TEST(BtfTypes, StructMembersBitFieldsQualifiersAndTags) {
  BtfBlob b;
  write_rich(b);
  TypeArena arena;
  auto btf = parse(b, arena);
  QualifiedType node = btf->find_type(TypeKind::Struct, "node");
  ASSERT_TRUE(node.type);
  EXPECT_EQ(node, btf->type_by_id(2));
  EXPECT_EQ(node.type->kind(), TypeKind::Struct);
  EXPECT_EQ(node.type->size(), 32u);
  EXPECT_TRUE(node.type->is_complete());
  const auto& m = node.type->members();
  ASSERT_EQ(m.size(), 6u);
  struct Want {
    const char* name;
    const char* type;
    uint64_t bit_offset, bit_field_size;
  } want[] = {{"value", "int", 0, 0},         {"next", "struct node *", 64, 0},
              {"flags", "unsigned int", 128, 3}, {"mode", "unsigned int", 131, 5},
              {"", "union <anonymous>", 192, 0}, {"data", "char []", 256, 0}};
  for (size_t i = 0; i < 6; ++i) {
    SCOPED_TRACE(want[i].name);
    EXPECT_EQ(m[i].name, want[i].name);
    EXPECT_EQ(type_name(m[i].type.get()), want[i].type);
    EXPECT_EQ(m[i].bit_offset, want[i].bit_offset);
    EXPECT_EQ(m[i].bit_field_size, want[i].bit_field_size);
  }
  const Type* u = m[4].type.get().type;
  ASSERT_EQ(u->members().size(), 2u);
  QualifiedType s = u->members()[1].type.get();
  EXPECT_EQ(type_name(s), "const volatile char *");
  EXPECT_EQ(s.type->target().qualifiers, kQualConst | kQualVolatile);
  EXPECT_EQ(s.type->size(), 8u);
  QualifiedType t = btf->find_type(TypeKind::Typedef, "node_t");
  EXPECT_EQ(t.type->kind(), TypeKind::Typedef);
  EXPECT_EQ(t.type->target(), node);
  // A type tag is transparent; a DECL_TAG or DATASEC is no type.
  EXPECT_EQ(type_name(btf->type_by_id(19)), "struct node *");
  try {
    btf->type_by_id(20);
    ADD_FAILURE() << "no error";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "test: BTF id 20 is a DECL_TAG, not a type");
  }
  EXPECT_THROW(btf->type_by_id(17), UsageError);
  try {
    btf->type_by_id(21);
    ADD_FAILURE() << "no error";
  } catch (const BadDataError& e) {
    EXPECT_STREQ(e.what(), "test: BTF: no type id 21 (ids are 1..20)");
  }
}

TEST(BtfTypes, MembersAreLazy) {
  BtfBlob b;
  write_rich(b);
  TypeArena arena;
  auto btf = parse(b, arena);
  QualifiedType node = btf->type_by_id(2);
  size_t made = arena.size();
  const auto& m = node.type->members();
  EXPECT_FALSE(m[1].type.is_resolved());  // struct node * not translated yet
  EXPECT_FALSE(m[4].type.is_resolved());
  EXPECT_EQ(arena.size(), made);
  EXPECT_EQ(m[1].type.get().type->target(), node);  // the pointer's target is the cached struct
  EXPECT_GT(arena.size(), made);
  // A translated id is cached: a member reaching it later gets the same Type.
  EXPECT_EQ(btf->type_by_id(3), m[1].type.get());
}

TEST(BtfTypes, LegacyBitFieldsWithoutKindFlag) {
  // Before kind_flag (btf.rst §2.2.4), a bit field is a member whose INT type is
  // narrower than its size, possibly starting BTF_INT_OFFSET bits in.
  BtfBlob b;
  b.type(b.str("unsigned int"), INT, 0, 4);  // [1] INT "unsigned int", 4 bytes
  b.u32(32);                                 //     32 bits: not a bit field
  b.type(b.str("unsigned int"), INT, 0, 4);  // [2] INT "unsigned int", 4 bytes
  b.u32(3);                                  //     3 bits
  b.type(b.str("unsigned int"), INT, 0, 4);  // [3] INT "unsigned int", 4 bytes
  b.u32(2 << 16 | 4);                        //     offset 2, 4 bits
  b.type(b.str("s"), STRUCT, 3, 8);          // [4] STRUCT "s", 3 members, 8 bytes
  b.u32(b.str("a")).u32(1).u32(0);           //     a: [1] at bit 0
  b.u32(b.str("b")).u32(2).u32(32);          //     b: [2] at bit 32
  b.u32(b.str("c")).u32(3).u32(35);          //     c: [3] at bit 35 (+2)
  TypeArena arena;
  auto btf = parse(b, arena);
  const auto& m = btf->type_by_id(4).type->members();
  EXPECT_EQ(m[0].bit_field_size, 0u);
  EXPECT_EQ(m[1].bit_offset, 32u);
  EXPECT_EQ(m[1].bit_field_size, 3u);
  EXPECT_EQ(m[2].bit_offset, 37u);
  EXPECT_EQ(m[2].bit_field_size, 4u);
  EXPECT_EQ(type_name(m[2].type.get()), "unsigned int");
}

TEST(BtfTypes, EnumsSignednessAndValues) {
  BtfBlob b;
  write_rich(b);                                   // [18] is a signed enum: kind_flag is known
  b.type(b.str("flag"), ENUM, 1, 4);               // [21] ENUM "flag", 1 value, unsigned
  b.u32(b.str("HIGH")).u32(0x80000000);            //     HIGH = 0x80000000
  b.type(b.str("big"), ENUM64, 2, 8, true);        // [22] ENUM64 "big", 2 values, signed
  b.u32(b.str("MINUS")).u32(0xfffffffe).u32(~0u);  //     MINUS = -2
  b.u32(b.str("HUGE")).u32(0).u32(0x40000000);     //     HUGE = 1 << 62
  b.type(b.str("color"), ENUM, 0, 4);              // [23] ENUM "color" without values: `enum color;`
  TypeArena arena;
  auto btf = parse(b, arena);
  QualifiedType color = btf->find_type(TypeKind::Enum, "color");
  EXPECT_EQ(color, btf->type_by_id(18));
  EXPECT_EQ(type_name(color.type->target()), "int");
  ASSERT_EQ(color.type->enumerators().size(), 2u);
  EXPECT_EQ(color.type->enumerators()[0].name, "RED");
  EXPECT_EQ(color.type->enumerators()[0].value, ~uint64_t{0});
  EXPECT_EQ(btf->type_by_id(23), color);  // the declaration completed by name
  QualifiedType flag = btf->type_by_id(21);
  EXPECT_EQ(type_name(flag.type->target()), "unsigned int");
  EXPECT_EQ(flag.type->enumerators()[0].value, 0x80000000u);
  QualifiedType big = btf->type_by_id(22);
  EXPECT_EQ(big.type->target().type, arena.int_type("long", 8, true));
  EXPECT_EQ(big.type->enumerators()[0].value, static_cast<uint64_t>(-2));
  EXPECT_EQ(big.type->enumerators()[1].value, uint64_t{1} << 62);
  auto e = btf->find_enumerator("BLUE");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type, color);
  EXPECT_EQ(e->value, 2u);
  EXPECT_EQ(btf->find_enumerator("HUGE")->value, uint64_t{1} << 62);
  EXPECT_FALSE(btf->find_enumerator("GREEN"));
}

TEST(BtfTypes, EnumsOfOldProducers) {
  // pahole < 1.24: no kind_flag on any enum, so signedness is unknown, and 8-byte enums
  // keep the low 32 bits of their values.
  BtfBlob b;
  b.type(b.str("e"), ENUM, 2, 4);                // [1] ENUM "e", 2 values, 4 bytes
  b.u32(b.str("A")).u32(0xffffffea);             //     A = -22
  b.u32(b.str("B")).u32(1);                      //     B = 1
  b.type(b.str("u"), ENUM, 1, 4);                // [2] ENUM "u", 1 value, 4 bytes
  b.u32(b.str("C")).u32(7);                      //     C = 7
  b.type(b.str("wide"), ENUM, 1, 8);             // [3] ENUM "wide", 1 value, 8 bytes
  b.u32(b.str("D")).u32(0xffffffe0);             //     D = (u64)-32, low half
  TypeArena arena;
  auto btf = parse(b, arena);
  QualifiedType e = btf->type_by_id(1);
  EXPECT_EQ(type_name(e.type->target()), "int");  // a negative value: signed
  EXPECT_EQ(e.type->enumerators()[0].value, static_cast<uint64_t>(-22));
  EXPECT_EQ(type_name(btf->type_by_id(2).type->target()), "unsigned int");
  QualifiedType wide = btf->type_by_id(3);
  EXPECT_EQ(type_name(wide.type->target()), "unsigned long");
  EXPECT_EQ(wide.type->enumerators()[0].value, static_cast<uint64_t>(-32));
  // An enum declaration with no definition anywhere stays incomplete.
  BtfBlob d;
  d.type(d.str("later"), ENUM, 0, 4);  // [1] ENUM "later" without values
  QualifiedType later = parse(d, arena)->type_by_id(1);
  EXPECT_FALSE(later.type->is_complete());
  EXPECT_EQ(type_name(later), "enum later");
}

TEST(BtfTypes, ArraysFlexibleAndZeroLength) {
  BtfBlob b;
  b.type(b.str("int"), INT, 0, 4);      // [1] INT "int"
  b.u32(SIGNED | 32);                   //     signed, 32 bits
  b.type(0, ARRAY, 0, 0);               // [2] ARRAY
  b.u32(1).u32(1).u32(3);               //     of [1], index [1], 3 elements
  b.type(0, ARRAY, 0, 0);               // [3] ARRAY
  b.u32(2).u32(1).u32(2);               //     of [2], index [1], 2 elements: int [2][3]
  b.type(0, ARRAY, 0, 0);               // [4] ARRAY
  b.u32(1).u32(1).u32(0);               //     of [1], 0 elements
  b.type(b.str("s"), STRUCT, 3, 24);    // [5] STRUCT "s", 3 members, 24 bytes
  b.u32(b.str("m")).u32(3).u32(0);      //     m: int [2][3] at bit 0
  b.u32(b.str("mark")).u32(4).u32(192); //     mark: [4] at bit 192, not last: int [0]
  b.u32(b.str("tail")).u32(4).u32(192); //     tail: [4] at bit 192, last: int []
  b.type(b.str("pad"), STRUCT, 1, 0);   // [6] STRUCT "pad", 1 member, 0 bytes
  b.u32(b.str("x")).u32(4).u32(0);      //     x: [4], the only member: int [0]
  b.type(b.str("v"), UNION, 2, 4);      // [7] UNION "v", 2 members
  b.u32(b.str("i")).u32(1).u32(0);      //     i: int
  b.u32(b.str("z")).u32(4).u32(0);      //     z: [4], in a union: int [0]
  TypeArena arena;
  auto btf = parse(b, arena);
  EXPECT_EQ(type_name(btf->type_by_id(3)), "int [2][3]");
  EXPECT_EQ(btf->type_by_id(3).type->size(), 24u);
  EXPECT_EQ(type_name(btf->type_by_id(4)), "int [0]");
  const auto& m = btf->type_by_id(5).type->members();
  EXPECT_EQ(type_name(m[0].type.get()), "int [2][3]");
  EXPECT_EQ(type_name(m[1].type.get()), "int [0]");
  EXPECT_EQ(type_name(m[2].type.get()), "int []");
  EXPECT_FALSE(m[2].type.get().type->length());
  EXPECT_EQ(type_name(btf->type_by_id(6).type->members()[0].type.get()), "int [0]");
  EXPECT_EQ(type_name(btf->type_by_id(7).type->members()[1].type.get()), "int [0]");
}

TEST(BtfTypes, ForwardDeclarationsAreCompletedByName) {
  BtfBlob b;
  b.type(b.str("task"), FWD, 0, 0);            // [1] FWD struct "task"
  b.type(0, PTR, 0, 1);                        // [2] PTR to [1]
  b.type(b.str("task"), STRUCT, 1, 8);         // [3] STRUCT "task", 1 member, 8 bytes
  b.u32(b.str("self")).u32(2).u32(0);          //     self: [2] at bit 0
  b.type(b.str("opaque"), FWD, 0, 0, true);    // [4] FWD union "opaque" (kind_flag), never defined
  TypeArena arena;
  auto btf = parse(b, arena);
  QualifiedType task = btf->find_type(TypeKind::Struct, "task");
  EXPECT_EQ(task, btf->type_by_id(3));
  EXPECT_EQ(btf->type_by_id(1), task);
  EXPECT_EQ(btf->type_by_id(2).type->target(), task);
  QualifiedType opaque = btf->find_type(TypeKind::Union, "opaque");
  ASSERT_TRUE(opaque.type);
  EXPECT_EQ(opaque.type->kind(), TypeKind::Union);
  EXPECT_FALSE(opaque.type->is_complete());
  EXPECT_EQ(btf->find_type(TypeKind::Struct, "opaque").type, nullptr);
  EXPECT_EQ(btf->find_type(TypeKind::Class, "task").type, nullptr);
}

TEST(BtfTypes, FunctionsAndVariables) {
  BtfBlob b;
  write_rich(b);
  b.type(b.str("lonely"), VAR, 0, 1);  // [21] VAR "lonely": int, in no DATASEC
  b.u32(0);                            //     linkage: static
  TypeArena arena;
  auto btf = parse(b, arena);
  QualifiedType fn = btf->find_function("fn");
  ASSERT_TRUE(fn.type);
  EXPECT_EQ(fn.type->kind(), TypeKind::Function);
  EXPECT_TRUE(fn.type->is_variadic());
  ASSERT_EQ(fn.type->parameters().size(), 1u);
  EXPECT_EQ(fn.type->parameters()[0].name, "n");
  EXPECT_EQ(type_name(fn), "int (node_t *n, ...)");
  EXPECT_EQ(btf->type_by_id(15), fn);
  EXPECT_EQ(btf->find_function("counter").type, nullptr);  // a VAR, not a FUNC
  auto v = btf->find_variable("counter");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->type.type, arena.int_type("int", 4, true));
  EXPECT_EQ(v->section, ".data..percpu");
  EXPECT_EQ(v->offset, 0x28u);
  auto l = btf->find_variable("lonely");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->section, "");
  EXPECT_FALSE(btf->find_variable("fn"));
}

TEST(BtfTypes, SplitBtfContinuesItsBase) {
  BtfBlob base;
  base.type(base.str("int"), INT, 0, 4);          // [1] INT "int"
  base.u32(SIGNED | 32);                          //     signed, 32 bits
  base.type(base.str("list_head"), STRUCT, 1, 8); // [2] STRUCT "list_head", 1 member, 8 bytes
  uint32_t next = base.str("next");
  base.u32(next).u32(3).u32(0);                   //     next: [3] at bit 0
  base.type(0, PTR, 0, 2);                        // [3] PTR to [2]
  base.type(base.str("one"), ENUM, 1, 4);         // [4] ENUM "one", 1 value
  base.u32(base.str("ONE_A")).u32(1);             //     ONE_A = 1
  BtfBlob split;
  split.str_base = static_cast<uint32_t>(base.strings.size());  // string offsets continue the base's
  split.strings.clear();                          // and the split's need not start with ""
  split.type(split.str("mod_s"), STRUCT, 2, 16);  // [5] STRUCT "mod_s", 2 members, 16 bytes
  split.u32(next).u32(2).u32(0);                  //     next (the base's string): list_head at bit 0
  split.u32(split.str("x")).u32(1).u32(64);       //     x: the base's int at bit 64
  split.type(split.str("list_head"), FWD, 0, 0);  // [6] FWD struct "list_head": the base's
  TypeArena arena;
  auto b = parse(base, arena);
  auto s = parse(split, arena, b.get());
  EXPECT_EQ(s->first_id(), 5u);
  EXPECT_EQ(s->type_count(), 7u);
  EXPECT_EQ(s->base(), b.get());
  QualifiedType mod = s->find_type(TypeKind::Struct, "mod_s");
  ASSERT_TRUE(mod.type);
  EXPECT_EQ(mod, s->type_by_id(5));
  EXPECT_EQ(mod.type->members()[0].name, "next");
  EXPECT_EQ(mod.type->members()[0].type.get(), b->type_by_id(2));
  EXPECT_EQ(s->type_by_id(1), b->type_by_id(1));
  EXPECT_EQ(s->find_type(TypeKind::Struct, "list_head"), b->type_by_id(2));
  EXPECT_EQ(s->type_by_id(6), b->type_by_id(2));
  EXPECT_EQ(s->find_enumerator("ONE_A")->value, 1u);
  EXPECT_EQ(s->name_of(2), "list_head");
  EXPECT_EQ(b->find_type(TypeKind::Struct, "mod_s").type, nullptr);  // the base does not see it
}

TEST(BtfTypes, BigEndianBlobsReadAlike) {
  BtfBlob le, be;
  be.little_endian = false;
  write_rich(le);
  write_rich(be);
  TypeArena arena;
  auto l = parse(le, arena);
  auto b = parse(be, arena);
  ASSERT_EQ(l->type_count(), b->type_count());
  for (uint32_t id = 1; id < l->type_count(); ++id) {
    if (l->kind_of(id) == BtfKind::Datasec || l->kind_of(id) == BtfKind::DeclTag) continue;
    EXPECT_EQ(type_definition(l->type_by_id(id)), type_definition(b->type_by_id(id))) << id;
  }
  EXPECT_EQ(b->find_variable("counter")->offset, 0x28u);
}

TEST(BtfTypes, MalformedHeadersAndSections) {
  BtfBlob ok;
  write_rich(ok);
  std::vector<uint8_t> good = ok.bytes();
  EXPECT_EQ(parse_error({1, 2, 3}), "test: BTF: blob of 3 bytes is shorter than its 24-byte header at offset 0x0");
  auto with = [&](size_t at, std::vector<uint8_t> bytes) {
    std::vector<uint8_t> b = good;
    std::copy(bytes.begin(), bytes.end(), b.begin() + static_cast<long>(at));
    return b;
  };
  EXPECT_EQ(parse_error(with(0, {0x34, 0x12})), "test: BTF: bad magic 0x1234 (expected 0xeb9f) at offset 0x0");
  EXPECT_EQ(parse_error(with(2, {2})), "test: BTF: unsupported version 2 at offset 0x2");
  EXPECT_EQ(parse_error(with(4, {8, 0, 0, 0})),
            fmt::format("test: BTF: header length 8 outside 24..{} at offset 0x4", good.size()));
  // type_len past the blob's end.
  EXPECT_EQ(parse_error(with(12, {0xff, 0xff, 0, 0})),
            fmt::format("test: BTF: type section [0x18, 0x10017) past the end of the {}-byte blob at offset 0x8",
                        good.size()));
  // The last string loses its NUL.
  std::vector<uint8_t> unterminated = good;
  unterminated.back() = 'x';
  EXPECT_EQ(parse_error(unterminated),
            fmt::format("test: BTF: string section does not end with a NUL at offset {:#x}", good.size() - 1));
  std::vector<uint8_t> no_empty = with(24 + ok.types.size(), {'x'});
  EXPECT_EQ(parse_error(no_empty),
            fmt::format("test: BTF: string section does not start with an empty string at offset {:#x}",
                        24 + ok.types.size()));
  BtfBlob lng;
  lng.str(std::string(1025, 'a'));
  EXPECT_EQ(parse_error(lng.bytes()), "test: BTF: string longer than 1024 bytes at offset 0x19");
}

TEST(BtfTypes, MalformedRecords) {
  {
    BtfBlob b;
    b.u32(0).u32(INT << 24);  // [1] only 8 of the 12 bytes of a struct btf_type
    EXPECT_EQ(parse_error(b.bytes()), "test: BTF: type [1] record past the end of the type section at offset 0x18");
  }
  {
    BtfBlob b;
    b.type(0, STRUCT, 3, 8);   // [1] STRUCT with 3 members...
    b.u32(0).u32(0).u32(0);    //     ...of which only one is there
    EXPECT_EQ(parse_error(b.bytes()),
              "test: BTF: type [1] (STRUCT, vlen 3) runs past the end of the type section at offset 0x18");
  }
  {
    BtfBlob b;
    b.type(0, 25, 0, 0);  // [1] kind 25: not a BTF kind
    EXPECT_EQ(parse_error(b.bytes()), "test: BTF: type [1] has unknown kind 25 at offset 0x18");
  }
  {
    BtfBlob b;
    b.type(0, UNION, 0, 0);  // [1] kind 0 (UNKN) is reserved
    b.type(0, 0, 0, 0);      // [2] kind 0
    EXPECT_EQ(parse_error(b.bytes()), "test: BTF: type [2] has unknown kind 0 at offset 0x24");
  }
  {
    BtfBlob b;
    b.type(0, PTR, 0, 7);  // [1] PTR to [7], which does not exist
    EXPECT_EQ(parse_error(b.bytes()), "test: BTF: type id 7 out of range (ids end at 2) at offset 0x18");
  }
  {
    BtfBlob b;
    b.type(0x100, STRUCT, 0, 0);  // [1] STRUCT named at string offset 0x100, past the strings
    EXPECT_EQ(parse_error(b.bytes()),
              "test: BTF: string offset 0x100 out of range (the strings end at 0x1) at offset 0x18");
  }
  {
    BtfBlob b;
    b.type(0, STRUCT, 1, 4);            // [1] STRUCT, 1 member
    b.u32(b.str("m")).u32(2).u32(0);    //     m: [2], a FUNC
    b.type(b.str("f"), FUNC, 0, 3);     // [2] FUNC "f" = [3]
    b.type(0, FUNC_PROTO, 0, 0);        // [3] FUNC_PROTO returning void
    EXPECT_EQ(parse_error(b.bytes()), "test: BTF: refers to [2], a FUNC, as a type at offset 0x28");
  }
  {
    BtfBlob b;
    b.type(b.str("int"), INT, 0, 4);  // [1] INT "int"
    b.u32(SIGNED | 32);               //     signed, 32 bits
    b.type(b.str("f"), FUNC, 0, 1);   // [2] FUNC "f" = [1], an INT
    EXPECT_EQ(parse_error(b.bytes()), "test: BTF: FUNC [2] refers to type id 1 (INT), not a FUNC_PROTO at offset 0x28");
  }
  {
    BtfBlob b;
    b.type(b.str("a"), TYPEDEF, 0, 2);  // [1] TYPEDEF "a" = [2]
    b.type(0, CONST, 0, 3);             // [2] CONST [3]
    b.type(b.str("b"), TYPEDEF, 0, 1);  // [3] TYPEDEF "b" = [1]: a cycle
    EXPECT_EQ(parse_error(b.bytes()),
              "test: BTF: type [1] (TYPEDEF) is part of a reference cycle through typedefs, qualifiers or arrays "
              "at offset 0x18");
  }
  {
    BtfBlob b;
    b.type(0, ARRAY, 0, 0);  // [1] ARRAY
    b.u32(1).u32(0).u32(2);  //     of itself
    EXPECT_EQ(parse_error(b.bytes()),
              "test: BTF: type [1] (ARRAY) is part of a reference cycle through typedefs, qualifiers or arrays "
              "at offset 0x18");
  }
  {
    // A chain without a cycle but deeper than translation follows: refused on use.
    BtfBlob b;
    b.type(b.str("int"), INT, 0, 4);                     // [1] INT "int"
    b.u32(SIGNED | 32);                                  //     signed, 32 bits
    for (uint32_t i = 2; i < 402; ++i) b.type(0, CONST, 0, i - 1);  // [i] CONST [i - 1]
    TypeArena arena;
    auto btf = parse(b, arena);
    try {
      btf->type_by_id(401);
      ADD_FAILURE() << "no error";
    } catch (const BadDataError& e) {
      EXPECT_EQ(std::string(e.what()).find("test: BTF: type ["), 0u) << e.what();
      EXPECT_NE(std::string(e.what()).find("chain of types too deep"), std::string::npos) << e.what();
    }
    EXPECT_EQ(btf->type_by_id(3).qualifiers, kQualConst);
  }
}

TEST(BtfTypes, FuzzEntryOnCutAndMutatedBlobs) {
  BtfBlob b;
  write_rich(b);
  std::vector<uint8_t> good = b.bytes();
  BtfFuzzOne(good.data(), good.size());
  uint32_t x = 7;
  size_t runs = 0;
  for (size_t cut = 0; cut <= good.size(); cut += 3, ++runs) BtfFuzzOne(good.data(), cut);
  for (int i = 0; i < 2000; ++i, ++runs) {
    std::vector<uint8_t> m = good;
    for (int k = 0; k < 1 + i % 4; ++k) {
      x = x * 1664525 + 1013904223;
      m[24 + (x >> 8) % (m.size() - 24)] = static_cast<uint8_t>(x >> 24);  // keep the header
    }
    BtfFuzzOne(m.data(), m.size());
  }
  EXPECT_GT(runs, 2000u);
}

}  // namespace
}  // namespace kdive
