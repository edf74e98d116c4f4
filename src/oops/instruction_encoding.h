// InstructionEncoding: how one x86-64 instruction is encoded — its length, prefixes,
// REX, opcode bytes, and the ModRM and SIB bytes split into their fields — for tables
// that classify instructions by encoding (the per-function first-instruction table of
// `entries`). Decoded by capstone; the text comes from InstructionDecoder.
//
//   std::optional<InstructionEncoding> e = decode_encoding(bytes);
//   if (e && e->modrm) fmt::print("mod={} reg={} rm={}", e->mod(), e->reg(), e->rm());
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace kdive {

struct InstructionEncoding {
  unsigned length = 0;
  std::vector<uint8_t> prefixes;  // legacy prefixes (F0/F2/F3, segment, 66, 67), in order
  uint8_t rex = 0;                // 0 when none
  std::vector<uint8_t> opcode;    // escape bytes included: {0x0f, 0x1f}
  std::optional<uint8_t> modrm;
  std::optional<uint8_t> sib;
  unsigned displacement_size = 0, immediate_size = 0;

  unsigned mod() const { return modrm ? *modrm >> 6 : 0; }
  unsigned reg() const { return modrm ? (*modrm >> 3) & 7 : 0; }
  unsigned rm() const { return modrm ? *modrm & 7 : 0; }
  unsigned scale() const { return sib ? 1u << (*sib >> 6) : 0; }
  unsigned index() const { return sib ? (*sib >> 3) & 7 : 0; }
  unsigned base() const { return sib ? *sib & 7 : 0; }
  // "0f 1f", "e8"
  std::string opcode_hex() const;
  // "44 (mod=1 reg=0 rm=4)", "-" when there is no ModRM.
  std::string modrm_text() const;
  // "00 (scale=1 index=0 base=0)", "-" when there is no SIB.
  std::string sib_text() const;
};

// The encoding of the instruction at the start of `bytes`; nullopt when they do not
// decode.
std::optional<InstructionEncoding> decode_encoding(std::span<const uint8_t> bytes);

}  // namespace kdive
