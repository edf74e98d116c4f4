// ByteSource's shared helper: a view that is zero-copy when the source is mapped.
#include "target/byte_source.h"

namespace kdive {

const uint8_t* ByteSource::contiguous(uint64_t offset, size_t n) const {
  const uint8_t* d = data();
  uint64_t total = size();
  if (!d || offset > total || n > total - offset) return nullptr;
  return d + offset;
}

std::span<const uint8_t> ByteSource::view(uint64_t offset, size_t n,
                                          std::vector<uint8_t>& scratch) const {
  uint64_t total = size();
  if (offset >= total) return {};
  if (n > total - offset) n = static_cast<size_t>(total - offset);
  if (const uint8_t* d = contiguous(offset, n)) return {d, n};
  scratch.resize(n);
  size_t got = read_at(offset, scratch.data(), n);
  return {scratch.data(), got};
}

}  // namespace kdive
