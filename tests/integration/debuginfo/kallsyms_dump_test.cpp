// KallsymsTable on the real dumps of the fixture matrix: the symbols decoded from the
// dump's kallsyms tables must be the vmlinux ELF symbols shifted by the KASLR offset
// kdive computes (ground truth independent of kallsyms), whichever address encoding the
// kernel uses (6.1: offsets from kallsyms_relative_base; 7.x: place-relative offsets).
// Kernels whose VMCOREINFO lists no kallsyms tables (< 6.0) must fail with the clear
// MissingDebugInfoError message.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "debuginfo/dump_debug_info.h"
#include "debuginfo/kallsyms_table.h"
#include "integration/fixture_manifest.h"
#include "kdive/error.h"
#include "program/program.h"

namespace kdive {
namespace {

using nlohmann::json;


TEST(KallsymsDump, MatchesTheVmlinuxSymbolTable) {
  size_t checked = 0;
  for (const json& d : testing::fixture_dumps("kernel")) {
    if (d.value("scenario", "") != "sysrq" || d.value("format", "") != "elf-paging") continue;
    SCOPED_TRACE(d["name"].get<std::string>());
    ProgramOptions opts;
    opts.debug_paths.push_back(d["vmlinux"].get<std::string>());
    auto prog = Program::open(d["path"].get<std::string>(), opts);
    ASSERT_TRUE(prog->vmcoreinfo());
    KallsymsLocations loc = kallsyms_locations(*prog->vmcoreinfo());
    auto read = [&](uint64_t a, std::span<uint8_t> out) {
      prog->memory().read(a, out.data(), out.size());
    };
    if (!loc.names) {
      try {
        KallsymsTable::read(loc, read);
        ADD_FAILURE() << "no error without kallsyms in VMCOREINFO";
      } catch (const MissingDebugInfoError& e) {
        EXPECT_NE(std::string(e.what()).find("no kallsyms in VMCOREINFO"), std::string::npos);
        fmt::print("{}: {}\n", d["name"].get<std::string>(), e.what());
      }
      checked++;
      continue;
    }
    KallsymsTable t = KallsymsTable::read(loc, read);
    const SymbolTable& elf = prog->debug_info().modules().at(0)->symbols();
    size_t same = 0, named = 0;
    for (const KallsymsSymbol& s : t.symbols()) {
      auto v = elf.lookup(s.name);
      if (v.empty()) continue;
      named++;
      for (const Symbol& e : v)
        if (e.address == s.address) {
          same++;
          break;
        }
    }
    fmt::print("{}: {} kallsyms symbols ({}), {} named in vmlinux, {} at the same address\n",
               d["name"].get<std::string>(), t.size(), to_string(t.encoding()), named, same);
    // Roots the no-debug-info mode needs must be exact.
    for (const char* n : {"_stext", "init_task", "schedule", "slab_caches", "prb", "jiffies"}) {
      SCOPED_TRACE(n);
      auto k = t.lookup(n);
      auto e = elf.lookup(n);
      ASSERT_FALSE(k.empty());
      ASSERT_FALSE(e.empty());
      EXPECT_EQ(k[0]->address, e[0].address);
    }
    EXPECT_GT(t.size(), 10000u);
    EXPECT_GE(same * 100, named * 99);  // aliases of per-CPU and linker symbols may differ
    checked++;
  }
  EXPECT_GT(checked, 0u);
}

}  // namespace
}  // namespace kdive
