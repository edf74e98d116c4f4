// Field extraction from a crash report's lines (see report_fields.h). Each field has
// its own small parser for the kernel's fixed print formats; a line that does not
// parse is simply not that field, so garbage input yields empty fields, never errors.
#include "oops/report_fields.h"

#include <cctype>
#include <charconv>
#include <regex>

#include "oops/line_pattern.h"

namespace kdive {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string_view trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::optional<uint64_t> parse_hex(std::string_view s) {
  if (starts_with(s, "0x") || starts_with(s, "0X")) s.remove_prefix(2);
  if (s.empty() || s.size() > 16) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<int> parse_int(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 10);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

bool is_symbol_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$';
}

std::string_view cut(std::string_view s) { return s.substr(0, LinePattern::kMaxText); }

// "[<ffffffff81f04b7a>]" at the start of s: the address, and s advanced past it.
std::optional<uint64_t> take_bracket_address(std::string_view* s) {
  std::string_view t = *s;
  if (!starts_with(t, "[<")) return std::nullopt;
  size_t close = t.find(">]");
  if (close == std::string_view::npos) return std::nullopt;
  auto v = parse_hex(t.substr(2, close - 2));
  if (!v) return std::nullopt;
  *s = trim(t.substr(close + 2));
  return v;
}

}  // namespace

std::optional<CodeLocation> parse_code_location(std::string_view text) {
  text = trim(text);
  size_t i = 0;
  while (i < text.size() && is_symbol_char(text[i])) ++i;
  if (i == 0 || i >= text.size() || text[i] != '+') return std::nullopt;
  CodeLocation loc;
  loc.function = std::string(text.substr(0, i));
  std::string_view rest = text.substr(i + 1);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto off = parse_hex(rest.substr(0, slash));
  if (!off || !starts_with(rest, "0x")) return std::nullopt;
  rest = rest.substr(slash + 1);
  size_t end = 0;
  while (end < rest.size() && !std::isspace(static_cast<unsigned char>(rest[end])) && rest[end] != ']' &&
         rest[end] != ')') {
    ++end;
  }
  auto size = parse_hex(rest.substr(0, end));
  if (!size || !starts_with(rest, "0x")) return std::nullopt;
  loc.offset = *off;
  loc.size = *size;
  rest = trim(rest.substr(end));
  if (starts_with(rest, "[")) {
    size_t close = rest.find(']');
    if (close != std::string_view::npos) {
      std::string_view mod = rest.substr(1, close - 1);
      mod = mod.substr(0, mod.find(' '));  // "[mod buildid]"
      if (!mod.empty() && mod != "inline") loc.module = std::string(mod);
    }
  }
  return loc;
}

