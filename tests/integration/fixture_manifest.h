// FixtureManifest: the real fixtures made by scripts/fixtures/build-all.sh, read from
// $KDIVE_FIXTURES/manifest.json (default ~/.cache/kdive/fixtures). Integration tests
// iterate it instead of keeping lists of dumps; a missing manifest is a test failure.
#pragma once

#include <cstdlib>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kdive::testing {

inline std::string fixtures_dir() {
  if (const char* env = std::getenv("KDIVE_FIXTURES"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.cache/kdive/fixtures";
}

// The whole manifest, or a null json when it is missing or unreadable.
inline const nlohmann::json& fixture_manifest() {
  static const nlohmann::json m = [] {
    std::ifstream in(fixtures_dir() + "/manifest.json");
    if (!in) return nlohmann::json();
    try {
      return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception&) {
      return nlohmann::json();
    }
  }();
  return m;
}

// Is the kernel of the matrix named `name` under test? $KDIVE_TEST_KERNELS, a comma
// list of kernel names ("6.1,5.10"), narrows a run (scripts/test.sh's sanitizer pass);
// unset or empty means every kernel of the manifest.
inline bool kernel_under_test(const std::string& name) {
  const char* env = std::getenv("KDIVE_TEST_KERNELS");
  if (!env || !*env) return true;
  std::string list = std::string(",") + env + ",";
  return list.find("," + name + ",") != std::string::npos;
}

// makedumpfile -d 31 files of a kernel whose struct page makedumpfile misreads (marked
// "misfiltered" by the fixture builder, matrix.txt) drop pages the kernel used; they are
// tested only with KDIVE_TEST_MISFILTERED=1.
inline bool misfiltered_under_test() {
  const char* env = std::getenv("KDIVE_TEST_MISFILTERED");
  return env && std::string(env) == "1";
}

// Entries of manifest["dumps"] whose "kind" is `kind` ("kernel" or "user"); kernel
// dumps only of the kernels under test.
inline std::vector<nlohmann::json> fixture_dumps(const std::string& kind) {
  std::vector<nlohmann::json> out;
  const nlohmann::json& m = fixture_manifest();
  if (m.is_object() && m.contains("dumps"))
    for (const auto& d : m["dumps"])
      if (d.value("kind", "") == kind && (kind != "kernel" || kernel_under_test(d.value("kernel_name", ""))) &&
          (!d.value("misfiltered", false) || misfiltered_under_test()))
        out.push_back(d);
  return out;
}

// One dump per kernel under test: the QEMU ELF dump with paging of the sysrq scenario
// (complete memory, nothing filtered), for tests whose subject is not the dump format.
inline std::vector<nlohmann::json> sysrq_dump_per_kernel() {
  std::vector<nlohmann::json> out;
  for (const nlohmann::json& d : fixture_dumps("kernel"))
    if (d.value("scenario", "") == "sysrq" && d.value("format", "") == "elf-paging") out.push_back(d);
  return out;
}

// The kernels of the matrix under test (manifest["kernels"]: name, release, vmlinux,
// modules, ...).
inline std::vector<nlohmann::json> fixture_kernels() {
  std::vector<nlohmann::json> out;
  const nlohmann::json& m = fixture_manifest();
  if (m.is_object() && m.contains("kernels"))
    for (const auto& k : m["kernels"])
      if (kernel_under_test(k.value("name", ""))) out.push_back(k);
  return out;
}

inline nlohmann::json load_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return nlohmann::json();
  return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

}  // namespace kdive::testing

// gtest prints a failing test's parameter: a fixture entry by its name, not its whole
// JSON (found by argument-dependent lookup in nlohmann's namespace).
namespace nlohmann {
inline void PrintTo(const json& j, std::ostream* os) {
  *os << (j.is_object() && j.contains("name") ? j["name"].get<std::string>() : j.dump());
}
}  // namespace nlohmann
