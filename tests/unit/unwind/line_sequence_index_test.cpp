// LineSequenceIndex::read_sequences on line programs written here byte by byte (DWARF 4
// and 5 headers): sequence bounds from set_address, special opcodes, advance_pc,
// const_add_pc and fixed_advance_pc; damaged programs keep what came before the damage.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "unwind/line_sequence_index.h"

namespace kdive {
namespace {

// A line program: header fields for x86-64 (min_inst 1, line_base -5, line_range 14,
// opcode_base 13) and `program` after an empty directory/file table.
std::vector<uint8_t> line_program(uint16_t version, const std::vector<uint8_t>& program) {
  std::vector<uint8_t> header;
  header.push_back(1);                      // minimum_instruction_length
  if (version >= 4) header.push_back(1);    // maximum_operations_per_instruction
  header.push_back(1);                      // default_is_stmt
  header.push_back(static_cast<uint8_t>(-5));  // line_base
  header.push_back(14);                     // line_range
  header.push_back(13);                     // opcode_base
  for (uint8_t n : {0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1}) header.push_back(n);
  if (version >= 5) {
    header.insert(header.end(), {1, 1, 0x08, 0});  // directory format: DW_LNCT_path/string; 0 entries
    header.insert(header.end(), {1, 1, 0x08, 0});  // file format; 0 entries
  } else {
    header.insert(header.end(), {0, 0});  // no include directories, no files
  }
  std::vector<uint8_t> body;
  body.push_back(version & 0xff);
  body.push_back(version >> 8);
  if (version >= 5) body.insert(body.end(), {8, 0});  // address_size, segment_selector_size
  uint32_t hl = static_cast<uint32_t>(header.size());
  for (int i = 0; i < 4; ++i) body.push_back((hl >> (8 * i)) & 0xff);
  body.insert(body.end(), header.begin(), header.end());
  body.insert(body.end(), program.begin(), program.end());
  std::vector<uint8_t> out;
  uint32_t len = static_cast<uint32_t>(body.size());
  for (int i = 0; i < 4; ++i) out.push_back((len >> (8 * i)) & 0xff);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::vector<uint8_t> set_address(uint64_t a) {
  std::vector<uint8_t> v = {0, 9, 2};  // DW_LNE_set_address, 8-byte operand
  for (int i = 0; i < 8; ++i) v.push_back((a >> (8 * i)) & 0xff);
  return v;
}

const std::vector<uint8_t> kEndSequence = {0, 1, 1};

std::vector<uint8_t> concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(LineSequenceIndex, SequencesOfTwoProgramsAndVersions) {
  // Program 1 (DWARF 5; a row at the start by DW_LNS_copy): [0x1000, 0x1000 + 0x20 + 0x11 + 3) then [0x5000, 0x5010).
  // Special opcode 0x4b: (0x4b - 13) / 14 = 4 bytes; advance_pc 0x20; const_add_pc
  // (255 - 13) / 14 = 17; fixed_advance_pc 3.
  auto p1 = line_program(5, concat({set_address(0x1000), {1}, {0x4b}, {2, 0x20}, {8}, {9, 3, 0}, {1}, kEndSequence,
                                    set_address(0x5000), {1}, {2, 0x10}, kEndSequence}));
  // Program 2 (DWARF 4): one sequence, rows only at its start: [0x9000, 0x9008).
  auto p2 = line_program(4, concat({set_address(0x9000), {1}, {2, 8}, kEndSequence}));
  auto bytes = concat({p1, p2});
  auto seqs = LineSequenceIndex::read_sequences(bytes, "test");
  ASSERT_EQ(seqs.size(), 3u);
  EXPECT_EQ(seqs[0].low, 0x1000u);
  EXPECT_EQ(seqs[0].high, 0x1000u + 4 + 0x20 + 17 + 3);
  EXPECT_EQ(seqs[0].program, 0u);
  EXPECT_EQ(seqs[1].low, 0x5000u);
  EXPECT_EQ(seqs[1].high, 0x5010u);
  EXPECT_EQ(seqs[2].low, 0x9000u);
  EXPECT_EQ(seqs[2].high, 0x9008u);
  EXPECT_EQ(seqs[2].program, p1.size());
}

TEST(LineSequenceIndex, DamageKeepsWhatCameBefore) {
  auto good = line_program(5, concat({set_address(0x2000), {1}, {2, 4}, kEndSequence}));
  // A second program whose length runs past the section, and one cut in its header.
  std::vector<uint8_t> bad = {0xff, 0xff, 0xff, 0x7f, 5, 0};
  auto seqs = LineSequenceIndex::read_sequences(concat({good, bad}), "test");
  ASSERT_EQ(seqs.size(), 1u);
  EXPECT_EQ(seqs[0].high, 0x2004u);
  std::vector<uint8_t> cut(good.begin(), good.begin() + 12);
  EXPECT_TRUE(LineSequenceIndex::read_sequences(cut, "test").empty());
  // Unknown version: nothing.
  auto v9 = good;
  v9[4] = 9;
  EXPECT_TRUE(LineSequenceIndex::read_sequences(v9, "test").empty());
}

}  // namespace
}  // namespace kdive
