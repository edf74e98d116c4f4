// Code listings: objdump's text layout reproduced over capstone's instructions, and
// decodecode's two-part view of a Code: line. Hand-written because decodecode is a
// shell script around as/objdump, not a library.
#include "oops/code_listing.h"

#include <fmt/format.h>

#include <cctype>

namespace kdive {

std::string format_objdump_line(const Instruction& insn, const ListingOptions& options, bool mark) {
  uint64_t shown = options.origin ? insn.address - *options.origin : insn.address;
  std::string s;
  constexpr size_t kPerLine = 7;  // objdump's x86 bytes per line
  for (size_t i = 0; i < insn.bytes.size() || i == 0; i += kPerLine) {
    if (i > 0) s += '\n';
    s += fmt::format("{:>4x}:", shown + i);
    if (i == 0 && mark) s += '*';
    s += '\t';
    std::string hex;
    for (size_t k = i; k < insn.bytes.size() && k < i + kPerLine; ++k) hex += fmt::format("{:02x} ", insn.bytes[k]);
    if (i == 0) {
      s += fmt::format("{:<21}\t", hex);
      s += insn.operands.empty() ? insn.mnemonic : fmt::format("{:<6} {}", insn.mnemonic, insn.operands);
      if (mark) s += "\t\t<-- trapping instruction";
    } else {
      s += hex;
    }
    if (insn.bytes.empty()) break;
  }
  return s;
}

DecodedCode decode_code_bytes(const CodeBytes& code, AsmSyntax syntax, uint64_t address) {
  InstructionDecoder dec(syntax);
  DecodedCode d;
  std::span<const uint8_t> bytes(code.bytes);
  auto index_at = [](const std::vector<Instruction>& v, uint64_t a) -> std::optional<size_t> {
    for (size_t i = 0; i < v.size(); ++i)
      if (v[i].address == a) return i;
    return std::nullopt;
  };
  d.all = dec.decode(bytes, address);
  if (code.trap_offset && *code.trap_offset < bytes.size()) {
    uint64_t trap = address + *code.trap_offset;
    d.trap_index = index_at(d.all, trap);
    // x86 instructions are at most 15 bytes: one of the first 15 starts re-synchronises.
    for (size_t start = 1; !d.trap_index && start < 15 && start < *code.trap_offset; ++start) {
      auto v = dec.decode(bytes.subspan(start), address + start);
      if (auto i = index_at(v, trap)) {
        d.start = start;
        d.all = std::move(v);
        d.trap_index = i;
      }
    }
    d.from_trap = dec.decode(bytes.subspan(*code.trap_offset), trap);
  }
  return d;
}

std::string format_decodecode(const CodeBytes& code, const ListingOptions& options, const std::string& code_line) {
  std::string out;
  if (!code_line.empty()) out += code_line + "\n";
  uint64_t base = options.origin.value_or(0);
  DecodedCode d = decode_code_bytes(code, options.syntax, base);
  ListingOptions from0 = options;
  if (code.trap_offset) {
    out += "All code\n========\n";
    if (d.start != 0) out += fmt::format("(decoding from byte {} to reach the trapping instruction)\n", d.start);
    for (size_t i = 0; i < d.all.size(); ++i)
      out += format_objdump_line(d.all[i], options, d.trap_index && *d.trap_index == i) + "\n";
    out += "\n";
    from0.origin = options.origin ? std::optional<uint64_t>(base + *code.trap_offset) : std::nullopt;
  } else {
    d.from_trap = d.all;
  }
  out += "Code starting with the faulting instruction\n";
  out += "===========================================\n";
  for (const Instruction& i : d.from_trap) out += format_objdump_line(i, from0) + "\n";
  return out;
}

std::optional<CodeBytes> parse_code_line(const std::string& text) {
  size_t pos = std::string::npos;
  // The last "Code:" line with bytes (decodecode uses the last one too).
  for (size_t p = text.find("Code:"); p != std::string::npos; p = text.find("Code:", p + 5)) {
    size_t q = p + 5;
    while (q < text.size() && text[q] == ' ') ++q;
    if (q < text.size() && (text[q] == '<' || text[q] == '(')) ++q;
    if (q < text.size() && std::isxdigit(static_cast<unsigned char>(text[q]))) pos = p + 5;
  }
  if (pos == std::string::npos) return std::nullopt;
  size_t eol = text.find('\n', pos);
  std::string_view line = std::string_view(text).substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
  CodeBytes code;
  size_t i = 0;
  auto hexval = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10; };
  while (i < line.size()) {
    char c = line[i];
    if (c == ' ' || c == '\r' || c == '\t') {
      ++i;
      continue;
    }
    bool marked = c == '<' || c == '(';
    if (marked) ++i;
    size_t j = i;
    while (j < line.size() && std::isxdigit(static_cast<unsigned char>(line[j]))) ++j;
    size_t n = j - i;
    if (n == 0 || n % 2 != 0 || n > 16) break;
    if (marked && !code.trap_offset) code.trap_offset = code.bytes.size();
    // Words wider than a byte (ARM's "(e5932000)") are printed most significant first
    // but stored little-endian.
    for (size_t k = n; k >= 2; k -= 2)
      code.bytes.push_back(static_cast<uint8_t>(hexval(line[i + k - 2]) * 16 + hexval(line[i + k - 1])));
    i = j;
    if (i < line.size() && (line[i] == '>' || line[i] == ')')) ++i;
    if (code.bytes.size() > 4096) break;
  }
  if (code.bytes.empty()) return std::nullopt;
  return code;
}

}  // namespace kdive
