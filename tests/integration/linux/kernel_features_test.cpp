// KernelFeatures (`info`) on every kernel of the fixture matrix: every subsystem's layout
// is detected (nothing "unknown"), the paging depth is VMCOREINFO's, and the ORC format
// and slab allocator are described. One complete dump per kernel and scenario.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "kernel_fixture.h"
#include "linux/kernel_features.h"
#include "program/program.h"

namespace kdive {
namespace {

std::vector<nlohmann::json> elf_paging_dumps() {
  std::vector<nlohmann::json> out;
  for (const nlohmann::json& d : testing::fixture_dumps("kernel"))
    if (d["format"] == "elf-paging") out.push_back(d);
  return out;
}

class KernelFeaturesFixture : public ::testing::TestWithParam<nlohmann::json> {};

TEST_P(KernelFeaturesFixture, EverySubsystemDetected) {
  testing::OpenedKernelDump o = testing::open_kernel_dump(GetParam());
  std::map<std::string, std::string> f;
  for (const KernelFeature& k : detect_kernel_features(*o.program)) f[k.name] = k.value;
  for (const char* name : {"paging", "threads", "mm counters", "VMAs", "modules", "printk", "page cache", "slab",
                           "unwinding"}) {
    ASSERT_TRUE(f.count(name)) << name;
    EXPECT_EQ(f[name].find("unknown"), std::string::npos) << name << ": " << f[name];
  }
  // The fixture guests run without LA57: 4-level paging, as VMCOREINFO says.
  EXPECT_TRUE(f["paging"].starts_with("4-level")) << f["paging"];
  EXPECT_TRUE(f["unwinding"].starts_with("ORC: v")) << f["unwinding"];
  EXPECT_TRUE(f["slab"].starts_with("SLUB")) << f["slab"];
  EXPECT_EQ(f["printk"], "lockless ring buffer (prb)");
}

INSTANTIATE_TEST_SUITE_P(ElfPagingDumps, KernelFeaturesFixture, ::testing::ValuesIn(elf_paging_dumps()),
                         testing::fixture_test_name);

}  // namespace
}  // namespace kdive