namespace {

// A RIP line: "RIP: 0010:func+0x36/0x70", "RIP: 0010:[<addr>]  [<addr>] func+...",
// "RIP: 0033:0x7f...", "IP: [<addr>] func+...", arm64 "pc : func+...", "PC is at func+...".
std::optional<CodeLocation> parse_rip(std::string_view line, bool* user) {
  line = trim(line);
  std::string_view rest;
  for (std::string_view p : {"RIP: ", "IP: ", "NIP: ", "EIP: ", "pc : ", "PC is at "}) {
    if (starts_with(line, p)) {
      rest = trim(line.substr(p.size()));
      break;
    }
  }
  if (rest.empty()) return std::nullopt;
  *user = false;
  // "0010:" code segment selector.
  if (rest.size() > 5 && rest[4] == ':' && parse_hex(rest.substr(0, 4))) {
    *user = rest.substr(0, 4) == "0033" || rest.substr(0, 4) == "0023";
    rest = rest.substr(5);
  }
  CodeLocation loc;
  std::optional<uint64_t> addr;
  while (auto a = take_bracket_address(&rest)) addr = a;
  if (starts_with(rest, "0x")) {
    size_t end = rest.find_first_of(" \t");
    auto v = parse_hex(rest.substr(0, end));
    if (!v) return std::nullopt;
    loc.address = v;
    return loc;
  }
  auto sym = parse_code_location(rest);
  if (!sym) {
    if (!addr) return std::nullopt;
    loc.address = addr;
    return loc;
  }
  sym->address = addr;
  return sym;
}

bool is_register_name(std::string_view name) {
  static const char* const kNames[] = {
      "RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP", "R08", "R09", "R10", "R11", "R12", "R13",
      "R14", "R15", "EAX", "EBX", "ECX", "EDX", "ESI", "EDI", "EBP", "ESP", "EFLAGS", "FS", "GS", "knlGS",
      "CS", "DS", "ES", "SS", "CR0", "CR2", "CR3", "CR4", "DR0", "DR1", "DR2", "DR3", "DR6", "DR7", "PKRU",
      "ORIG_RAX", "sp", "lr", "pc", "pstate"};
  for (const char* n : kNames) {
    if (name == n) return true;
  }
  // arm64 x0..x30
  if (name.size() >= 2 && name.size() <= 3 && name[0] == 'x' && parse_int(name.substr(1))) return true;
  return false;
}

// "RAX: 0000000000000000 RBX: ... ", "RSP: 0018:ffff...  EFLAGS: 00010006",
// "FS:  00007f...(0000) GS:ffff...(0000) knlGS:...", "x29: ffff... x28: ...".
bool parse_registers(std::string_view line, std::vector<std::pair<std::string, uint64_t>>* out) {
  line = trim(line);
  std::vector<std::pair<std::string, uint64_t>> found;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    size_t name_start = i;
    while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_')) ++i;
    std::string_view name = line.substr(name_start, i - name_start);
    while (i < line.size() && line[i] == ' ') ++i;  // arm64 "sp : ..."
    if (name.empty() || i >= line.size() || line[i] != ':' || !is_register_name(name)) return false;
    ++i;
    while (i < line.size() && line[i] == ' ') ++i;
    size_t v = i;
    while (i < line.size() && std::isxdigit(static_cast<unsigned char>(line[i]))) ++i;
    // "0018:ffff..." — segment:value (RSP) — keep the value.
    if (i < line.size() && line[i] == ':' && i - v == 4) {
      ++i;
      v = i;
      while (i < line.size() && std::isxdigit(static_cast<unsigned char>(line[i]))) ++i;
    }
    auto value = parse_hex(line.substr(v, i - v));
    if (!value) return false;
    found.emplace_back(std::string(name), *value);
    if (i < line.size() && line[i] == '(') {  // "(0000)" selector after FS/GS
      size_t close = line.find(')', i);
      i = close == std::string_view::npos ? line.size() : close + 1;
    }
  }
  if (found.empty()) return false;
  out->insert(out->end(), found.begin(), found.end());
  return true;
}

// "Code: 48 8b <80> 3c ..." (x86 bytes), "Code: d503233f (f9400000)" (arm64 words).
std::optional<CodeBytes> parse_code(std::string_view line) {
  line = trim(line);
  if (!starts_with(line, "Code:")) return std::nullopt;
  std::string_view rest = trim(line.substr(5));
  CodeBytes code;
  size_t i = 0;
  while (i < rest.size()) {
    while (i < rest.size() && rest[i] == ' ') ++i;
    size_t s = i;
    while (i < rest.size() && rest[i] != ' ') ++i;
    std::string_view tok = rest.substr(s, i - s);
    if (tok.empty()) break;
    bool trap = false;
    if ((tok.front() == '<' && tok.back() == '>') || (tok.front() == '(' && tok.back() == ')')) {
      trap = true;
      tok = tok.substr(1, tok.size() - 2);
    }
    if (tok.size() % 2 != 0 || tok.empty() || tok.size() > 16) return std::nullopt;
    auto v = parse_hex(tok);
    if (!v) return std::nullopt;
    if (trap && !code.trap_offset) code.trap_offset = code.bytes.size();
    // Words wider than a byte are printed as numbers; store them little-endian.
    for (size_t b = 0; b < tok.size() / 2; ++b) code.bytes.push_back(static_cast<uint8_t>(*v >> (8 * b)));
  }
  if (code.bytes.empty()) return std::nullopt;
  return code;
}

struct SectionMarker {
  std::string_view text;
  StackSection section;
  bool new_trace;
};

