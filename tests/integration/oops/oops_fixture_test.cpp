// `kdive oops` on the fixture kernel's captured console log (the test module's NULL
// dereference): the report is found, every frame is symbolized in the module or
// vmlinux, the functions match the module's ground truth (truth.json "crash"), and the
// fault explanation names the NULL pointer expression and the member at the faulting
// offset (both from the truth, not from addresses).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "oops/report_decoder.h"
#include "oops/report_parser.h"
#include "program/program.h"
#include "../fixture_manifest.h"

namespace kdive {
namespace {

struct OopsFixture {
  std::string console, vmlinux, module;
  nlohmann::json crash;
};

// The oops scenario of one kernel of the fixture matrix.
std::optional<OopsFixture> oops_fixture(const nlohmann::json& k) {
  OopsFixture f;
  f.vmlinux = k.value("vmlinux", "");
  for (const auto& mod : k["modules"])
    if (mod.get<std::string>().ends_with("/kdive_fixture.ko")) f.module = mod;
  std::string dir = k.value("dir", "") + "/oops";
  f.console = dir + "/console.log";
  nlohmann::json truth = testing::load_json_file(dir + "/truth.json");
  if (!truth.is_object() || !truth.contains("crash")) return std::nullopt;
  f.crash = truth["crash"];
  return f;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string w; std::getline(ss, w, ',');) out.push_back(w);
  return out;
}

class OopsFixtureKernel : public ::testing::TestWithParam<nlohmann::json> {};

TEST(OopsFixture, ManifestHasKernels) { ASSERT_FALSE(testing::fixture_kernels().empty()); }

TEST_P(OopsFixtureKernel, SymbolizesAndExplainsTheModuleCrash) {
  auto f = oops_fixture(GetParam());
  ASSERT_TRUE(f) << "no oops fixture for kernel " << GetParam().value("name", "?");
  ProgramOptions opts;
  opts.debug_paths = {f->vmlinux, f->module};
  auto program = Program::open_debug_info(opts);
  auto reports = find_reports(read_all(f->console));
  ASSERT_EQ(reports.size(), 1u);
  FrameSymbolizer sym(program->debug_info());
  DecodedReport d = decode_report(reports[0], &sym, {});

  // The truth lists the module's functions, innermost first: RIP, then the trace.
  std::vector<std::string> functions = split_commas(f->crash["functions"].get<std::string>());
  ASSERT_EQ(functions.size(), 4u);
  ASSERT_TRUE(d.rip && d.rip->resolved) << (d.rip ? d.rip->error : "no RIP");
  EXPECT_EQ(d.rip->module_name, "kdive_fixture");
  ASSERT_FALSE(d.rip->frames.empty());
  EXPECT_EQ(d.rip->frames.back().function, functions[0]);
  EXPECT_TRUE(d.rip->frames.back().position.known);
  EXPECT_TRUE(d.rip->frames.back().position.file.ends_with("kdive_fixture.c"));
  // The callers are the first reliable frames: 5.10 prints the exception path
  // (__die_body, no_context, exc_page_fault, ..., the faulting function) first as
  // "? " frames.
  std::vector<size_t> reliable;
  for (size_t i = 0; i < reports[0].frames.size() && i < d.frames.size(); ++i)
    if (reports[0].frames[i].reliable) reliable.push_back(i);
  for (size_t i = 1; i < functions.size(); ++i) {
    ASSERT_LT(i - 1, reliable.size());
    const SymbolizedFrame& fr = d.frames[reliable[i - 1]];
    ASSERT_TRUE(fr.resolved) << fr.error;
    EXPECT_EQ(fr.frames.back().function, functions[i]);
    EXPECT_GT(fr.frames.back().position.line, 0);
  }
  // Every frame, the vmlinux ones too, resolves.
  for (const SymbolizedFrame& fr : d.frames) EXPECT_TRUE(fr.resolved) << fr.error;

  ASSERT_TRUE(d.explanation);
  uint64_t offset = std::stoull(f->crash["member_offset"].get<std::string>(), nullptr, 16);
  EXPECT_EQ(d.explanation->kind, "null-pointer-dereference");
  EXPECT_EQ(*d.explanation->offset, offset);
  EXPECT_EQ(*d.explanation->fault_address, std::stoull(f->crash["fault_address"].get<std::string>(), nullptr, 16));
  // kdive_crash_deref(struct kdive_outer *a) reads a->b->c: a->b is the NULL pointer.
  EXPECT_EQ(d.explanation->base_expression, "a->b");
  EXPECT_EQ(d.explanation->member, "c");
  EXPECT_EQ(d.explanation->sentence,
            fmt::format("NULL pointer dereference: `a->b` is NULL; the read of `struct kdive_inner.c` at offset "
                        "{:#x} ({}) faulted",
                        offset, offset));

  // The JSON form carries the same.
  nlohmann::json j = decoded_report_json(d);
  EXPECT_EQ(j["explanation"]["sentence"], d.explanation->sentence);
  EXPECT_EQ(j["frames"][reliable[0]]["symbolized"]["frames"].back()["function"], functions[1]);
  EXPECT_EQ(j["frames"][reliable[0]]["reliable"], true);
  // The text names the trapping instruction of RIP's function.
  std::string text = format_decoded_report(d);
  EXPECT_NE(text.find("<-- trapping instruction"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(AllKernels, OopsFixtureKernel, ::testing::ValuesIn(testing::fixture_kernels()),
                         [](const ::testing::TestParamInfo<nlohmann::json>& i) {
                           std::string n = "kernel_" + i.param.value("name", "unknown");
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
}  // namespace kdive
