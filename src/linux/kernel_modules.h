// `mod`: the loaded kernel modules — the `modules` list of struct module — with name,
// the base and size of the core (text) allocation, and whether kdive has debug info
// for it. The layout varies by version and is told apart by presence:
// module.mem[MOD_TEXT] (6.4+), module.core_layout (4.5+), module.module_core/core_size.
//
//   WalkStatus st;
//   for (const KernelModuleInfo& m : kernel_modules(program, &st)) ...
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "linux/walk_status.h"

namespace kdive {

class Program;

struct KernelModuleInfo {
  std::string name;
  uint64_t address = 0;  // of the struct module
  uint64_t base = 0;     // core (text) allocation
  uint64_t size = 0;
  bool has_debug_info = false;
  std::string debug_file;  // path of the .ko kdive loaded, when any
};

// In list order (the most recently loaded first). `status` reports a corrupt list.
std::vector<KernelModuleInfo> kernel_modules(Program& program, WalkStatus* status = nullptr);

// crash-like table: "MODULE  NAME  BASE  SIZE  OBJECT FILE".
std::string format_kernel_modules(const std::vector<KernelModuleInfo>& modules);

}  // namespace kdive
