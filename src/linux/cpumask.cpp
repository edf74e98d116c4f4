// Bitmap and CPU mask reading (cpumask.h).
#include "linux/cpumask.h"

#include <fmt/format.h>

#include "base/byte_cursor.h"
#include "kdive/error.h"
#include "program/program.h"
#include "types/type_layout.h"

namespace kdive {

std::vector<uint64_t> bitmap_bits(const MemoryReader& mem, uint64_t address, uint64_t nbits) {
  if (nbits > (uint64_t(1) << 24)) throw UsageError(fmt::format("bitmap of {} bits is too large", nbits));
  std::vector<uint8_t> bytes((nbits + 63) / 64 * 8);
  if (!bytes.empty()) mem.read(address, bytes.data(), bytes.size());
  ByteCursor c(bytes, "memory", "bitmap", true, address);
  std::vector<uint64_t> out;
  for (uint64_t w = 0; w < bytes.size() / 8; ++w) {
    uint64_t word = c.u64();
    for (uint64_t b = 0; b < 64 && w * 64 + b < nbits; ++b)
      if (word & (uint64_t(1) << b)) out.push_back(w * 64 + b);
  }
  return out;
}

std::vector<uint64_t> cpu_mask(Program& program, std::string_view which) {
  std::optional<Object> mask = program.find_object(fmt::format("__cpu_{}_mask", which));
  if (!mask) mask = program.find_object(fmt::format("cpu_{}_mask", which));
  if (!mask || !mask->is_reference())
    throw LookupError(fmt::format("could not find the CPU {} mask", which));
  uint64_t nbits = type_sizeof(mask->type()) * 8;
  if (std::optional<Object> nr = program.find_object("nr_cpu_ids")) {
    uint64_t n = nr->as_unsigned();
    if (n > 0 && n < nbits) nbits = n;
  }
  return bitmap_bits(program.memory(), mask->address(), nbits);
}

}  // namespace kdive
