// ByteSource: random access to the bytes of a dump file, whatever its container (a
// memory-mapped regular file, a pread-only /proc file, makedumpfile's flattened stream).
// Readers of dump formats ask for ranges by logical offset and never care which it is.
//
//   uint8_t hdr[64];
//   if (src.read_at(0, hdr, sizeof hdr) != sizeof hdr) { /* file shorter than 64 bytes */ }
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace kdive {

class ByteSource {
 public:
  virtual ~ByteSource() = default;

  // The file's path, used in error messages.
  virtual const std::string& name() const = 0;
  // Logical size in bytes (for flattened files: one past the highest byte written).
  virtual uint64_t size() const = 0;
  // The whole content when it is mapped in memory (zero-copy fast path), else nullptr.
  virtual const uint8_t* data() const { return nullptr; }
  // Pointer to [offset, offset+n) when those bytes lie contiguously in memory (a
  // mapping), else nullptr; callers then copy with read_at.
  virtual const uint8_t* contiguous(uint64_t offset, size_t n) const;
  // Copies up to `n` bytes at `offset`; returns how many were available (short = EOF).
  // Throws OsError when the underlying read fails.
  virtual size_t read_at(uint64_t offset, void* buf, size_t n) const = 0;

  // [offset, offset+n) as a span: into the mapping when there is one, else copied into
  // `scratch`. Shorter than `n` when the source ends first.
  std::span<const uint8_t> view(uint64_t offset, size_t n, std::vector<uint8_t>& scratch) const;
};

}  // namespace kdive
