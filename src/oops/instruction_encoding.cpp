// x86-64 instruction encodings through capstone's detail (instruction_encoding.h):
// capstone reports where the ModRM, displacement and immediate start; the prefixes and
// REX come before the opcode, and a SIB follows a ModRM with mod != 3 and rm == 4
// (Intel SDM vol. 2, 2.1.5) in 32/64-bit addressing.
#include "oops/instruction_encoding.h"

#include <capstone/capstone.h>
#include <fmt/format.h>

namespace kdive {

namespace {

class Capstone {
 public:
  Capstone() {
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &h_) != CS_ERR_OK) h_ = 0;
    else cs_option(h_, CS_OPT_DETAIL, CS_OPT_ON);
  }
  ~Capstone() {
    if (h_) cs_close(&h_);
  }
  Capstone(const Capstone&) = delete;
  Capstone& operator=(const Capstone&) = delete;
  csh handle() const { return h_; }

 private:
  csh h_ = 0;
};

bool is_legacy_prefix(uint8_t b) {
  switch (b) {
    case 0xf0: case 0xf2: case 0xf3: case 0x2e: case 0x36: case 0x3e: case 0x26: case 0x64: case 0x65:
    case 0x66: case 0x67:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string InstructionEncoding::opcode_hex() const {
  std::string s;
  for (uint8_t b : opcode) s += fmt::format("{}{:02x}", s.empty() ? "" : " ", b);
  return s;
}

std::string InstructionEncoding::modrm_text() const {
  if (!modrm) return "-";
  return fmt::format("{:02x} (mod={} reg={} rm={})", *modrm, mod(), reg(), rm());
}

std::string InstructionEncoding::sib_text() const {
  if (!sib) return "-";
  return fmt::format("{:02x} (scale={} index={} base={})", *sib, scale(), index(), base());
}

std::optional<InstructionEncoding> decode_encoding(std::span<const uint8_t> bytes) {
  // One handle per thread: decoding is cheap, opening capstone is not.
  thread_local Capstone cs;
  if (!cs.handle() || bytes.empty()) return std::nullopt;
  cs_insn* insn = nullptr;
  size_t n = cs_disasm(cs.handle(), bytes.data(), std::min<size_t>(bytes.size(), 15), 0, 1, &insn);
  if (n == 0) return std::nullopt;
  InstructionEncoding e;
  const cs_x86& x = insn->detail->x86;
  e.length = insn->size;
  size_t pos = 0;
  while (pos < e.length && is_legacy_prefix(bytes[pos])) e.prefixes.push_back(bytes[pos++]);
  if (pos < e.length && (bytes[pos] & 0xf0) == 0x40) e.rex = bytes[pos++];
  size_t end = e.length;
  if (x.encoding.modrm_offset) end = x.encoding.modrm_offset;
  else if (x.encoding.disp_offset) end = x.encoding.disp_offset;
  else if (x.encoding.imm_offset) end = x.encoding.imm_offset;
  for (size_t i = pos; i < end && i < e.length; ++i) e.opcode.push_back(bytes[i]);
  if (x.encoding.modrm_offset && x.encoding.modrm_offset < e.length) {
    e.modrm = bytes[x.encoding.modrm_offset];
    bool addr16 = x.addr_size == 2;
    if (!addr16 && e.mod() != 3 && e.rm() == 4 && x.encoding.modrm_offset + 1u < e.length)
      e.sib = bytes[x.encoding.modrm_offset + 1];
  }
  e.displacement_size = x.encoding.disp_size;
  e.immediate_size = x.encoding.imm_size;
  cs_free(insn, n);
  return e;
}

}  // namespace kdive
