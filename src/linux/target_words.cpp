// Target word reads: a small stack buffer per read, decoded by ByteCursor.
#include "linux/target_words.h"

#include <array>
#include <vector>

#include "base/byte_cursor.h"
#include "kdive/error.h"

namespace kdive {

uint64_t read_unsigned(const MemoryReader& mem, uint64_t address, size_t size) {
  std::array<uint8_t, 8> buf{};
  if (size != 1 && size != 2 && size != 4 && size != 8)
    throw TypeError("read_unsigned: size must be 1, 2, 4 or 8");
  mem.read(address, buf.data(), size);
  ByteCursor c(std::span<const uint8_t>(buf.data(), size), "memory", "word", true, address);
  return c.unsigned_of_size(size);
}

uint64_t read_u64(const MemoryReader& mem, uint64_t address) { return read_unsigned(mem, address, 8); }
uint32_t read_u32(const MemoryReader& mem, uint64_t address) {
  return static_cast<uint32_t>(read_unsigned(mem, address, 4));
}
uint16_t read_u16(const MemoryReader& mem, uint64_t address) {
  return static_cast<uint16_t>(read_unsigned(mem, address, 2));
}
uint8_t read_u8(const MemoryReader& mem, uint64_t address) {
  return static_cast<uint8_t>(read_unsigned(mem, address, 1));
}

std::string read_char_array(const MemoryReader& mem, uint64_t address, size_t size) {
  std::vector<char> buf(size);
  if (size) mem.read(address, buf.data(), size);
  size_t n = 0;
  while (n < size && buf[n] != '\0') ++n;
  return std::string(buf.data(), n);
}

}  // namespace kdive
