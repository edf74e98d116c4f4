// OrcTable: one code module's ORC unwind table (the kernel's own unwind data, objtool's
// .orc_unwind_ip + .orc_unwind sections of vmlinux, or a module's copy in memory),
// decoded once in the kernel's OrcFormat and sorted by address for binary search.
// Hand-written: no library reads ORC; the entry layouts are in unwind/orc_format.h.
//
//   OrcTable t(ip_bytes, ip_section_address, orc_bytes, "vmlinux", format);
//   if (const OrcEntry* e = t.find(pc - 1)) ... e->sp_reg == OrcReg::Sp ...
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "unwind/orc_format.h"

namespace kdive {

class OrcTable {
 public:
  OrcTable() = default;
  // `ip_bytes` holds N signed 32-bit offsets, each relative to its own address
  // (`ip_address` + 4*i); `orc_bytes` holds N 6-byte entries (s16 sp_offset, s16
  // bp_offset, 16 bits of flags laid out as `format` says). BadDataError naming
  // `source` when the sizes disagree.
  OrcTable(std::span<const uint8_t> ip_bytes, uint64_t ip_address, std::span<const uint8_t> orc_bytes,
           const std::string& source, const OrcFormat& format);

  // The entry covering `address` (the last entry at or below it), or nullptr.
  const OrcEntry* find(uint64_t address) const;
  size_t size() const { return ips_.size(); }
  bool empty() const { return ips_.empty(); }
  uint64_t first_address() const { return ips_.empty() ? 0 : ips_.front(); }
  uint64_t last_address() const { return ips_.empty() ? 0 : ips_.back(); }
  const OrcFormat& format() const { return format_; }

 private:
  std::vector<uint64_t> ips_;  // sorted
  std::vector<OrcEntry> entries_;
  OrcFormat format_;
};

}  // namespace kdive