// Stack section markers, matched at the start of a trimmed line.
std::optional<SectionMarker> section_marker(std::string_view t) {
  static const SectionMarker kMarkers[] = {
      {"Call Trace:", StackSection::Task, true},
      {"Call trace:", StackSection::Task, true},
      {"<TASK>", StackSection::Task, false},
      {"</TASK>", StackSection::Task, false},
      {"<IRQ>", StackSection::Irq, false},
      {"</IRQ>", StackSection::Task, false},
      {"<EOI>", StackSection::Task, false},
      {"<SOFTIRQ>", StackSection::SoftIrq, false},
      {"</SOFTIRQ>", StackSection::Task, false},
      {"<NMI>", StackSection::Nmi, false},
      {"</NMI>", StackSection::Task, false},
      {"<#", StackSection::Exception, false},
      {"</#", StackSection::Task, false},
      {"Allocated by task", StackSection::Allocated, true},
      {"Allocated:", StackSection::Allocated, true},
      {"allocated by task", StackSection::Allocated, true},
      {"Freed by task", StackSection::Freed, true},
      {"Freed:", StackSection::Freed, true},
      {"freed by task", StackSection::Freed, true},
      {"Last potentially related work creation:", StackSection::Auxiliary, true},
      {"Second to last potentially related work creation:", StackSection::Auxiliary, true},
      {"Last call_rcu", StackSection::Auxiliary, true},
      {"Second to last call_rcu", StackSection::Auxiliary, true},
      {"backtrace", StackSection::Other, true},
      {"Uninit was created at:", StackSection::Other, true},
      {"Uninit was stored to memory at:", StackSection::Other, true},
      {"Local variable", StackSection::Other, true},
      {"-> #", StackSection::Other, true},
      {"stack backtrace:", StackSection::Task, true},
      {"Backtrace:", StackSection::Task, true},
  };
  for (const auto& m : kMarkers) {
    if (starts_with(t, m.text)) return m;
  }
  // kmemleak "  backtrace (crc 1234):"
  return std::nullopt;
}

// A frame line: "[<addr>] ? func+0x1/0x2 [mod]", " func+0x1/0x2 mm/x.c:12", or a
// symbolized inline frame " func mm/x.c:12 [inline]".
std::optional<ReportFrame> parse_frame(std::string_view line) {
  std::string_view t = trim(line);
  ReportFrame f;
  auto addr = take_bracket_address(&t);
  if (starts_with(t, "? ")) {
    f.reliable = false;
    t = trim(t.substr(2));
  }
  if (auto loc = parse_code_location(t)) {
    f.location = *loc;
    f.location.address = addr;
  } else {
    // "__dump_stack lib/dump_stack.c:77 [inline]"
    size_t sp = t.find(' ');
    if (sp == std::string_view::npos) return std::nullopt;
    std::string_view name = t.substr(0, sp);
    for (char c : name) {
      if (!is_symbol_char(c)) return std::nullopt;
    }
    std::string_view tail = trim(t.substr(sp));
    if (tail.size() < 9 || tail.substr(tail.size() - 8) != "[inline]") return std::nullopt;
    f.location.function = std::string(name);
    f.inlined = true;
    f.source = std::string(trim(tail.substr(0, tail.size() - 8)));
    f.line = std::string(trim(line));
    return f;
  }
  // Source position of a symbolized report follows the offset: "func+0x1/0x2 mm/x.c:12".
  size_t slash = t.find('/');
  size_t after = t.find(' ', slash);
  if (after != std::string_view::npos) {
    std::string_view tail = trim(t.substr(after));
    if (starts_with(tail, "[")) {
      size_t close = tail.find(']');
      tail = close == std::string_view::npos ? std::string_view() : trim(tail.substr(close + 1));
    }
    if (tail.size() > 8 && tail.substr(tail.size() - 8) == "[inline]") {
      f.inlined = true;
      tail = trim(tail.substr(0, tail.size() - 8));
    }
    if (!tail.empty() && tail.find(':') != std::string_view::npos && tail.find(' ') == std::string_view::npos) {
      f.source = std::string(tail);
    }
  }
  f.line = std::string(trim(line));
  return f;
}

