// OrcFormat detection. The .orc_header hash is the strongest evidence: scripts/orc_hash.sh
// hashes exactly the ORC_REG_/ORC_TYPE_ defines and struct orc_entry, so one hash is one
// format; a hash we do not know is a format we cannot read, and we say so rather than
// guess. DWARF's struct orc_entry gives the bit layout on every kernel (the only
// evidence before 6.4, when the register numbering had never changed) and must agree
// with the hash. orc_fp_entry, the entry the kernel's unwinder uses for frame-pointer
// code, must decode as CALL, sp = BP+16, bp = *(PREV_SP-16) in the chosen format.
#include "unwind/orc_format.h"

#include <algorithm>

#include <fmt/format.h>

namespace kdive {

namespace {

// 2017 (ORC's introduction) .. 6.x: arch/x86/include/asm/orc_types.h ORC_REG_*.
constexpr std::array<OrcReg, 16> kClassicRegisters = {
    OrcReg::Undefined, OrcReg::PrevSp, OrcReg::Dx,         OrcReg::Di,         OrcReg::Bp,      OrcReg::Sp,
    OrcReg::R10,       OrcReg::R13,    OrcReg::BpIndirect, OrcReg::SpIndirect, OrcReg::Unknown, OrcReg::Unknown,
    OrcReg::Unknown,   OrcReg::Unknown, OrcReg::Unknown,   OrcReg::Unknown};

// The renumbering of Debian's 7.2.13 kernel, read off its own unwinder: the sp_reg
// switch of unwind_next_frame loads pt_regs->ax for 1, ->dx for 2, state->sp for 3,
// state->bp for 4, ->di for 5, ->r10 for 6, ->r13 for 7, dereferences sp for 9 and bp
// for 10; the bp_reg switch takes 8 as PREV_SP, and orc_fp_entry has bp_reg = 8.
constexpr std::array<OrcReg, 16> kRenumberedRegisters = {
    OrcReg::Undefined, OrcReg::Ax,      OrcReg::Dx,         OrcReg::Sp,         OrcReg::Bp,         OrcReg::Di,
    OrcReg::R10,       OrcReg::R13,     OrcReg::PrevSp,     OrcReg::SpIndirect, OrcReg::BpIndirect, OrcReg::Unknown,
    OrcReg::Unknown,   OrcReg::Unknown, OrcReg::Unknown,    OrcReg::Unknown};

// The formats as orc_types.h defined them (sp_reg:4 and bp_reg:4 at bits 0 and 4 in all).
struct FormatRow {
  int version;
  OrcBitField type, signal, end;
  bool end_is_type;
  const std::array<OrcReg, 16>* registers;
};
constexpr FormatRow kFormats[] = {
    {1, {8, 2}, {}, {10, 1}, false, &kClassicRegisters},       // until 6.2
    {2, {8, 2}, {10, 1}, {11, 1}, false, &kClassicRegisters},  // 6.3: the signal bit
    {3, {8, 3}, {11, 1}, {}, true, &kClassicRegisters},        // 6.4: end of stack as a type
    {4, {8, 3}, {11, 1}, {}, true, &kRenumberedRegisters},     // v3 renumbered
};

OrcFormat kernel_format(int version) {
  const FormatRow& row = kFormats[version - 1];
  OrcFormat f;
  f.version = row.version;
  f.sp_reg = {0, 4};
  f.bp_reg = {4, 4};
  f.type = row.type;
  f.signal = row.signal;
  f.end = row.end;
  f.end_is_type = row.end_is_type;
  f.registers = *row.registers;
  return f;
}

// .orc_header hashes (SHA-1, hex) of the orc_types.h versions we can read.
struct KnownHeader {
  const char* hash;
  OrcFormat (*format)();
};
constexpr KnownHeader kKnownHeaders[] = {
    // 6.4 (fb799447ae29) and later until the renumbering.
    {"fe5d32bf581bd63b2ca9a5c65ba5a625eab3fe24", &OrcFormat::v3},
    // Debian 7.2.13's orc_types.h (renumbered registers).
    {"137c36ad7627c4dd55932176bb0ecdbd5041fc82", &OrcFormat::v4},
};

std::string hex_bytes(const std::vector<uint8_t>& bytes) {
  std::string s;
  for (uint8_t b : bytes) s += fmt::format("{:02x}", b);
  return s;
}

int number_of(const OrcFormat& f, OrcReg r) {
  for (size_t i = 0; i < f.registers.size(); ++i)
    if (f.registers[i] == r) return static_cast<int>(i);
  return -1;
}

bool same_layout(const OrcFormat& a, const OrcFormat& b) {
  auto eq = [](OrcBitField x, OrcBitField y) { return x.width == y.width && (!x.width || x.shift == y.shift); };
  return eq(a.sp_reg, b.sp_reg) && eq(a.bp_reg, b.bp_reg) && eq(a.type, b.type) && eq(a.signal, b.signal) &&
         eq(a.end, b.end) && a.end_is_type == b.end_is_type;
}

std::string layout_text(const OrcFormat& f) {
  // In bit order, as orc_types.h declares them.
  std::vector<std::pair<uint8_t, std::string>> fields;
  auto add = [&](const char* name, OrcBitField b) {
    if (b.present()) fields.emplace_back(b.shift, fmt::format("{}:{}", name, b.width));
  };
  add("sp_reg", f.sp_reg);
  add("bp_reg", f.bp_reg);
  add("type", f.type);
  add("signal", f.signal);
  add("end", f.end);
  std::sort(fields.begin(), fields.end());
  std::string s;
  for (const auto& [shift, text] : fields) {
    // sp_reg and bp_reg are the same in every format: name only what differs.
    if (text.rfind("sp_reg", 0) == 0 || text.rfind("bp_reg", 0) == 0) continue;
    s += (s.empty() ? "" : " ") + text;
  }
  return s;
}

std::string with_release(const std::string& release, const std::string& what) {
  return fmt::format("kernel {}: {}", release.empty() ? "(release unknown)" : release, what);
}

// The bit layout DWARF describes, or an error.
std::optional<OrcFormat> layout_from_dwarf(const std::vector<OrcEntryMember>& members, std::string* error) {
  OrcFormat f;
  f.sp_reg = f.bp_reg = f.type = f.signal = f.end = OrcBitField{};
  bool sp_offset = false, bp_offset = false;
  for (const OrcEntryMember& m : members) {
    if (m.name == "sp_offset" || m.name == "bp_offset") {
      bool ok = m.bit_offset == (m.name == "sp_offset" ? 0u : 16u) && m.bit_size == 16;
      if (!ok) {
        *error = fmt::format("DWARF struct orc_entry has {} at bit {} ({} bits), not a 16-bit word at bit {}",
                             m.name, m.bit_offset, m.bit_size, m.name == "sp_offset" ? 0 : 16);
        return std::nullopt;
      }
      (m.name == "sp_offset" ? sp_offset : bp_offset) = true;
      continue;
    }
    OrcBitField* field = m.name == "sp_reg" ? &f.sp_reg
                         : m.name == "bp_reg" ? &f.bp_reg
                         : m.name == "type"   ? &f.type
                         : m.name == "signal" ? &f.signal
                         : m.name == "end"    ? &f.end
                                              : nullptr;
    if (!field) continue;  // big-endian padding ("unused") and the like
    if (m.bit_size == 0 || m.bit_size > 8 || m.bit_offset < 32 || m.bit_offset + m.bit_size > 48) {
      *error = fmt::format("DWARF struct orc_entry has {} at bit {} ({} bits), outside the flags word",
                           m.name, m.bit_offset, m.bit_size);
      return std::nullopt;
    }
    *field = OrcBitField{static_cast<uint8_t>(m.bit_offset - 32), static_cast<uint8_t>(m.bit_size)};
  }
  for (auto [name, present] : {std::pair{"sp_offset", sp_offset}, std::pair{"bp_offset", bp_offset},
                               std::pair{"sp_reg", f.sp_reg.present()}, std::pair{"bp_reg", f.bp_reg.present()},
                               std::pair{"type", f.type.present()}}) {
    if (!present) {
      *error = fmt::format("DWARF struct orc_entry has no member '{}'", name);
      return std::nullopt;
    }
  }
  if (f.end.present()) {
    // v1/v2: CALL=0 REGS=1 REGS_PARTIAL=2 and a separate end bit.
    f.end_is_type = false;
    f.version = f.signal.present() ? 2 : 1;
  } else if (f.type.width >= 3) {
    // v3+ (fb799447ae29): the end of the stack is a type.
    f.end_is_type = true;
    f.version = 3;
  } else {
    *error = fmt::format("DWARF struct orc_entry has neither an 'end' bit nor a 3-bit type (type:{})", f.type.width);
    return std::nullopt;
  }
  return f;
}

}  // namespace

OrcEntry OrcFormat::decode(int16_t sp_offset, int16_t bp_offset, uint16_t flags) const {
  OrcEntry e;
  e.sp_offset = sp_offset;
  e.bp_offset = bp_offset;
  e.raw_sp_reg = static_cast<uint8_t>(sp_reg.get(flags));
  e.raw_bp_reg = static_cast<uint8_t>(bp_reg.get(flags));
  e.raw_type = static_cast<uint8_t>(type.get(flags));
  e.sp_reg = registers[e.raw_sp_reg & 0xf];
  e.bp_reg = registers[e.raw_bp_reg & 0xf];
  if (end_is_type) {
    constexpr OrcType kTypes[] = {OrcType::Undefined, OrcType::EndOfStack, OrcType::Call, OrcType::Regs,
                                  OrcType::RegsPartial};
    e.type = e.raw_type < 5 ? kTypes[e.raw_type] : OrcType::Unknown;
    e.end = e.type == OrcType::EndOfStack;
    e.signal = signal.get(flags) != 0;
  } else {
    constexpr OrcType kTypes[] = {OrcType::Call, OrcType::Regs, OrcType::RegsPartial};
    e.type = e.raw_type < 3 ? kTypes[e.raw_type] : OrcType::Unknown;
    e.end = end.get(flags) != 0;
    // Before the signal bit (ffb1b4a41016) the unwinder took every REGS frame's PC
    // literally.
    e.signal = signal.present() ? signal.get(flags) != 0 : (e.type == OrcType::Regs || e.type == OrcType::RegsPartial);
  }
  return e;
}

OrcFormat OrcFormat::v1() { return kernel_format(1); }
OrcFormat OrcFormat::v2() { return kernel_format(2); }
OrcFormat OrcFormat::v3() { return kernel_format(3); }
OrcFormat OrcFormat::v4() { return kernel_format(4); }

OrcFormatResult detect_orc_format(const OrcFormatEvidence& ev) {
  OrcFormatResult r;
  auto fail = [&](const std::string& what) {
    r.format.reset();
    r.error = with_release(ev.kernel_release, what);
    return r;
  };
  std::optional<OrcFormat> dwarf;
  if (ev.entry_members) {
    std::string why;
    dwarf = layout_from_dwarf(*ev.entry_members, &why);
    if (!dwarf) return fail(why);
  }
  std::vector<std::string> sources;
  if (dwarf) sources.push_back("DWARF struct orc_entry");
  OrcFormat f;
  if (ev.orc_header) {
    std::string hash = hex_bytes(*ev.orc_header);
    const KnownHeader* known = nullptr;
    for (const KnownHeader& k : kKnownHeaders)
      if (hash == k.hash) known = &k;
    if (!known) {
      std::string layout = dwarf ? fmt::format(" (DWARF gives the layout {}, not the register numbering)", layout_text(*dwarf)) : "";
      return fail(fmt::format(".orc_header hash {} is not an orc_types.h kdive knows: ORC register numbering unknown{}",
                              hash, layout));
    }
    f = known->format();
    if (dwarf && !same_layout(*dwarf, f))
      return fail(fmt::format("DWARF struct orc_entry ({}) contradicts .orc_header {} ({})", layout_text(*dwarf), hash,
                              layout_text(f)));
    f.header_hash = hash;
    sources.push_back(".orc_header");
  } else {
    if (!dwarf) return fail("no .orc_header section and no DWARF for struct orc_entry: ORC entry layout unknown");
    if (dwarf->end_is_type)
      // 6.4 introduced the 3-bit type and .orc_header together; without the header
      // nothing tells which register numbering this is.
      return fail(fmt::format("ORC entries have the 6.4+ layout ({}) but vmlinux has no .orc_header: ORC register "
                              "numbering unknown",
                              layout_text(*dwarf)));
    // Before 6.4 there was one register numbering.
    f = dwarf->version == 2 ? OrcFormat::v2() : OrcFormat::v1();
    f.sp_reg = dwarf->sp_reg;
    f.bp_reg = dwarf->bp_reg;
    f.type = dwarf->type;
    f.signal = dwarf->signal;
    f.end = dwarf->end;
  }
  if (ev.fp_entry) {
    const auto& b = *ev.fp_entry;
    auto s16 = [&](int i) { return static_cast<int16_t>(static_cast<uint16_t>(b[i] | (b[i + 1] << 8))); };
    OrcEntry e = f.decode(s16(0), s16(2), static_cast<uint16_t>(s16(4)));
    bool ok = e.type == OrcType::Call && e.sp_reg == OrcReg::Bp && e.sp_offset == 16 && e.bp_reg == OrcReg::PrevSp &&
              e.bp_offset == -16;
    if (!ok)
      return fail(fmt::format("orc_fp_entry (sp_reg {} bp_reg {} type {}) does not decode as CALL BP+16 / PREV_SP-16 "
                              "in ORC v{}: register numbering contradicts the {}",
                              e.raw_sp_reg, e.raw_bp_reg, e.raw_type, f.version,
                              f.header_hash.empty() ? "DWARF layout" : ".orc_header"));
    sources.push_back("orc_fp_entry");
  }
  std::string src;
  for (const std::string& s : sources) src += (src.empty() ? "" : " + ") + s;
  f.evidence = src;
  r.format = f;
  return r;
}

std::string describe_orc_format(const OrcFormat& f) {
  const char* era = f.version == 1   ? "pre-6.3 layout"
                    : f.version == 2 ? "6.3 layout"
                    : f.version == 3 ? "6.4+ layout"
                                     : "6.4+ layout with renumbered registers";
  std::string s = fmt::format("ORC: v{} ({}: {}; registers SP={} BP={} PREV_SP={})", f.version, era, layout_text(f),
                              number_of(f, OrcReg::Sp), number_of(f, OrcReg::Bp), number_of(f, OrcReg::PrevSp));
  s += f.header_hash.empty() ? ", no .orc_header" : ", .orc_header " + f.header_hash;
  if (!f.evidence.empty()) s += ", from " + f.evidence;
  return s;
}

std::string describe_orc_format(const OrcFormatResult& r) {
  if (r.format) return describe_orc_format(*r.format);
  return "ORC: unusable: " + r.error;
}

}  // namespace kdive
