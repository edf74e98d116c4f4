// ELF note parsing (System V gABI "Note Section"): namesz, descsz, type, then the name
// and the descriptor, each padded to 4 bytes.
#include "target/elf_notes.h"

#include <algorithm>

#include "base/byte_cursor.h"

namespace kdive {

std::vector<ElfNote> parse_elf_notes(std::span<const uint8_t> bytes, const std::string& file,
                                     uint64_t base_offset) {
  std::vector<ElfNote> notes;
  ByteCursor c(bytes, file, "ELF notes", true, base_offset);
  auto pad4 = [](uint64_t n) { return (n + 3) & ~uint64_t{3}; };
  while (c.remaining() >= 12) {
    size_t start = c.position();
    uint32_t namesz = c.u32();
    uint32_t descsz = c.u32();
    uint32_t type = c.u32();
    if (namesz == 0 && descsz == 0 && type == 0) break;  // zero padding
    if (pad4(namesz) > c.remaining()) c.fail("note name runs past the end");
    auto name_bytes = c.bytes(static_cast<size_t>(pad4(namesz)));
    std::string_view name(reinterpret_cast<const char*>(name_bytes.data()), namesz);
    while (!name.empty() && name.back() == '\0') name.remove_suffix(1);
    // The last note's descriptor may lack its padding.
    if (descsz > c.remaining()) c.fail("note descriptor runs past the end");
    auto desc = c.bytes(descsz);
    c.skip(std::min<size_t>(pad4(descsz) - descsz, c.remaining()));
    notes.push_back({name, type, desc, base_offset + start});
  }
  return notes;
}

}  // namespace kdive