void parse_cpu_line(std::string_view line, OopsReport* r) {
  // "CPU: 0 UID: 0 PID: 906 Comm: fio Kdump: loaded Not tainted 6.11.0 #1"
  static const std::regex kCpu(
      R"(CPU: (\d+) (?:UID: \d+ )?PID: (\d+) Comm: (.*?)(?: Kdump: loaded)? (Not tainted|Tainted: ([A-Z ]*?)) +([0-9]\S*)(?: #|$| ))");
  std::match_results<std::string_view::const_iterator> m;
  line = cut(line);
  if (!std::regex_search(line.begin(), line.end(), m, kCpu)) return;
  r->cpu = parse_int(std::string_view(&*m[1].first, static_cast<size_t>(m[1].length())));
  r->pid = parse_int(std::string_view(&*m[2].first, static_cast<size_t>(m[2].length())));
  r->comm = m[3].str();
  r->tainted = m[4].str() != "Not tainted";
  r->taint = std::string(trim(m[5].str()));
  r->kernel_release = m[6].str();
}

void parse_access_lines(std::string_view t, OopsReport* r) {
  MemoryAccess& a = r->access;
  auto hex_after = [&](std::string_view key) -> std::optional<uint64_t> {
    size_t p = t.find(key);
    if (p == std::string_view::npos) return std::nullopt;
    std::string_view rest = trim(t.substr(p + key.size()));
    size_t e = 0;
    if (starts_with(rest, "0x")) e = 2;
    while (e < rest.size() && std::isxdigit(static_cast<unsigned char>(rest[e]))) ++e;
    return parse_hex(rest.substr(0, e));
  };
  if (starts_with(t, "BUG: kernel NULL pointer dereference, address:") ||
      starts_with(t, "BUG: unable to handle page fault for address:")) {
    if (!a.address) a.address = hex_after("address:");
  } else if (starts_with(t, "BUG: unable to handle kernel paging request at") ||
             starts_with(t, "BUG: unable to handle kernel NULL pointer dereference at")) {
    if (!a.address) a.address = t.find("(null)") != std::string_view::npos ? std::optional<uint64_t>(0) : hex_after(" at ");
  } else if (starts_with(t, "#PF: ")) {
    if (t.find("write access") != std::string_view::npos) a.type = MemoryAccess::Type::Write;
    else if (t.find("read access") != std::string_view::npos) a.type = MemoryAccess::Type::Read;
    else if (t.find("instruction fetch") != std::string_view::npos) a.type = MemoryAccess::Type::Execute;
    if (t.find("in user mode") != std::string_view::npos) a.user_mode = true;
    if (starts_with(t, "#PF: error_code(")) {
      a.error_code = hex_after("error_code(");
      size_t dash = t.find(" - ");
      if (dash != std::string_view::npos) a.detail = std::string(trim(t.substr(dash + 3)));
    }
  } else if (starts_with(t, "Oops: ")) {
    // "Oops: 0002 [#1] SMP" (older kernels print the error code only here).
    std::string_view rest = t.substr(6);
    if (starts_with(rest, "Oops: ")) rest = rest.substr(6);
    if (!a.error_code) a.error_code = parse_hex(rest.substr(0, rest.find(' ')));
  } else if (starts_with(t, "BUG: KASAN: ")) {
    std::string_view rest = t.substr(12);
    a.detail = std::string(rest.substr(0, rest.find(' ')));
    if (a.detail.find("free") != std::string::npos && a.detail.find("use-after-free") == std::string::npos) {
      a.type = MemoryAccess::Type::Free;
      if (!a.address) a.address = hex_after(" on address ");
    }
  } else if (starts_with(t, "Read of size ") || starts_with(t, "Write of size ") || starts_with(t, "Read at addr ") ||
             starts_with(t, "Write at addr ")) {
    if (a.type == MemoryAccess::Type::Unknown) {
      a.type = t[0] == 'R' ? MemoryAccess::Type::Read : MemoryAccess::Type::Write;
      size_t p = t.find(" of size ");
      if (p != std::string_view::npos) {
        std::string_view n = t.substr(p + 9);
        a.size = parse_int(n.substr(0, n.find(' ')));
      }
      a.address = hex_after(" addr ");
    }
  } else if (starts_with(t, "KASAN: ") && t.find(" in range [") != std::string_view::npos) {
    // "KASAN: null-ptr-deref in range [0x0000000000000010-0x0000000000000017]"
    std::string_view rest = t.substr(7);
    a.detail = std::string(rest.substr(0, rest.find(" in range [")));
    size_t b = t.find(" in range [") + 11;
    size_t dash = t.find('-', b);
    size_t close = t.find(']', b);
    if (dash != std::string_view::npos && close != std::string_view::npos && dash < close) {
      a.range_start = parse_hex(t.substr(b, dash - b));
      a.range_end = parse_hex(t.substr(dash + 1, close - dash - 1));
      if (a.range_start) a.address = a.range_start;
    }
  } else if (starts_with(t, "general protection fault, probably for non-canonical address ")) {
    if (!a.address) a.address = hex_after("non-canonical address ");
  } else if (t.find(" at 0x") != std::string_view::npos &&
             (starts_with(t, "Out-of-bounds ") || starts_with(t, "Use-after-free ") || starts_with(t, "Invalid "))) {
    // KFENCE: "Use-after-free read at 0xffff888... (in kfence-#12):"
    if (t.find(" read at ") != std::string_view::npos) a.type = MemoryAccess::Type::Read;
    else if (t.find(" write at ") != std::string_view::npos) a.type = MemoryAccess::Type::Write;
    a.address = hex_after(" at ");
  } else if (starts_with(t, "BUG: KFENCE: ")) {
    std::string_view rest = t.substr(13);
    a.detail = std::string(rest.substr(0, rest.find(" in ")));
    if (a.detail == "invalid free") a.type = MemoryAccess::Type::Free;
  }
}

}  // namespace

