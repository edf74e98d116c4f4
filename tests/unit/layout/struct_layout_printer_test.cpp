// Unit tests of StructLayoutPrinter: exact pahole -C text (dwarves 1.24) for structs of
// the fixture kernel module and of a C program compiled here covering anonymous
// members, bit fields with a forced boundary, packed and aligned types, function
// pointers, flexible arrays, typedefs of anonymous structs, --hex and --expand.
#include <gtest/gtest.h>

#include <string>

#include "debuginfo/debug_info.h"
#include "integration/fixture_manifest.h"
#include "kdive/error.h"
#include "kdive/type.h"
#include "layout/struct_layout_printer.h"
#include "unit/debuginfo/compiled_program.h"

namespace kdive {
namespace {

std::string fixture_module() {
  const nlohmann::json& m = testing::fixture_manifest();
  if (!m.is_object() || !m.contains("kernel")) return "";
  for (const auto& p : m["kernel"]["modules"]) {
    std::string s = p.get<std::string>();
    if (s.find("kdive_fixture.ko") != std::string::npos) return s;
  }
  return "";
}

class FixtureModuleLayout : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = fixture_module();
    ASSERT_FALSE(path_.empty()) << "no kdive_fixture.ko in the fixture manifest";
    debug_info_.add_file(path_, DebugModule::Kind::KernelModule, 0);
  }
  std::string layout(const std::string& spec, LayoutOptions options = {}) {
    return layout_of(debug_info_, spec, options);
  }
  std::string path_;
  TypeArena arena_;
  DebugInfo debug_info_{arena_};
};

TEST_F(FixtureModuleLayout, BitFieldsWithHoleAndBitPadding) {
  EXPECT_EQ(layout("kdive_bits"), R"(struct kdive_bits {
	unsigned int               a:3;                  /*     0: 0  4 */
	unsigned int               b:5;                  /*     0: 3  4 */
	int                        c:4;                  /*     0: 8  4 */
	unsigned int               d:20;                 /*     0:12  4 */
	u8                         e;                    /*     4     1 */

	/* XXX 3 bytes hole, try to pack */

	long long unsigned int     f:40;                 /*     8: 0  8 */
	long long int              g:12;                 /*     8:40  8 */

	/* size: 16, cachelines: 1, members: 7 */
	/* sum members: 1, holes: 1, sum holes: 3 */
	/* sum bitfield members: 84 bits (10 bytes) */
	/* bit_padding: 12 bits */
	/* last cacheline: 16 bytes */
};
)");
}

TEST_F(FixtureModuleLayout, NestedStructEnumAndArray) {
  EXPECT_EQ(layout("struct kdive_config"), R"(struct kdive_config {
	int                        id;                   /*     0     4 */

	/* XXX 4 bytes hole, try to pack */

	struct kdive_point         origin;               /*     8    16 */
	struct kdive_point *       pts;                  /*    24     8 */
	long unsigned int          flags;                /*    32     8 */
	char                       label[12];            /*    40    12 */
	enum kdive_color           color;                /*    52     4 */

	/* size: 56, cachelines: 1, members: 6 */
	/* sum members: 52, holes: 1, sum holes: 4 */
	/* last cacheline: 56 bytes */
};
)");
}

TEST_F(FixtureModuleLayout, UnionUsesNarrowerNameColumn) {
  EXPECT_EQ(layout("union kdive_union"), R"(union kdive_union {
	u32                        word;               /*     0     4 */
	u16                        halves[2];          /*     0     4 */
	u8                         bytes[4];           /*     0     4 */
};
)");
}

TEST_F(FixtureModuleLayout, HexOffsetsCachelineAndForcedAlignment) {
  LayoutOptions hex;
  hex.hex = true;
  EXPECT_EQ(layout("kdive_obj", hex), R"(struct kdive_obj {
	u32                        magic;                /*     0   0x4 */
	u32                        id;                   /*   0x4   0x4 */
	u64                        payload;              /*   0x8   0x8 */
	struct list_head           node;                 /*  0x10  0x10 */
	struct rb_node             rb __attribute__((__aligned__(8))); /*  0x20  0x18 */
	long unsigned int          xa_index;             /*  0x38   0x8 */
	/* --- cacheline 1 boundary (64 bytes) --- */
	char                       tag[24];              /*  0x40  0x18 */

	/* size: 88, cachelines: 2, members: 7 */
	/* forced alignments: 1 */
	/* last cacheline: 24 bytes */
} __attribute__((__aligned__(8)));
)");
}

TEST_F(FixtureModuleLayout, UnknownNamesAndWrongKindsAreLookupErrors) {
  EXPECT_THROW(layout("kdive_no_such_struct"), LookupError);
  EXPECT_THROW(layout("union kdive_bits"), LookupError);
  EXPECT_THROW(layout("   "), UsageError);
}

