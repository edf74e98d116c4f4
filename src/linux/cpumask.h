// Bitmaps and CPU masks: the set bits of a kernel bitmap (unsigned long words, bit i
// in word i / 64), and the kernel's online / possible / present CPU masks. The mask
// variables are found by name (`__cpu_online_mask` since 4.5, else `cpu_online_mask`)
// and read up to `nr_cpu_ids` bits (else the mask's own size).
//
//   for (uint64_t cpu : online_cpus(program)) ...        // for_each_online_cpu
//   std::vector<uint64_t> bits = bitmap_bits(mem, addr, 256);
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "kdive/memory_reader.h"

namespace kdive {

class Program;

// The indices of the set bits among the first `nbits` bits of the bitmap at `address`.
std::vector<uint64_t> bitmap_bits(const MemoryReader& mem, uint64_t address, uint64_t nbits);

// `which` is "online", "possible", "present" or "active". LookupError when the kernel
// has no such mask.
std::vector<uint64_t> cpu_mask(Program& program, std::string_view which);
inline std::vector<uint64_t> online_cpus(Program& program) { return cpu_mask(program, "online"); }
inline std::vector<uint64_t> possible_cpus(Program& program) { return cpu_mask(program, "possible"); }

}  // namespace kdive