void extract_fields(const std::vector<std::string_view>& lines, OopsReport* r) {
  StackSection section = StackSection::Task;
  bool in_trace = false;
  size_t trace = 0;
  bool first_trace = true;
  bool last_rip_user = false;
  for (std::string_view raw : lines) {
    std::string_view t = trim(raw);
    if (t.empty()) continue;
    parse_access_lines(t, r);
    bool user = false;
    if (auto rip = parse_rip(t, &user)) {
      if (!r->rip && !user) r->rip = rip;
      last_rip_user = user;
      continue;
    }
    if (auto code = parse_code(t)) {
      code->user = last_rip_user;
      if (!r->code || (r->code->user && !code->user)) r->code = code;
      continue;
    }
    std::vector<std::pair<std::string, uint64_t>> regs;
    if (parse_registers(t, &regs)) {
      for (auto& [name, value] : regs) {
        r->registers.emplace(name, value);  // first value wins: the kernel-mode dump
        if (name == "CR2" && !r->cr2) r->cr2 = value;
        r->register_list.emplace_back(std::move(name), value);
      }
      continue;
    }
    if (starts_with(t, "Modules linked in:")) {
      std::string_view rest = trim(t.substr(18));
      size_t i = 0;
      while (i < rest.size()) {
        size_t e = rest.find(' ', i);
        if (e == std::string_view::npos) e = rest.size();
        std::string_view m = rest.substr(i, e - i);
        m = m.substr(0, m.find('('));  // "mod(OE)" taint flags
        if (!m.empty() && m != "[last" && m.find(']') == std::string_view::npos) r->modules.emplace_back(m);
        i = e + 1;
      }
      continue;
    }
    if (t.find("CPU: ") != std::string_view::npos && t.find("PID: ") != std::string_view::npos) {
      if (!r->cpu) parse_cpu_line(t, r);
      continue;
    }
    if (starts_with(t, "Hardware name: ")) {
      if (r->hardware.empty()) r->hardware = std::string(t.substr(15));
      continue;
    }
    if (starts_with(t, "Kernel Offset: ")) {
      std::string_view rest = t.substr(15);
      if (starts_with(rest, "disabled")) {
        r->kaslr_disabled = true;
      } else {
        r->kernel_offset = parse_hex(rest.substr(0, rest.find(' ')));
      }
      continue;
    }
    if (auto marker = section_marker(t)) {
      section = marker->section;
      if (marker->new_trace || !in_trace) {
        if (!first_trace) ++trace;
        first_trace = false;
      }
      in_trace = true;
      continue;
    }
    if (t.find(" backtrace") != std::string_view::npos && t.back() == ':') {  // kmemleak
      section = StackSection::Other;
      if (!first_trace) ++trace;
      first_trace = false;
      in_trace = true;
      continue;
    }
    if (!in_trace) {
      // KMSAN prints its frames right after the title, without "Call Trace:".
      if (!starts_with(r->first_line, "BUG: KMSAN")) continue;
      in_trace = true;
      first_trace = false;
    }
    if (auto f = parse_frame(raw)) {
      f->section = section;
      f->trace = trace;
      r->frames.push_back(std::move(*f));
    }
  }
  if (!r->access.address && r->cr2 &&
      (starts_with(r->first_line, "BUG: kernel NULL") || starts_with(r->first_line, "BUG: unable to handle"))) {
    r->access.address = r->cr2;
  }
  // x86 page-fault error code: bit 1 write, bit 4 instruction fetch, bit 2 user mode.
  if (r->access.type == MemoryAccess::Type::Unknown && r->access.error_code &&
      (starts_with(r->first_line, "BUG: kernel NULL") || starts_with(r->first_line, "BUG: unable to handle"))) {
    uint64_t ec = *r->access.error_code;
    r->access.type = (ec & 0x10) ? MemoryAccess::Type::Execute
                     : (ec & 0x2) ? MemoryAccess::Type::Write
                                  : MemoryAccess::Type::Read;
  }
}