constexpr const char* kProgram = R"(typedef unsigned char u8;
typedef struct { int counter; } atomic_like;
struct __attribute__((packed)) wire { u8 kind; unsigned int len; unsigned short crc; };
struct node { struct node *next; void (*callback)(struct node *, int, ...); const char *const *names; };
struct shapes {
	char tag;
	union {
		struct { int x, y; };
		long id;
	};
	unsigned int flag_a:1;
	unsigned int flag_b:2;
	unsigned int :0;
	unsigned int level:4;
	enum { ANON_X, ANON_Y } anon_kind;
	struct wire w;
	atomic_like refs;
	struct node list __attribute__((aligned(64)));
	char name[100];
	u8 tail[];
};
struct shapes g_shapes;
atomic_like g_atomic;
)";

class CompiledLayout : public ::testing::Test {
 protected:
  void SetUp() override { debug_info_.add_file(program_.path(), DebugModule::Kind::User, 0); }
  std::string layout(const std::string& spec, LayoutOptions options = {}) {
    return layout_of(debug_info_, spec, options);
  }
  testing::CompiledProgram program_{kProgram, "-g -O0 -c"};
  TypeArena arena_;
  DebugInfo debug_info_{arena_};
};

TEST_F(CompiledLayout, AnonymousMembersForcedBoundaryAlignedAndFlexibleArray) {
  EXPECT_EQ(layout("shapes"), R"(struct shapes {
	char                       tag;                  /*     0     1 */

	/* XXX 7 bytes hole, try to pack */

	union {
		struct {
			int        x;                    /*     8     4 */
			int        y;                    /*    12     4 */
		};                                       /*     8     8 */
		long int           id;                   /*     8     8 */
	};                                               /*     8     8 */
	unsigned int               flag_a:1;             /*    16: 0  4 */
	unsigned int               flag_b:2;             /*    16: 1  4 */

	/* XXX 29 bits hole, try to pack */

	/* Force alignment to the next boundary: */
	unsigned int               :0;

	unsigned int               level:4;              /*    20: 0  4 */

	/* XXX 28 bits hole, try to pack */

	enum {
		ANON_X = 0,
		ANON_Y = 1,
	} anon_kind;                                     /*    24     4 */
	struct wire                w;                    /*    28     7 */

	/* XXX 1 byte hole, try to pack */

	atomic_like                refs;                 /*    36     4 */

	/* XXX 24 bytes hole, try to pack */

	/* --- cacheline 1 boundary (64 bytes) --- */
	struct node                list __attribute__((__aligned__(64))); /*    64    24 */
	char                       name[100];            /*    88   100 */
	/* --- cacheline 2 boundary (128 bytes) was 60 bytes ago --- */
	u8                         tail[];               /*   188     0 */

	/* size: 192, cachelines: 3, members: 11 */
	/* sum members: 148, holes: 3, sum holes: 32 */
	/* sum bitfield members: 7 bits, bit holes: 2, sum bit holes: 57 bits */
	/* padding: 4 */
	/* forced alignments: 1, forced holes: 1, sum forced holes: 24 */
} __attribute__((__aligned__(64)));
)");
}

TEST_F(CompiledLayout, FunctionPointersAndConstPointers) {
  EXPECT_EQ(layout("node"), R"(struct node {
	struct node *              next;                 /*     0     8 */
	void                       (*callback)(struct node *, int, ...); /*     8     8 */
	const char  * const *      names;                /*    16     8 */

	/* size: 24, cachelines: 1, members: 3 */
	/* last cacheline: 24 bytes */
};
)");
}

TEST_F(CompiledLayout, TypedefOfAnonymousStruct) {
  EXPECT_EQ(layout("atomic_like"), R"(typedef struct {
	int                        counter;              /*     0     4 */

	/* size: 4, cachelines: 1, members: 1 */
	/* last cacheline: 4 bytes */
} atomic_like;
)");
}

TEST_F(CompiledLayout, ExpandShowsTypedefChainsAndPacked) {
  LayoutOptions expand;
  expand.expand = true;
  EXPECT_EQ(layout("struct wire", expand), R"(struct wire {
	/* typedef u8 */ unsigned char              kind;                                /*     0     1 */
	unsigned int               len;                                                  /*     1     4 */
	short unsigned int         crc;                                                  /*     5     2 */

	/* size: 7, cachelines: 1, members: 3 */
	/* last cacheline: 7 bytes */
} __attribute__((__packed__));
)");
}

// Nesting deeper than any real type graph (600 anonymous structs, one inside the next)
// is refused with a bad-data error naming the file and DIE instead of exhausting the stack.
TEST(DeepLayout, NestingBeyondTheLimitIsBadData) {
  std::string source = "struct deep { ";
  for (int i = 0; i < 600; ++i) source += "struct { ";
  source += "int x; ";
  for (int i = 0; i < 600; ++i) source += "}; ";
  source += "}; struct deep g_deep;\n";
  testing::CompiledProgram program(source, "-g -O0 -c");
  TypeArena arena;
  DebugInfo debug_info(arena);
  debug_info.add_file(program.path(), DebugModule::Kind::User, 0);
  try {
    layout_of(debug_info, "struct deep", {});
    FAIL() << "expected BadDataError";
  } catch (const BadDataError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find(program.path() + ": .debug_info: type nesting too deep at offset 0x"), std::string::npos)
        << what;
  }
}

}  // namespace
}  // namespace kdive
