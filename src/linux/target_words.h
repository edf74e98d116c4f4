// Reads of single target words (pointers, counters, ids) for the kernel walkers: the
// bytes come from a MemoryReader and are decoded through ByteCursor (x86-64 targets
// are little-endian), so no walker casts dump bytes itself. FaultError on failure.
//
//   uint64_t next = read_u64(mem, node + layout.next);
#pragma once

#include <cstdint>
#include <string>

#include "kdive/memory_reader.h"

namespace kdive {

uint64_t read_u64(const MemoryReader& mem, uint64_t address);
uint32_t read_u32(const MemoryReader& mem, uint64_t address);
uint16_t read_u16(const MemoryReader& mem, uint64_t address);
uint8_t read_u8(const MemoryReader& mem, uint64_t address);
// An unsigned integer of 1, 2, 4 or 8 bytes.
uint64_t read_unsigned(const MemoryReader& mem, uint64_t address, size_t size);
// The NUL-terminated string in a char array of `size` bytes at `address` (stops at the
// first NUL or after `size` bytes).
std::string read_char_array(const MemoryReader& mem, uint64_t address, size_t size);

}  // namespace kdive
