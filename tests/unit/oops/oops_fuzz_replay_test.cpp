// Replays a seed corpus through the libFuzzer entry of tests/fuzz/oops_report_fuzz.cpp
// in the ordinary unit-test build: the syzkaller corpus logs, each also cut at several
// points and with bytes flipped, must all parse without a crash or a trap.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fuzz/oops_report_fuzz.cpp"

namespace kdive {
namespace {

namespace fs = std::filesystem;

fs::path corpus() {
  if (const char* shared = std::getenv("KDIVE_SHARED_DIR")) return fs::path(shared) / "corpora/syzkaller-reports";
  if (const char* src = std::getenv("KDIVE_SOURCE_DIR")) return fs::path(src) / "../shared/corpora/syzkaller-reports";
  return fs::path(__FILE__).parent_path() / "../../../../shared/corpora/syzkaller-reports";
}

void run(const std::string& s) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

TEST(OopsFuzzReplay, CorpusTruncationsAndFlips) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(corpus())) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 100u);
  uint32_t x = 1;
  size_t runs = 0;
  // Every 8th file: enough variety, bounded time.
  for (size_t i = 0; i < files.size(); i += 8) {
    std::ifstream in(files[i], std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    run(s);
    for (int k = 1; k <= 3; ++k) run(s.substr(0, s.size() * static_cast<size_t>(k) / 4));
    std::string flipped = s;
    for (int k = 0; k < 64 && !flipped.empty(); ++k) {
      x = x * 1664525 + 1013904223;
      flipped[x % flipped.size()] = static_cast<char>(x >> 24);
    }
    run(flipped);
    runs += 5;
  }
  EXPECT_GE(runs, 300u);
}

}  // namespace
}  // namespace kdive
