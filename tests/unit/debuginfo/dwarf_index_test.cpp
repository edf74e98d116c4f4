#include "debuginfo/dwarf_index.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "base/interrupt.h"
#include "debuginfo/elf_file.h"
#include "unit/debuginfo/compiled_program.h"

namespace kdive {
namespace {

const char* kSource = R"(
struct point { int x, y; };
typedef struct point point_t;
union u { int i; float f; };
enum color { RED, GREEN = 5, BLUE };
enum { ANON_A = 7 } anon_var;
extern int declared_only;
int counter = 3;
static long hidden = 4;
point_t origin;
int add(int a, int b) { return a + b + (int)hidden + declared_only; }
static int helper(void) { struct local_only { int z; } l = {1}; return l.z; }
int use(void) { union u v; enum color c = BLUE; v.i = c; return helper() + v.i + origin.x; }
)";

TEST(DwarfIndex, IndexesTopLevelNamesOfACompiledObject) {
  for (const char* flags : {"-g -O0 -c -gdwarf-4", "-g -O0 -c -gdwarf-5"}) {
    SCOPED_TRACE(flags);
    testing::CompiledProgram prog(kSource, flags);
    ElfFile elf(prog.path());
    std::vector<std::string> warnings;
    DwarfIndex index = DwarfIndex::build(elf, 2, &warnings);
    EXPECT_TRUE(warnings.empty());
    auto tag_of = [&](const char* name) {
      auto e = index.find(name);
      return e.empty() ? -1 : int(e[0].tag);
    };
    EXPECT_EQ(tag_of("point"), int(IndexTag::Struct));
    EXPECT_EQ(tag_of("point_t"), int(IndexTag::Typedef));
    EXPECT_EQ(tag_of("u"), int(IndexTag::Union));
    EXPECT_EQ(tag_of("color"), int(IndexTag::Enum));
    EXPECT_EQ(tag_of("GREEN"), int(IndexTag::Enumerator));
    EXPECT_EQ(tag_of("ANON_A"), int(IndexTag::Enumerator));
    EXPECT_EQ(tag_of("counter"), int(IndexTag::Variable));
    EXPECT_EQ(tag_of("hidden"), int(IndexTag::Variable));
    EXPECT_EQ(tag_of("add"), int(IndexTag::Function));
    EXPECT_EQ(tag_of("helper"), int(IndexTag::Function));
    EXPECT_EQ(tag_of("int"), int(IndexTag::BaseType));
    EXPECT_TRUE(index.find("local_only").empty());  // not at CU level
    EXPECT_TRUE(index.find("z").empty());
    ASSERT_EQ(index.find("counter").size(), 1u);
    EXPECT_TRUE(index.find("counter")[0].has_address);
    EXPECT_FALSE(index.find("counter")[0].is_declaration);
    ASSERT_FALSE(index.find("declared_only").empty());
    EXPECT_TRUE(index.find("declared_only")[0].is_declaration);
    EXPECT_NE(index.find("GREEN")[0].parent_offset, 0u);
  }
}

TEST(DwarfIndex, FileWithoutDebugInfoGivesEmptyIndex) {
  testing::CompiledProgram prog("int f(void) { return 1; }", "-O0 -c");
  ElfFile elf(prog.path());
  DwarfIndex index = DwarfIndex::build(elf, 1);
  EXPECT_EQ(index.stats().units, 0u);
  EXPECT_TRUE(index.find("f").empty());
}

TEST(DwarfIndex, CxxNamespaceMembersAreIndexedByQualifiedName) {
  const char* source = R"(
namespace outer {
struct Link { int v; };
enum Mode { Idle, Busy };
Link g_link = {7};
namespace inner { int g_depth = 2; int twice(int x) { return 2 * x; } }
}
namespace { int g_hidden = 5; }
int main() { return outer::g_link.v + outer::inner::g_depth + outer::inner::twice(g_hidden) + outer::Busy; }
)";
  testing::CompiledProgram prog(source, "-g -O0 -c", ".cpp");
  ElfFile elf(prog.path());
  DwarfIndex index = DwarfIndex::build(elf, 1);
  auto tag_of = [&](const char* name) {
    auto e = index.find(name);
    return e.empty() ? -1 : int(e[0].tag);
  };
  EXPECT_EQ(tag_of("outer::Link"), int(IndexTag::Struct));
  EXPECT_EQ(tag_of("outer::Mode"), int(IndexTag::Enum));
  EXPECT_EQ(tag_of("outer::Busy"), int(IndexTag::Enumerator));
  EXPECT_EQ(tag_of("outer::inner::twice"), int(IndexTag::Function));
  EXPECT_EQ(tag_of("g_hidden"), int(IndexTag::Variable));  // anonymous namespace: no scope
  EXPECT_EQ(tag_of("main"), int(IndexTag::Function));
  // The definitions at unit level (DW_AT_specification) carry the qualified names.
  ASSERT_FALSE(index.find("outer::g_link").empty());
  EXPECT_TRUE(index.find("outer::g_link")[0].has_address);
  EXPECT_FALSE(index.find("outer::g_link")[0].is_declaration);
  ASSERT_FALSE(index.find("outer::inner::g_depth").empty());
  EXPECT_TRUE(index.find("outer::inner::g_depth")[0].has_address);
  EXPECT_TRUE(index.find("Link").empty());
  EXPECT_TRUE(index.find("g_link").empty());
}

