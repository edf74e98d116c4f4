// kdive's own crash-report title sets (tests/data/crash-reports/, README.md there says
// which syzkaller rule gives each expected title): every log must get exactly the
// expected title, type, guilty frame and corrupted flag. "dev" is the set the rules
// were developed against; "heldout" was written first and only scored at the end;
// "synth" is generated (generate_synth.py) and labelled by syzkaller's own parser.
// Each test prints its score; KDIVE_CORPUS_VERBOSE=1 prints every report's result.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "oops/report_parser.h"
#include "unit/oops/crash_report_file.h"

namespace kdive {
namespace {

namespace fs = std::filesystem;

fs::path set_dir(const char* name) {
  fs::path base = std::getenv("KDIVE_SOURCE_DIR") ? fs::path(std::getenv("KDIVE_SOURCE_DIR")) / "tests"
                                                  : fs::path(__FILE__).parent_path() / "../..";
  return base / "data/crash-reports" / name;
}

void check_set(const char* name, size_t expected_count) {
  fs::path dir = set_dir(name);
  ASSERT_TRUE(fs::is_directory(dir)) << "set not found at " << dir;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename() != "README.md") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  bool verbose = std::getenv("KDIVE_CORPUS_VERBOSE") != nullptr;
  size_t exact = 0;
  for (const auto& path : files) {
    CrashReportFile want = load_crash_report_file(path);
    std::vector<OopsReport> reports = find_reports(want.log);
    CrashTitle got;
    if (!reports.empty()) got = reports[0].title;
    bool ok = got.title == want.title && got.type == want.type && got.frame == want.frame &&
              got.corrupted == want.corrupted;
    exact += ok;
    EXPECT_EQ(got.title, want.title) << path.filename();
    EXPECT_EQ(got.type, want.type) << path.filename();
    EXPECT_EQ(got.frame, want.frame) << path.filename();
    EXPECT_EQ(got.corrupted, want.corrupted) << path.filename() << " (" << got.corrupted_reason << ")";
    if (verbose) {
      fmt::print("{} {}: {} | {} | {} | corrupted={}\n", ok ? "ok  " : "MISS", path.filename().string(), got.title,
                 got.type, got.frame, got.corrupted);
    }
  }
  fmt::print("crash-report set {}: {}/{} exact (title, type, frame, corrupted)\n", name, exact, files.size());
  EXPECT_EQ(files.size(), expected_count);
}

TEST(CrashTitleSets, Dev) { check_set("dev", 50); }

TEST(CrashTitleSets, HeldOut) { check_set("heldout", 43); }

TEST(CrashTitleSets, Synthetic) { check_set("synth", 132); }

}  // namespace
}  // namespace kdive
