// OrcFormat: which of the kernel's ORC entry formats a kernel uses — where the bit
// fields of the 16-bit flags word sit, what the type values mean, and how registers are
// numbered — detected from evidence the kernel itself carries, never from its version.
//
//   OrcFormatEvidence ev{.kernel_release = "7.2.13+deb14-cloud-amd64", ...};
//   OrcFormatResult r = detect_orc_format(ev);
//   if (r.format) OrcTable t(ips, ip_addr, orcs, "vmlinux", *r.format);
//   else report(r.error);        // names the release and the missing evidence
//   describe_orc_format(*r.format)  // "ORC: v3 (6.4+ layout: type:3 signal:1; ...)"
//
// The formats (arch/x86/include/asm/orc_types.h):
//   v1  sp_reg:4 bp_reg:4 type:2 end:1; types CALL=0 REGS=1 REGS_PARTIAL=2 (until 6.2)
//   v2  v1 plus a `signal` bit (6.3, ffb1b4a41016)
//   v3  sp_reg:4 bp_reg:4 type:3 signal:1; types UNDEFINED=0 END_OF_STACK=1 CALL=2
//       REGS=3 REGS_PARTIAL=4 (6.4, fb799447ae29), and the .orc_header section: the
//       SHA-1 of orc_types.h's ORC_REG_/ORC_TYPE_ defines and struct orc_entry
//   v4  v3's layout with the registers renumbered (AX=1 DX=2 SP=3 BP=4 DI=5 R10=6 R13=7
//       PREV_SP=8 SP_INDIRECT=9 BP_INDIRECT=10), as Debian's 7.2.13 kernel has it
//       (read from its unwind_next_frame and orc_fp_entry; its .orc_header hash names it)
// Evidence: DWARF `struct orc_entry` (member names, bit offsets and sizes: the layout),
// the `.orc_header` hash (the whole of orc_types.h: layout and numbering), and the
// kernel's own `orc_fp_entry` (unwind_orc.c: CALL, sp_reg=BP+16, bp_reg=PREV_SP-16 in
// its own numbering), which cross-checks the register numbering.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kdive {

// What an ORC base register means (the numbering differs between formats).
enum class OrcReg : uint8_t {
  Undefined,
  PrevSp,
  Ax,
  Dx,
  Di,
  Bp,
  Sp,
  R10,
  R13,
  BpIndirect,
  SpIndirect,
  Unknown,  // a number the format does not define
};

// What an entry's type means. v1/v2 encode "end of stack" as a separate bit (see
// OrcEntry::end); v3+ as a type.
enum class OrcType : uint8_t { Call, Regs, RegsPartial, Undefined, EndOfStack, Unknown };

struct OrcEntry {
  int16_t sp_offset = 0;
  int16_t bp_offset = 0;
  OrcReg sp_reg = OrcReg::Undefined;
  OrcReg bp_reg = OrcReg::Undefined;
  OrcType type = OrcType::Call;
  bool end = false;     // v1/v2: the `end` bit; v3+: type == EndOfStack
  bool signal = false;  // the next lookup uses the PC as is (REGS entries before v2: always)
  uint8_t raw_sp_reg = 0, raw_bp_reg = 0, raw_type = 0;  // for error messages
};

// A bit field of the flags word (bits 32..47 of the 6-byte entry); width 0 = absent.
struct OrcBitField {
  uint8_t shift = 0;
  uint8_t width = 0;
  bool present() const { return width != 0; }
  unsigned get(uint16_t word) const { return width ? (word >> shift) & ((1u << width) - 1) : 0; }
};

struct OrcFormat {
  int version = 1;  // 1..4, as in the header comment
  OrcBitField sp_reg{0, 4}, bp_reg{4, 4}, type{8, 2}, signal{}, end{10, 1};
  bool end_is_type = false;             // v3+: UNDEFINED/END_OF_STACK types, no end bit
  std::array<OrcReg, 16> registers{};  // by number
  std::string header_hash;              // hex SHA-1 of .orc_header, empty when none
  std::string evidence;                 // what it was detected from, for describe

  OrcEntry decode(int16_t sp_offset, int16_t bp_offset, uint16_t flags) const;

  // The formats as the kernel defined them (registers and types; evidence empty).
  static OrcFormat v1();  // 6.2 and earlier
  static OrcFormat v2();  // 6.3
  static OrcFormat v3();  // 6.4+
  static OrcFormat v4();  // v3 with renumbered registers
};

// One member of DWARF `struct orc_entry`.
struct OrcEntryMember {
  std::string name;
  uint64_t bit_offset = 0;  // from the start of the struct
  uint64_t bit_size = 0;    // bit fields: their width; other members: 8 * byte size
};

struct OrcFormatEvidence {
  std::string kernel_release;  // for error messages ("" when unknown)
  std::optional<std::vector<OrcEntryMember>> entry_members;  // DWARF struct orc_entry
  std::optional<std::vector<uint8_t>> orc_header;            // vmlinux's .orc_header
  std::optional<std::array<uint8_t, 6>> fp_entry;            // bytes of orc_fp_entry
};

struct OrcFormatResult {
  std::optional<OrcFormat> format;
  std::string error;  // when !format: what is missing or contradicts, with the release
};

OrcFormatResult detect_orc_format(const OrcFormatEvidence& evidence);

// One line for `info`, e.g. "ORC: v3 (6.4+ layout: type:3 signal:1; registers SP=5
// BP=4 PREV_SP=1), .orc_header fe5d32bf…, from DWARF struct orc_entry + .orc_header".
std::string describe_orc_format(const OrcFormat& format);
// The same for a detection that failed: "ORC: unusable: <error>".
std::string describe_orc_format(const OrcFormatResult& result);

}  // namespace kdive
