#include "debuginfo/symbol_table.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "debuginfo/elf_file.h"
#include "unit/debuginfo/compiled_program.h"

namespace kdive {
namespace {

// Two files each with a static `twin`: the table must give both for one name.
TEST(SymbolTable, LookupByNameGivesEverySymbolOfThatName) {
  std::string other = std::filesystem::temp_directory_path() / ("kdive-twin-" + std::to_string(getpid()) + ".c");
  std::ofstream(other) << "static int twin(void) { return 2; }\nint other(void) { return twin(); }\n";
  testing::CompiledProgram prog(
      "static int twin(void) { return 1; }\nint other(void);\nint counter = 3;\n"
      "int main(void) { return twin() + other() + counter; }\n",
      "-g -O0 " + other);
  std::filesystem::remove(other);
  ElfFile elf(prog.path());
  SymbolTable table(elf, [](uint64_t a) { return a; });

  std::vector<Symbol> twins = table.lookup("twin");
  ASSERT_EQ(twins.size(), 2u);
  EXPECT_LT(twins[0].address, twins[1].address);
  EXPECT_TRUE(twins[0].is_function && !twins[0].is_global);
  ASSERT_EQ(table.lookup("counter").size(), 1u);
  EXPECT_FALSE(table.lookup("counter")[0].is_function);
  EXPECT_TRUE(table.lookup("no_such_symbol").empty());
  EXPECT_TRUE(table.lookup("").empty() || table.lookup("")[0].name.empty());

  // Every symbol is found by its name, with all its namesakes, in address order.
  std::map<std::string_view, std::vector<uint64_t>> want;
  for (const Symbol& s : table.symbols()) want[s.name].push_back(s.address);
  for (auto& [name, addrs] : want) {
    std::sort(addrs.begin(), addrs.end());
    std::vector<uint64_t> got;
    for (const Symbol& s : table.lookup(name)) got.push_back(s.address);
    EXPECT_EQ(got, addrs) << name;
  }
  EXPECT_GT(want.size(), 5u);
  EXPECT_TRUE(SymbolTable().lookup("twin").empty());
}

}  // namespace
}  // namespace kdive