TEST(DwarfIndex, CachedIndexAnswersAsTheBuiltOne) {
  testing::CompiledProgram prog(std::string(kSource) + "int declared_only = 1;\nint main(void) { return use() + add(1, 2); }\n",
                                "-g -O0 -Wl,--build-id");
  ElfFile elf(prog.path());
  ASSERT_FALSE(elf.build_id().empty());
  char tmpl[] = "/tmp/kdive-cache-XXXXXX";
  ASSERT_TRUE(mkdtemp(tmpl));
  std::string dir = tmpl;
  DwarfIndex built = DwarfIndex::build(elf, 1);
  DwarfIndex first = DwarfIndex::load_or_build(elf, dir, nullptr, 0);
  EXPECT_FALSE(first.from_cache());
  DwarfIndex second = DwarfIndex::load_or_build(elf, dir, nullptr, 0);
  EXPECT_TRUE(second.from_cache());
  EXPECT_EQ(second.stats().units, built.stats().units);
  size_t compared = 0;
  built.for_each([&](std::string_view name, const IndexEntry&) {
    auto want = built.find(name);
    auto got = second.find(name);
    ASSERT_EQ(got.size(), want.size()) << name;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(got[i].die_offset, want[i].die_offset) << name;
      EXPECT_EQ(got[i].tag, want[i].tag) << name;
    }
    ++compared;
  });
  EXPECT_GT(compared, 10u);
  // A damaged cache file is not trusted: it is rebuilt and rewritten.
  for (const auto& f : std::filesystem::directory_iterator(dir)) std::filesystem::resize_file(f.path(), 100);
  DwarfIndex third = DwarfIndex::load_or_build(elf, dir, nullptr, 0);
  EXPECT_FALSE(third.from_cache());
  EXPECT_EQ(third.find("counter").size(), 1u);
  EXPECT_TRUE(DwarfIndex::load_or_build(elf, dir, nullptr, 0).from_cache());
  // Below the size threshold nothing is cached.
  EXPECT_FALSE(DwarfIndex::load_or_build(elf, dir + "/sub", nullptr).from_cache());
  EXPECT_FALSE(std::filesystem::exists(dir + "/sub"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kdive

namespace kdive {
namespace {

TEST(DwarfIndex, CtrlCStopsTheScanAndNothingIsCached) {
  testing::CompiledProgram prog(std::string(kSource) + "int declared_only = 1;\nint main(void) { return use() + add(1, 2); }\n",
                                "-g -O0 -Wl,--build-id");
  ElfFile elf(prog.path());
  char tmpl[] = "/tmp/kdive-cache-XXXXXX";
  ASSERT_TRUE(mkdtemp(tmpl));
  std::string dir = tmpl;
  {
    InterruptScope scope;
    raise(SIGINT);
    EXPECT_THROW(DwarfIndex::load_or_build(elf, dir, nullptr, 0), InterruptedError);
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir));
  EXPECT_FALSE(DwarfIndex::load_or_build(elf, dir, nullptr, 0).from_cache());  // built now
  EXPECT_TRUE(DwarfIndex::load_or_build(elf, dir, nullptr, 0).from_cache());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kdive
