// The kernel modules loaded in a dump: walks the kernel's `modules` list and reads
// each `struct module` (name, core base and size, the run-time address of every
// section from sect_attrs, which of them were freed after init) — what relocating a
// module's .ko debug info needs.
// Layouts come from DWARF; 6.1's core_layout and 6.4+'s mem[] are told apart by
// member presence.
//
//   for (const LoadedKernelModule& m : loaded_kernel_modules(env, finder, warnings)) ...
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "debuginfo/elf_file.h"
#include "lang/eval_environment.h"

namespace kdive {

struct LoadedKernelModule {
  std::string name;
  uint64_t address = 0;  // of its struct module
  uint64_t base = 0;     // start of its core (text) allocation
  uint64_t size = 0;
  // Every core allocation {base, size}: the one core_layout up to 6.3, each live
  // mem[] region (text, data, rodata, ro_after_init) since 6.4.
  std::vector<std::pair<uint64_t, uint64_t>> core_regions;
  SectionAddresses sections;
  // Sections the kernel freed once init returned: every ".init*" section (the kernel's
  // module_init_layout_section()) when the init layout's base is NULL, which
  // do_init_module() sets on the way to MODULE_STATE_LIVE. sect_attrs still lists
  // their old addresses, which later modules may reuse.
  std::vector<std::string> freed_sections;
};

// At most this many modules are read: a corrupt list cannot make it loop.
inline constexpr size_t kMaxKernelModules = 65536;

// Throws LookupError when the kernel has no `modules` list (CONFIG_MODULES=n gives an
// empty result instead, if the symbol is absent the caller decides). Problems with one
// module (unreadable name, cycle) are reported in `warnings` and the walk stops there.
std::vector<LoadedKernelModule> loaded_kernel_modules(EvalEnvironment& env,
                                                      std::vector<std::string>& warnings);

}  // namespace kdive