ReportKind kind_of_title(const CrashTitle& title, std::string_view first_line) {
  const std::string& t = title.title;
  auto has = [&](std::string_view p) { return starts_with(t, p); };
  if (first_line.find("hard LOCKUP") != std::string_view::npos ||
      first_line.find("Hard LOCKUP") != std::string_view::npos || t.find("Hard LOCKUP") != std::string::npos) {
    return ReportKind::HardLockup;
  }
  if (has("BUG: unable to handle kernel NULL pointer")) return ReportKind::NullDereference;
  if (has("BUG: unable to handle kernel")) return ReportKind::PageFault;
  if (has("general protection fault")) return ReportKind::GeneralProtection;
  if (has("KASAN:")) return ReportKind::Kasan;
  if (has("KFENCE:")) return ReportKind::Kfence;
  if (has("KMSAN:")) return ReportKind::Kmsan;
  if (has("KCSAN:")) return ReportKind::Kcsan;
  if (has("UBSAN:")) return ReportKind::Ubsan;
  if (title.type == "LOCKDEP") return ReportKind::Lockdep;
  if (title.type == "ATOMIC_SLEEP") return ReportKind::AtomicSleep;
  if (has("WARNING")) return ReportKind::Warning;
  if (has("kernel BUG") || has("BUG: corrupted list") || has("BUG: bad usercopy")) return ReportKind::KernelBug;
  if (has("BUG: soft lockup")) return ReportKind::SoftLockup;
  if (has("INFO: rcu detected stall")) return ReportKind::RcuStall;
  if (has("INFO: task hung") || has("INFO: task can't die")) return ReportKind::HungTask;
  if (has("kernel panic") || has("kernel stack overflow") || has("panic:")) return ReportKind::Panic;
  if (has("memory leak")) return ReportKind::MemoryLeak;
  return ReportKind::Other;
}

const char* report_kind_name(ReportKind kind) {
  switch (kind) {
    case ReportKind::PageFault: return "page-fault";
    case ReportKind::NullDereference: return "null-dereference";
    case ReportKind::GeneralProtection: return "general-protection-fault";
    case ReportKind::Kasan: return "kasan";
    case ReportKind::Kfence: return "kfence";
    case ReportKind::Kmsan: return "kmsan";
    case ReportKind::Kcsan: return "kcsan";
    case ReportKind::Ubsan: return "ubsan";
    case ReportKind::Warning: return "warning";
    case ReportKind::KernelBug: return "kernel-bug";
    case ReportKind::Lockdep: return "lockdep";
    case ReportKind::AtomicSleep: return "atomic-sleep";
    case ReportKind::SoftLockup: return "soft-lockup";
    case ReportKind::HardLockup: return "hard-lockup";
    case ReportKind::RcuStall: return "rcu-stall";
    case ReportKind::HungTask: return "hung-task";
    case ReportKind::Panic: return "panic";
    case ReportKind::MemoryLeak: return "memory-leak";
    case ReportKind::Other: return "other";
  }
  return "other";
}

const char* stack_section_name(StackSection section) {
  switch (section) {
    case StackSection::Task: return "task";
    case StackSection::Irq: return "irq";
    case StackSection::SoftIrq: return "softirq";
    case StackSection::Nmi: return "nmi";
    case StackSection::Exception: return "exception";
    case StackSection::Allocated: return "allocated";
    case StackSection::Freed: return "freed";
    case StackSection::Auxiliary: return "auxiliary";
    case StackSection::Other: return "other";
  }
  return "other";
}

}  // namespace kdive
