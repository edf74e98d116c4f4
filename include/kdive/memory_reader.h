// MemoryReader: the interface through which every layer above target/ reads target
// memory. Implemented by target/ (segments of a core file, page-table translation)
// and handed to debuginfo/, object/ and unwind/, so none of them needs a Program.
//
//   std::array<uint8_t, 8> buf;
//   reader.read(0xffffffff82a12940, buf.data(), buf.size());   // throws FaultError
#pragma once

#include <cstddef>
#include <cstdint>

namespace kdive {

enum class AddressSpace : uint8_t { Virtual, Physical };

class MemoryReader {
 public:
  virtual ~MemoryReader() = default;
  // Reads exactly `size` bytes at `address` or throws FaultError naming the first
  // address that could not be read and why.
  virtual void read(uint64_t address, void* buf, size_t size,
                    AddressSpace space = AddressSpace::Virtual) const = 0;
};

}  // namespace kdive
