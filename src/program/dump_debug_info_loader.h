// Reading a kernel dump's own debug info (issue 15) into a DumpDebugInfo: vmlinux's
// kallsyms through VMCOREINFO and its BTF between __start_BTF and __stop_BTF, then,
// once types exist, each loaded module's symbols (struct module's kallsyms) and split
// BTF (the kernel's btf_modules list).
//
//   auto dump = read_dump_debug_info(vmcoreinfo, memory, arena, warnings);   // throws
//   ... debug_info.set_dump_debug_info(std::move(dump)); program.setup_object_env() ...
//   add_dump_module_debug_info(program, loaded_modules, warnings);
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "debuginfo/dump_debug_info.h"
#include "kdive/memory_reader.h"
#include "program/loaded_kernel_modules.h"
#include "target/vmcoreinfo.h"

namespace kdive {

class Program;

// A BTF blob larger than this is refused as corrupt (vmlinux's is ~5 MiB in 2026).
inline constexpr uint64_t kMaxDumpBtfBytes = 256ull << 20;

// Throws MissingDebugInfoError when VMCOREINFO lists no kallsyms (Linux < 6.0) and
// BadDataError when they do not decode. A missing or corrupt BTF is a warning: symbols
// still work, types do not.
std::unique_ptr<DumpDebugInfo> read_dump_debug_info(const Vmcoreinfo& vmcoreinfo, const MemoryReader& memory,
                                                    TypeArena& arena, std::vector<std::string>& warnings);

// Adds each loaded module's symbols and BTF to the program's DumpDebugInfo. A module
// whose symbols cannot be read is reported in `warnings` and skipped.
void add_dump_module_debug_info(Program& program, const std::vector<LoadedKernelModule>& modules,
                                std::vector<std::string>& warnings);

}  // namespace kdive
