// OrcTable: one code module's ORC unwind table (the kernel's own unwind data, objtool's
// .orc_unwind_ip + .orc_unwind sections of vmlinux, or a module's copy in memory),
// decoded once and sorted by address for binary-search lookup.
// Hand-written: no library reads ORC; the layout is Linux's
// arch/x86/include/asm/orc_types.h (6.1: 2-byte sp_offset, 2-byte bp_offset, then
// sp_reg:4 bp_reg:4 type:2 end:1 in a little-endian 16-bit word).
//
//   OrcTable t(ip_bytes, ip_section_address, orc_bytes, "vmlinux");
//   if (const OrcEntry* e = t.find(pc - 1)) ... e->sp_reg == OrcReg::Sp ...
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace kdive {

enum class OrcReg : uint8_t {
  Undefined = 0,
  PrevSp = 1,
  Dx = 2,
  Di = 3,
  Bp = 4,
  Sp = 5,
  R10 = 6,
  R13 = 7,
  BpIndirect = 8,
  SpIndirect = 9,
};

// UNWIND_HINT_TYPE_CALL / REGS / REGS_PARTIAL (include/linux/objtool.h).
enum class OrcType : uint8_t { Call = 0, Regs = 1, RegsPartial = 2, Other = 3 };

struct OrcEntry {
  int16_t sp_offset = 0;
  int16_t bp_offset = 0;
  OrcReg sp_reg = OrcReg::Undefined;
  OrcReg bp_reg = OrcReg::Undefined;
  OrcType type = OrcType::Call;
  bool end = false;
};

class OrcTable {
 public:
  OrcTable() = default;
  // `ip_bytes` holds N signed 32-bit offsets, each relative to its own address
  // (`ip_address` + 4*i); `orc_bytes` holds N 6-byte entries. BadDataError naming
  // `source` when the sizes disagree.
  OrcTable(std::span<const uint8_t> ip_bytes, uint64_t ip_address, std::span<const uint8_t> orc_bytes,
           const std::string& source);

  // The entry covering `address` (the last entry at or below it), or nullptr.
  const OrcEntry* find(uint64_t address) const;
  size_t size() const { return ips_.size(); }
  bool empty() const { return ips_.empty(); }
  uint64_t first_address() const { return ips_.empty() ? 0 : ips_.front(); }
  uint64_t last_address() const { return ips_.empty() ? 0 : ips_.back(); }

 private:
  std::vector<uint64_t> ips_;  // sorted
  std::vector<OrcEntry> entries_;
};

}  // namespace kdive
