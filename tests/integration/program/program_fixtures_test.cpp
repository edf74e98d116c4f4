// Program on every real kernel dump of the fixtures: opens each format with vmlinux and
// the test modules, finds the KASLR offset and release recorded at fixture time, and
// evaluates every expression of truth.json's "expr" map to the value the test module
// printed — the same answers whatever the format.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "integration/fixture_manifest.h"
#include "unit/debuginfo/compiled_program.h"
#include "kdive/error.h"
#include "lang/evaluator.h"
#include "object/object_formatter.h"
#include "program/program.h"
#include "program/program_builtins.h"

namespace kdive {
namespace {

using nlohmann::json;

std::unique_ptr<Program> open_dump(const json& d) {
  ProgramOptions opts;
  opts.debug_paths.push_back(d["vmlinux"].get<std::string>());
  for (const auto& m : d.value("modules", json::array())) opts.debug_paths.push_back(m.get<std::string>());
  return Program::open(d["path"].get<std::string>(), opts);
}

TEST(ProgramFixtures, ManifestHasKernelDumps) {
  ASSERT_TRUE(testing::fixture_manifest().is_object())
      << "no " << testing::fixtures_dir() << "/manifest.json: run scripts/fixtures/build-all.sh";
  EXPECT_GE(testing::fixture_dumps("kernel").size(), 2u);
}

TEST(ProgramFixtures, EveryFormatOpensWithTruthValues) {
  auto dumps = testing::fixture_dumps("kernel");
  ASSERT_FALSE(dumps.empty());
  for (const json& d : dumps) {
    SCOPED_TRACE(d["name"].get<std::string>());
    json truth = testing::load_json_file(d["truth"].get<std::string>());
    ASSERT_TRUE(truth.is_object());
    std::unique_ptr<Program> prog;
    ASSERT_NO_THROW(prog = open_dump(d));
    EXPECT_EQ(prog->kernel_release(), truth["kernel"]["release"].get<std::string>());
    EXPECT_EQ(fmt::format("{:#x}", prog->kaslr_offset()),
              truth.value("kaslr_offset", std::string("0x0")));
    EXPECT_TRUE(prog->modules_without_debug_info().empty());
    BuiltinRegistry builtins;
    register_program_builtins(builtins, *prog);
    Evaluator ev(*prog, builtins);
    size_t checked = 0;
    for (const auto& [expr, expected] : truth["expr"].items()) {
      SCOPED_TRACE(expr);
      try {
        Object o = ev.evaluate(expr).object();
        if (expected.is_string() && expected.get<std::string>().rfind("0x", 0) == 0) {
          // Addresses and pointer values, in hex.
          uint64_t want = std::stoull(expected.get<std::string>(), nullptr, 16);
          EXPECT_EQ(o.read().as_unsigned(), want);
        } else if (expected.is_string()) {
          // Text held by a char array or pointed to by a char pointer.
          EXPECT_EQ(o.read_c_string(4096), expected.get<std::string>());
        } else if (expected.is_number_unsigned()) {
          EXPECT_EQ(o.read().as_unsigned(), expected.get<uint64_t>());
        } else if (expected.is_number_integer()) {
          EXPECT_EQ(o.read().as_signed(), expected.get<int64_t>());
        } else {
          continue;
        }
        ++checked;
      } catch (const Error& e) {
        ADD_FAILURE() << "error: " << e.what();
      }
    }
    EXPECT_GE(checked, 20u);
  }
}

TEST(ProgramFixtures, FilteredPageFaultsWithReason) {
  for (const json& d : testing::fixture_dumps("kernel")) {
    if (d.value("format", "") != "kdump-d31") continue;
    SCOPED_TRACE(d["name"].get<std::string>());
    auto prog = open_dump(d);
    json truth = testing::load_json_file(d["truth"].get<std::string>());
    // A freed slab object's page is in use (slab), so it is present; user pages and free
    // pages are what -d 31 drops. The page cache of the known file is such a page:
    // reading must fault naming the filter, never return zeros. Here we check that at
    // least globals still read on the filtered dump.
    BuiltinRegistry builtins;
    register_program_builtins(builtins, *prog);
    Evaluator ev(*prog, builtins);
    EXPECT_EQ(format_object(ev.evaluate("init_task.comm").object()), "(char [16])\"swapper/0\"");
  }
}

TEST(ProgramFixtures, BuildIdMismatchIsAClearError) {
  auto dumps = testing::fixture_dumps("kernel");
  ASSERT_FALSE(dumps.empty());
  // A non-PIE executable (ET_EXEC, like vmlinux) with its own build ID.
  testing::CompiledProgram other("int main(void) { return 0; }", "-g -no-pie -Wl,--build-id");
  ProgramOptions opts;
  std::string link = ::testing::TempDir() + "vmlinux-mismatch";
  std::remove(link.c_str());
  ASSERT_EQ(symlink(other.path().c_str(), link.c_str()), 0);
  opts.debug_paths.push_back(link);
  try {
    Program::open(dumps[0]["path"].get<std::string>(), opts);
    ADD_FAILURE() << "opened with a mismatched vmlinux";
  } catch (const MissingDebugInfoError& e) {
    EXPECT_NE(std::string(e.what()).find("does not match the dump: its build ID is"), std::string::npos) << e.what();
  }
  std::remove(link.c_str());
}

// Thread-local globals of user-space cores are the crashed thread's (fs_base, TLS
// variant II): the fixture programs record each thread's value of g_tls_value.
TEST(ProgramFixtures, UserThreadLocalIsTheCrashedThreads) {
  size_t checked = 0;
  for (const json& d : testing::fixture_dumps("user")) {
    json truth = testing::load_json_file(d["truth"].get<std::string>());
    int64_t tid = truth["crash"]["tid"].get<int64_t>();
    for (const json& th : truth["threads"]) {
      if (th["tid"].get<int64_t>() != tid || !th["tls"].contains("g_tls_value")) continue;
      SCOPED_TRACE(d["name"].get<std::string>());
      ProgramOptions opts;
      opts.debug_paths.push_back(d["executable"].get<std::string>());
      auto prog = Program::open(d["path"].get<std::string>(), opts);
      std::optional<Object> v = prog->find_object("g_tls_value");
      ASSERT_TRUE(v.has_value());
      EXPECT_EQ(v->as_signed(), th["tls"]["g_tls_value"].get<int64_t>());
      ++checked;
    }
  }
  EXPECT_GE(checked, 1u);
}

}  // namespace
}  // namespace kdive
