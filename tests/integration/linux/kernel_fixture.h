// Shared by the memory-model, slab and identify_address fixture tests: every kernel
// dump of the fixture manifest as a test parameter, opened with its vmlinux and modules,
// with its truth.json; and PatchedMemory, a view of a dump's memory with some words
// replaced (the "copied dump" that corruption tests damage without touching the file).
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "integration/fixture_manifest.h"
#include "kdive/memory_reader.h"
#include "program/program.h"

namespace kdive::testing {

struct OpenedKernelDump {
  nlohmann::json entry, truth;
  std::unique_ptr<Program> program;
};

inline OpenedKernelDump open_kernel_dump(const nlohmann::json& d) {
  OpenedKernelDump o;
  o.entry = d;
  o.truth = load_json_file(d["truth"]);
  ProgramOptions opts;
  opts.debug_paths.push_back(d["vmlinux"]);
  for (const nlohmann::json& m : d["modules"]) opts.debug_paths.push_back(m);
  o.program = Program::open(d["path"], opts);
  return o;
}

inline uint64_t hex_value(const nlohmann::json& v) { return std::stoull(v.get<std::string>(), nullptr, 16); }

inline std::string fixture_test_name(const ::testing::TestParamInfo<nlohmann::json>& info) {
  std::string n = info.param["name"];
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

class PatchedMemory : public MemoryReader {
 public:
  explicit PatchedMemory(const MemoryReader& base) : base_(base) {}
  void patch(uint64_t address, uint64_t value) { words_[address] = value; }
  void read(uint64_t address, void* buf, size_t size, AddressSpace space) const override {
    base_.read(address, buf, size, space);
    for (const auto& [a, v] : words_)
      for (size_t i = 0; i < 8; ++i)
        if (a + i >= address && a + i < address + size)
          static_cast<uint8_t*>(buf)[a + i - address] = static_cast<uint8_t>(v >> (8 * i));
  }

 private:
  const MemoryReader& base_;
  std::map<uint64_t, uint64_t> words_;
};

}  // namespace kdive::testing
