// MemorySource: bounds-checked copies out of an owned buffer.
#include "target/memory_source.h"

#include <cstring>

namespace kdive {

MemorySource::MemorySource(std::vector<uint8_t> bytes, std::string name)
    : bytes_(std::move(bytes)), name_(std::move(name)) {}

size_t MemorySource::read_at(uint64_t offset, void* buf, size_t n) const {
  if (offset >= bytes_.size()) return 0;
  if (n > bytes_.size() - offset) n = static_cast<size_t>(bytes_.size() - offset);
  if (n) std::memcpy(buf, bytes_.data() + offset, n);
  return n;
}

}  // namespace kdive
