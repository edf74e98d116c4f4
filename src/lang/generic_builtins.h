// The built-in functions that need no kernel knowledge beyond small hooks:
//   per_cpu(var, cpu)       the per-CPU variable `var` of CPU `cpu` (a reference)
//   per_cpu_ptr(ptr, cpu)   a per-CPU pointer translated for CPU `cpu` (same type)
//   read(addr, size)        `size` bytes at `addr` as an unsigned char [size] value
//   string(expr[, limit])   the C string a char pointer or array holds, as char [N]
// The program layer supplies the hooks (the kernel's __per_cpu_offset[cpu]).
//
//   GenericBuiltinHooks hooks;
//   hooks.per_cpu_offset = [&](uint64_t cpu) { return per_cpu_offset_of(cpu); };
//   register_generic_builtins(registry, std::move(hooks));
#pragma once

#include <cstdint>
#include <functional>

#include "lang/builtin_registry.h"

namespace kdive {

struct GenericBuiltinHooks {
  // The byte offset that turns a per-CPU address into CPU `cpu`'s copy. Throws
  // LookupError for a CPU that does not exist. Unset: per_cpu() and per_cpu_ptr() fail
  // with "per-CPU data is not available".
  std::function<uint64_t(uint64_t cpu)> per_cpu_offset;
};

// Bounds what one call may read, so a typo cannot exhaust memory.
inline constexpr uint64_t kMaxBuiltinReadSize = uint64_t(1) << 20;

void register_generic_builtins(BuiltinRegistry& registry, GenericBuiltinHooks hooks);

}  // namespace kdive
