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

// A walk problem that the dump explains: makedumpfile (dump level 31) dropped a page
// the walk needed. makedumpfile's page classification predates 7.x's struct page (a
// compound tail's mapping word reads as an anonymous mapping), so it filters tail
// pages of slabs there; kdive must then say so, never answer wrongly.
inline bool filtered_by_makedumpfile(const nlohmann::json& dump, const std::string& problem) {
  return dump.value("dump_level", nlohmann::json()).is_number() &&
         problem.find("filtered out by makedumpfile") != std::string::npos;
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
