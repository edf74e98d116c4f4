// LineSequenceIndex: a minimal run of each line program's state machine (DWARF 5
// §6.2.5) that tracks only addresses: sequences end at DW_LNE_end_sequence; rows come
// from special opcodes, DW_LNS_copy and the end itself; operands of opcodes that do not
// move the address are skipped by the header's standard_opcode_lengths.
#include "unwind/line_sequence_index.h"

#include <dwarf.h>

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/byte_cursor.h"
#include "debuginfo/elf_file.h"
#include "kdive/error.h"

namespace kdive {

namespace {

// One line program at the cursor's position; appends its sequences. Returns the offset
// of the next program.
size_t read_program(ByteCursor& c, std::vector<LineSequenceIndex::Sequence>* out) {
  size_t start = c.position();
  uint64_t length = c.u32();
  bool dwarf64 = length == 0xffffffffu;
  if (dwarf64) length = c.u64();
  if (length > c.remaining()) c.fail("line program longer than .debug_line");
  size_t end = c.position() + length;
  uint16_t version = c.u16();
  if (version < 2 || version > 5) c.fail("unknown line program version " + std::to_string(version));
  if (version >= 5) c.skip(2);  // address_size, segment_selector_size
  uint64_t header_length = dwarf64 ? c.u64() : c.u32();
  if (header_length > end - c.position()) c.fail("line program header past its end");
  size_t program = c.position() + header_length;
  uint8_t min_inst = c.u8();
  if (version >= 4) c.skip(1);  // maximum_operations_per_instruction (1 on x86-64)
  c.skip(1);                    // default_is_stmt
  c.skip(1);                    // line_base
  uint8_t line_range = c.u8();
  uint8_t opcode_base = c.u8();
  if (line_range == 0 || opcode_base == 0) c.fail("line program header with line_range or opcode_base 0");
  std::vector<uint8_t> operands(opcode_base);
  for (size_t i = 1; i < opcode_base; ++i) operands[i] = c.u8();
  c.seek(program);

  uint64_t address = 0, low = UINT64_MAX, high = 0;
  auto row = [&] {
    low = std::min(low, address);
    high = std::max(high, address);
  };
  while (c.position() < end) {
    uint8_t op = c.u8();
    if (op >= opcode_base) {
      address += uint64_t((op - opcode_base) / line_range) * min_inst;
      row();
    } else if (op == 0) {
      uint64_t len = c.uleb128();
      if (len == 0 || len > end - c.position()) c.fail("extended line opcode past the program's end");
      uint8_t sub = c.u8();
      if (sub == DW_LNE_end_sequence) {
        row();
        if (low < high) out->push_back({low, high, start});
        address = 0;
        low = UINT64_MAX;
        high = 0;
      } else if (sub == DW_LNE_set_address && (len == 5 || len == 9)) {
        address = c.unsigned_of_size(len - 1);
      } else {
        c.skip(len - 1);
      }
    } else if (op == DW_LNS_copy) {
      row();
    } else if (op == DW_LNS_advance_pc) {
      address += c.uleb128() * min_inst;
    } else if (op == DW_LNS_const_add_pc) {
      address += uint64_t((255 - opcode_base) / line_range) * min_inst;
    } else if (op == DW_LNS_fixed_advance_pc) {
      address += c.u16();
    } else if (op == DW_LNS_advance_line) {
      c.sleb128();
    } else {
      for (uint8_t n = 0; n < operands[op]; ++n) c.uleb128();
    }
  }
  return end;
}

}  // namespace

std::vector<LineSequenceIndex::Sequence> LineSequenceIndex::read_sequences(std::span<const uint8_t> debug_line,
                                                                           const std::string& source) {
  std::vector<Sequence> out;
  ByteCursor c(debug_line, source, ".debug_line", true);
  try {
    while (c.remaining() >= 4) c.seek(read_program(c, &out));
  } catch (const Error&) {
    // What was read before the damage stays usable.
  }
  return out;
}

const std::vector<LineSequenceIndex::Indexed>& LineSequenceIndex::sequences(const ElfFile& file) {
  auto [it, fresh] = by_file_.try_emplace(&file);
  if (!fresh) return it->second;
  std::vector<Indexed>& out = it->second;
  Dwarf* dwarf = file.dwarf();
  auto data = file.section_data(".debug_line");
  if (!dwarf || !data) return out;
  // Line program offset → the unit that names it in DW_AT_stmt_list.
  std::unordered_map<uint64_t, Dwarf_Off> unit_of_program;
  Dwarf_Off offset = 0, next = 0;
  size_t header_size = 0;
  while (dwarf_nextcu(dwarf, offset, &next, &header_size, nullptr, nullptr, nullptr) == 0) {
    Dwarf_Die cu;
    Dwarf_Attribute attr;
    Dwarf_Word stmt = 0;
    if (dwarf_offdie(dwarf, offset + header_size, &cu) && dwarf_attr(&cu, DW_AT_stmt_list, &attr) &&
        dwarf_formudata(&attr, &stmt) == 0)
      unit_of_program.try_emplace(stmt, dwarf_dieoffset(&cu));
    offset = next;
  }
  for (const Sequence& s : read_sequences(*data, file.path())) {
    auto u = unit_of_program.find(s.program);
    if (u != unit_of_program.end()) out.push_back({s.low, s.high, u->second});
  }
  std::sort(out.begin(), out.end(), [](const Indexed& a, const Indexed& b) {
    return a.low != b.low ? a.low < b.low : a.unit < b.unit;
  });
  return out;
}

bool LineSequenceIndex::unit_for(const ElfFile& file, uint64_t pc, Dwarf_Die* cu) {
  const auto& seqs = sequences(file);
  auto it = std::upper_bound(seqs.begin(), seqs.end(), pc, [](uint64_t a, const Indexed& s) { return a < s.low; });
  // Sequences of a linked file do not overlap; in a relocatable one, discarded COMDAT
  // copies all start at their section's address. A bounded look back finds the cover.
  std::optional<Dwarf_Off> best;
  for (int n = 0; it != seqs.begin() && n < 256; ++n) {
    --it;
    if (pc < it->high && (!best || it->unit < *best)) best = it->unit;
  }
  return best && dwarf_offdie(file.dwarf(), *best, cu) != nullptr;
}

}  // namespace kdive
