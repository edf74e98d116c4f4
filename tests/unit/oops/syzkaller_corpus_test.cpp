// Runs the report parser over syzkaller's Linux report corpus (../shared/corpora/
// syzkaller-reports/, 564 console logs with syzkaller's own title, type, guilty frame
// and corrupted flag) and prints the match table per type. Every title must match
// (the corpus is at 100%); KDIVE_CORPUS_VERBOSE=1 prints every mismatch.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include <fmt/format.h>

#include "oops/report_parser.h"
#include "unit/oops/crash_report_file.h"

namespace kdive {
namespace {

namespace fs = std::filesystem;

fs::path corpus_dir() {
  if (const char* shared = std::getenv("KDIVE_SHARED_DIR")) return fs::path(shared) / "corpora/syzkaller-reports";
  if (const char* src = std::getenv("KDIVE_SOURCE_DIR")) return fs::path(src) / "../shared/corpora/syzkaller-reports";
  return fs::path(__FILE__).parent_path() / "../../../../shared/corpora/syzkaller-reports";
}

struct Row {
  size_t count = 0, title = 0, all = 0;
};

TEST(SyzkallerCorpus, TitlesMatchPerType) {
  fs::path dir = corpus_dir();
  ASSERT_TRUE(fs::is_directory(dir)) << "corpus not found at " << dir;
  bool verbose = std::getenv("KDIVE_CORPUS_VERBOSE") != nullptr;
  std::map<std::string, Row> rows;
  Row total;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename() != "README.md") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    CrashReportFile e = load_crash_report_file(path);
    std::vector<OopsReport> reports = find_reports(e.log);
    std::string title, type, frame;
    bool corrupted = false;
    if (!reports.empty()) {
      title = reports[0].title.title;
      type = reports[0].title.type;
      frame = reports[0].title.frame;
      corrupted = reports[0].title.corrupted;
    }
    bool title_ok = title == e.title;
    bool all_ok = title_ok && type == e.type && corrupted == e.corrupted && (e.frame.empty() || frame == e.frame);
    std::string key = e.title.empty() ? "(no report)" : e.type.empty() ? "(untyped)" : e.type;
    Row& row = rows[key];
    ++row.count;
    ++total.count;
    row.title += title_ok;
    total.title += title_ok;
    row.all += all_ok;
    total.all += all_ok;
    if (verbose && !all_ok) {
      fmt::print("MISMATCH {}\n  want: {} | {} | corrupted={} | {}\n  got:  {} | {} | corrupted={} | {}{}\n",
                 path.filename().string(), e.title, e.type, e.corrupted, e.frame, title, type, corrupted, frame,
                 reports.empty() ? "" : " (" + reports[0].title.corrupted_reason + ")");
    }
  }
  auto pct = [](size_t a, size_t b) { return b ? 100.0 * static_cast<double>(a) / static_cast<double>(b) : 100.0; };
  fmt::print("{:<40} {:>5} {:>7} {:>7} {:>8} {:>7}\n", "type", "count", "titles", "%", "all", "%");
  for (const auto& [key, row] : rows) {
    fmt::print("{:<40} {:>5} {:>7} {:>6.1f}% {:>8} {:>6.1f}%\n", key, row.count, row.title, pct(row.title, row.count),
               row.all, pct(row.all, row.count));
  }
  fmt::print("{:<40} {:>5} {:>7} {:>6.1f}% {:>8} {:>6.1f}%\n", "TOTAL", total.count, total.title,
             pct(total.title, total.count), total.all, pct(total.all, total.count));
  EXPECT_EQ(total.count, 564u);
  EXPECT_EQ(total.title, total.count);
  for (const auto& [key, row] : rows) {
    EXPECT_EQ(row.title, row.count) << "type " << key;
  }
}

}  // namespace
}  // namespace kdive
