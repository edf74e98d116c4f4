// ByteCursor implementation: bounds checks before every access, byte swapping when the
// data's order differs from the host's, LEB128 with overlong-encoding protection.
#include "base/byte_cursor.h"

#include <bit>

#include "kdive/error.h"

namespace kdive {

ByteCursor::ByteCursor(std::span<const uint8_t> bytes, std::string source, std::string part,
                       bool little_endian, uint64_t base_offset)
    : bytes_(bytes),
      source_(std::move(source)),
      part_(std::move(part)),
      little_endian_(little_endian),
      base_offset_(base_offset) {}

void ByteCursor::fail(const std::string& what) const {
  throw BadDataError(source_, part_.empty() ? what : part_ + ": " + what, base_offset_ + pos_);
}

void ByteCursor::need(size_t n) const {
  if (n > bytes_.size() - pos_) fail("truncated (need " + std::to_string(n) + " bytes, have " +
                                     std::to_string(bytes_.size() - pos_) + ")");
}

void ByteCursor::seek(size_t pos) {
  if (pos > bytes_.size()) fail("seek past end to " + std::to_string(pos));
  pos_ = pos;
}

void ByteCursor::skip(size_t n) {
  need(n);
  pos_ += n;
}

namespace {
// std::byteswap is C++23; g++ 12 lacks it.
inline uint8_t swap_bytes(uint8_t v) { return v; }
inline uint16_t swap_bytes(uint16_t v) { return __builtin_bswap16(v); }
inline uint32_t swap_bytes(uint32_t v) { return __builtin_bswap32(v); }
inline uint64_t swap_bytes(uint64_t v) { return __builtin_bswap64(v); }
}  // namespace

template <typename T>
T ByteCursor::read_fixed() {
  need(sizeof(T));
  T v;
  std::memcpy(&v, bytes_.data() + pos_, sizeof v);
  pos_ += sizeof v;
  if (little_endian_ != (std::endian::native == std::endian::little)) v = swap_bytes(v);
  return v;
}

uint8_t ByteCursor::u8() { return read_fixed<uint8_t>(); }
uint16_t ByteCursor::u16() { return read_fixed<uint16_t>(); }
uint32_t ByteCursor::u32() { return read_fixed<uint32_t>(); }
uint64_t ByteCursor::u64() { return read_fixed<uint64_t>(); }

uint64_t ByteCursor::unsigned_of_size(size_t size) {
  switch (size) {
    case 1: return u8();
    case 2: return u16();
    case 4: return u32();
    case 8: return u64();
    default: fail("unsupported integer size " + std::to_string(size));
  }
}

uint64_t ByteCursor::uleb128() {
  uint64_t result = 0;
  unsigned shift = 0;
  for (;;) {
    uint8_t b = u8();
    if (shift < 64) result |= static_cast<uint64_t>(b & 0x7f) << shift;
    else if (b & 0x7f) fail("ULEB128 overflows 64 bits");
    shift += 7;
    if (!(b & 0x80)) return result;
  }
}

int64_t ByteCursor::sleb128() {
  uint64_t result = 0;
  unsigned shift = 0;
  uint8_t b;
  do {
    b = u8();
    if (shift < 64) result |= static_cast<uint64_t>(b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  if (shift < 64 && (b & 0x40)) result |= ~uint64_t{0} << shift;
  return static_cast<int64_t>(result);
}

std::string_view ByteCursor::cstring() {
  const uint8_t* start = bytes_.data() + pos_;
  const void* nul = std::memchr(start, 0, bytes_.size() - pos_);
  if (!nul) fail("unterminated string");
  size_t len = static_cast<const uint8_t*>(nul) - start;
  pos_ += len + 1;
  return {reinterpret_cast<const char*>(start), len};
}

std::span<const uint8_t> ByteCursor::bytes(size_t n) {
  need(n);
  auto s = bytes_.subspan(pos_, n);
  pos_ += n;
  return s;
}

ByteCursor ByteCursor::sub(size_t pos, size_t n, std::string part) const {
  if (pos > bytes_.size() || n > bytes_.size() - pos) {
    throw BadDataError(source_, part + ": extends past end of " + part_, base_offset_ + pos);
  }
  return ByteCursor(bytes_.subspan(pos, n), source_, std::move(part), little_endian_,
                    base_offset_ + pos);
}

}  // namespace kdive
