// Shared by the memory-model, slab and identify_address fixture tests: every kernel
// dump of the fixture manifest as a test parameter, opened with its vmlinux and modules,
// with its truth.json; and PatchedMemory, a view of a dump's memory with some words
// replaced (the "copied dump" that corruption tests damage without touching the file).
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "integration/fixture_manifest.h"
#include "kdive/error.h"
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

// Programs opened once per test binary, by dump path (reference dumps for the rule below).
inline Program& cached_program(const nlohmann::json& d) {
  static std::map<std::string, std::unique_ptr<Program>> opened;
  std::unique_ptr<Program>& p = opened[d["path"].get<std::string>()];
  if (!p) p = open_kernel_dump(d).program;
  return *p;
}

// The complete dump of the same kernel and scenario as `dump`: its elf-paging dump
// (same boot, same memory); for the kdump scenario, which has only filtered captures,
// its kexec-elf-d31 dump. Null when there is none other than `dump` itself.
inline nlohmann::json reference_dump(const nlohmann::json& dump) {
  nlohmann::json elf, kexec_elf;
  for (const nlohmann::json& d : fixture_dumps("kernel")) {
    if (d.value("kernel_name", "") != dump.value("kernel_name", "") ||
        d.value("scenario", "") != dump.value("scenario", "") || d["path"] == dump["path"])
      continue;
    if (d.value("format", "") == "elf-paging") elf = d;
    if (d.value("format", "") == "kexec-elf-d31") kexec_elf = d;
  }
  return elf.is_null() ? kexec_elf : elf;
}

// The one rule for a walk or read that failed on a filtered dump. `problem` (a
// FaultError's what(), a WalkStatus message, ...) is acceptable only when the dump has
// dump_level > 0, the problem names the address ("filtered out by makedumpfile:
// 0x..."), and that address really is absent from this dump (read again, it faults
// with the filtered reason). Returns the reason to report: "makedumpfile dropped an
// in-use page" when the complete dump of the same kernel and scenario holds the
// address, "filtered page (free)" when it does not; empty (with a test failure saying
// why) otherwise. Decided from the dumps' data, never from a kernel version.
inline std::string makedumpfile_dropped(const nlohmann::json& dump, const std::string& problem) {
  static const std::string kTag = "filtered out by makedumpfile: 0x";
  const nlohmann::json level = dump.value("dump_level", nlohmann::json());
  if (!level.is_number() || level.get<int>() <= 0) {
    ADD_FAILURE() << dump.value("name", "") << " is not filtered, yet: " << problem;
    return {};
  }
  // "...filtered out by makedumpfile: 0x<addr>" (FaultError), or "could not read
  // 0x<addr>: page filtered out by makedumpfile" (walk messages).
  size_t at = problem.find(kTag), hex = std::string::npos;
  if (at != std::string::npos) hex = at + kTag.size();
  else if (size_t f = problem.find("filtered out by makedumpfile"); f != std::string::npos)
    if (size_t x = problem.rfind("0x", f); x != std::string::npos) hex = x + 2;
  if (hex == std::string::npos) {
    ADD_FAILURE() << "not a makedumpfile fault with an address: " << problem;
    return {};
  }
  const uint64_t address = std::stoull(problem.substr(hex), nullptr, 16);
  auto read_fault = [&](const Program& p) -> std::string {
    uint8_t b;
    try {
      p.memory().read(address, &b, 1, AddressSpace::Virtual);
      return {};
    } catch (const FaultError& e) {
      return e.reason();
    }
  };
  if (std::string r = read_fault(cached_program(dump)); r.find("filtered out by makedumpfile") == std::string::npos) {
    ADD_FAILURE() << "address " << std::hex << address << " of \"" << problem << "\" is not filtered in "
                  << dump.value("name", "") << (r.empty() ? ": it reads" : ": " + r);
    return {};
  }
  const nlohmann::json ref = reference_dump(dump);
  char page[32];
  std::snprintf(page, sizeof page, "%#llx", static_cast<unsigned long long>(address & ~uint64_t{0xfff}));
  if (!ref.is_null() && read_fault(cached_program(ref)).empty())
    return std::string("makedumpfile dropped an in-use page ") + page + " (present in " +
           ref.value("name", "") + "): " + problem;
  return std::string("filtered page ") + page + " not in a complete dump either (free)" +
         (ref.is_null() ? std::string(" [no complete dump of this scenario]") : " [" + ref.value("name", "") + "]") +
         ": " + problem;
}

inline bool filtered_by_makedumpfile(const nlohmann::json& dump, const std::string& problem) {
  return !makedumpfile_dropped(dump, problem).empty();
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
