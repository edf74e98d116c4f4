// Memory-versus-file text comparison (text_patches.h). A differing byte is explained by
// the first of: a dyn_ftrace record (kernel/trace/ftrace.c: ftrace_replace_code() writes
// a NOP or a call at rec->ip), a kprobe at that address (arch/x86/kernel/kprobes/core.c
// arch_arm_kprobe(): int3 over the first byte; opt.c: a jmp32 over five), a patch-site
// table entry (patch_site_tables.h), ftrace's own call sites (arch/x86/kernel/ftrace_64.S
// ftrace_call / ftrace_regs_call / ftrace_graph_call, rewritten by
// ftrace_update_ftrace_func()), a static call trampoline (__SCT__*, rewritten by
// arch_static_call_transform()), or a field that moved by exactly the KASLR offset.
#include "linux/text_patches.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "base/progress_line.h"
#include "debuginfo/debug_info.h"
#include "kdive/error.h"
#include "linux/kernel_layout.h"
#include "linux/patch_site_tables.h"
#include "linux/text_image.h"
#include "oops/instruction_decoder.h"
#include "program/program.h"

namespace kdive {

namespace {

constexpr uint64_t kChunk = 256 * 1024;
constexpr uint64_t kPage = 4096;
constexpr size_t kMaxProblems = 32;

// The order in which overlapping tables explain a byte: the narrower, later patches
// (a jump label inside an alternative's replacement) first. Call thunks come after
// alternatives: .call_sites lists every direct call, alternatives' calls too, and
// callthunks_patch_builtin_calls() rewrites them only with call depth tracking on.
int site_rank(PatchSiteKind k) {
  switch (k) {
    case PatchSiteKind::JumpLabel: return 0;
    case PatchSiteKind::StaticCall: return 1;
    case PatchSiteKind::Retpoline: return 2;
    case PatchSiteKind::ReturnThunk: return 3;
    case PatchSiteKind::Alternative: return 4;
    case PatchSiteKind::Paravirt: return 5;
    case PatchSiteKind::CallThunk: return 6;
    case PatchSiteKind::SmpLock: return 7;
    case PatchSiteKind::EndbrSeal: return 8;
    case PatchSiteKind::Mcount: return 9;
    case PatchSiteKind::RuntimeConst: return 10;
  }
  return 11;
}

struct Explanation {
  uint64_t start = 0;
  uint32_t length = 0;
  std::string reason, detail;
  bool relocation = false;
};

class Comparer {
 public:
  Comparer(Program& program, TextPatchReport& report) : program_(program), report_(report) {
    try {
      report_.ftrace = read_ftrace_records(program);
    } catch (const Error& e) {
      report_.problems.push_back(fmt::format("ftrace records: {}", e.what()));
    }
    for (const std::string& p : report_.ftrace.problems) report_.problems.push_back("ftrace records: " + p);
    try {
      report_.kprobes = read_kprobes(program);
    } catch (const Error& e) {
      report_.problems.push_back(fmt::format("kprobes: {}", e.what()));
    }
    for (const std::string& p : report_.kprobes.problems) report_.problems.push_back("kprobes: " + p);
    images_ = kernel_text_images(program);
    KernelLayout layout(program);
    for (const TextImage& img : images_) {
      try {
        sites_.add(program, layout, img);
      } catch (const Error& e) {
        report_.problems.push_back(fmt::format("{}: patch-site tables: {}", img.name(), e.what()));
      }
      for (const std::string& p : img.problems()) report_.problems.push_back(p);
    }
    for (const std::string& p : sites_.problems()) report_.problems.push_back(p);
    for (const char* label : {"ftrace_call", "ftrace_regs_call", "ftrace_graph_call"})
      for (const auto& m : program.debug_info().modules())
        for (const Symbol& s : m->symbols().lookup(label)) labels_.emplace_back(s.address, label);
  }

  const std::vector<TextImage>& images() const { return images_; }

  void compare(const TextImage& img, uint64_t begin, uint64_t end, ProgressLine& progress) {
    for (uint64_t at = begin; at < end; at += kChunk) {
      uint64_t n = std::min(kChunk, end - at);
      compare_chunk(img, at, n);
      progress.advance((n + 1023) / 1024);
    }
  }

 private:
  void problem(std::string p) {
    if (report_.problems.size() < kMaxProblems) report_.problems.push_back(std::move(p));
  }

  void compare_chunk(const TextImage& img, uint64_t base, uint64_t n) {
    std::vector<uint8_t> disk;
    std::vector<bool> unknown;
    if (!img.read(base, n, disk, &unknown)) {
      problem(fmt::format("{}: {:#x}+{:#x} is not in the file's text", img.name(), base, n));
      return;
    }
    std::vector<uint8_t> mem(n);
    std::vector<bool> readable(n, true);
    try {
      program_.memory().read(base, mem.data(), n);
    } catch (const FaultError&) {
      // Page by page, so that one missing page costs only itself.
      for (uint64_t p = base & ~(kPage - 1); p < base + n; p += kPage) {
        uint64_t s = std::max(p, base), e = std::min(p + kPage, base + n);
        try {
          program_.memory().read(s, mem.data() + (s - base), e - s);
        } catch (const FaultError& f) {
          std::fill(readable.begin() + static_cast<ptrdiff_t>(s - base), readable.begin() + static_cast<ptrdiff_t>(e - base), false);
          problem(fmt::format("{}: text {:#x}-{:#x} not compared: {}", img.name(), s, e, f.what()));
        }
      }
    }
    report_.bytes_compared += n;
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t q = base + i;
      if (q < covered_until_ || !readable[i] || unknown[i] || mem[i] == disk[i]) continue;
      Explanation x = explain(img, q, base, mem, disk);
      if (x.relocation) {
        if (report_.relocation_sites.size() < 1000) {
          TextPatch r;
          r.address = x.start;
          r.length = x.length;
          r.module = img.name();
          r.function = symbol(x.start);
          r.reason = "relocation";
          r.detail = "moved by the KASLR offset; no relocation in the file names it";
          r.original.assign(disk.begin() + static_cast<ptrdiff_t>(x.start - base),
                            disk.begin() + static_cast<ptrdiff_t>(x.start - base + x.length));
          r.current.assign(mem.begin() + static_cast<ptrdiff_t>(x.start - base),
                           mem.begin() + static_cast<ptrdiff_t>(x.start - base + x.length));
          report_.relocation_sites.push_back(std::move(r));
        }
        ++report_.relocations;
        covered_until_ = x.start + x.length;
        continue;
      }
      if (x.reason.empty()) {
        // Unexplained: the run of differing bytes (gaps of up to 3 equal bytes).
        uint64_t last = i;
        for (uint64_t j = i + 1; j < n && j <= last + 4; ++j)
          if (readable[j] && !unknown[j] && mem[j] != disk[j] && !explained_elsewhere(base + j)) last = j;
        x.start = instruction_start(img, q);
        x.length = static_cast<uint32_t>(base + last + 1 - x.start);
        x.reason = "unexplained";
      }
      add_patch(img, x);
      covered_until_ = std::max(covered_until_, x.start + x.length);
    }
  }

  bool explained_elsewhere(uint64_t q) {
    if (report_.ftrace.first_in(q >= 4 ? q - 4 : 0, q + 1)) return true;
    return !sites_.covering(q).empty();
  }

  const KprobeInfo* kprobe_near(uint64_t q) const {
    for (const KprobeInfo& k : report_.kprobes.probes) {
      uint64_t len = (k.flags & kKprobeFlagOptimized) ? 5 : 1;
      if (q >= k.addr && q < k.addr + len) return &k;
    }
    return nullptr;
  }

  std::string symbol(uint64_t a) const {
    std::optional<SymbolInfo> s = program_.debug_info().symbolize(a);
    if (!s) return fmt::format("{:#x}", a);
    return a == s->address ? s->name : fmt::format("{}+{:#x}", s->name, a - s->address);
  }

  Explanation explain(const TextImage& img, uint64_t q, uint64_t base, const std::vector<uint8_t>& mem,
                      const std::vector<uint8_t>& disk) {
    Explanation x;
    if (const FtraceRecord* rec = report_.ftrace.first_in(q >= 4 ? q - 4 : 0, q + 1)) {
      x.start = rec->ip;
      x.length = 5;
      x.reason = "ftrace";
      std::string f = report_.ftrace.flag_names(rec->flags);
      x.detail = fmt::format("dyn_ftrace flags={} refs={}", f.empty() ? "0" : f, report_.ftrace.ref_count(rec->flags));
      if (const KprobeInfo* k = report_.kprobes.at(rec->ip)) x.detail += "; " + kprobe_detail(*k);
      return x;
    }
    if (const KprobeInfo* k = kprobe_near(q)) {
      x.start = k->addr;
      x.length = (k->flags & kKprobeFlagOptimized) ? 5 : 1;
      x.reason = (k->flags & kKprobeFlagOptimized) ? "optimized kprobe" : "kprobe";
      x.detail = kprobe_detail(*k);
      std::vector<uint8_t> orig;
      if (img.read(k->addr, 1, orig)) x.detail += fmt::format("; file byte {:#04x}", orig[0]);
      return x;
    }
    // ftrace's own call sites are in .call_sites too: named first.
    for (const auto& [addr, name] : labels_) {
      if (q >= addr && q < addr + 5) {
        x.start = addr;
        x.length = 5;
        x.reason = "ftrace caller";
        x.detail = name;
        return x;
      }
    }
    std::vector<const PatchSite*> s = sites_.covering(q);
    if (!s.empty()) {
      const PatchSite* best = *std::min_element(s.begin(), s.end(), [](const PatchSite* a, const PatchSite* b) {
        return site_rank(a->kind) < site_rank(b->kind);
      });
      x.start = best->address;
      x.length = best->length;
      x.reason = best->kind == PatchSiteKind::Mcount ? "ftrace" : patch_site_kind_name(best->kind);
      if (best->kind == PatchSiteKind::Mcount) x.detail = "mcount site without a dyn_ftrace record";
      else if (best->kind == PatchSiteKind::Alternative) x.detail = fmt::format("feature {:#x}", best->detail);
      else if (best->detail) x.detail = "key " + symbol(best->detail);
      return x;
    }
    if (std::optional<SymbolInfo> sym = program_.debug_info().symbolize(q); sym && sym->name.starts_with("__SCT__")) {
      x.start = sym->address;
      x.length = static_cast<uint32_t>(std::min<uint64_t>(std::max<uint64_t>(sym->size, 1), 8));
      x.reason = "static call trampoline";
      x.detail = sym->name.substr(7);
      return x;
    }
    // A field moved by the KASLR offset that no relocation named.
    if (uint64_t k = img.kaslr_offset()) {
      for (unsigned w : {8u, 4u}) {
        for (uint64_t p = q >= w - 1 ? q - (w - 1) : 0; p <= q; ++p) {
          if (p < base || p + w > base + mem.size()) continue;
          uint64_t m = 0, d = 0;
          for (unsigned b = 0; b < w; ++b) {
            m |= uint64_t{mem[p - base + b]} << (8 * b);
            d |= uint64_t{disk[p - base + b]} << (8 * b);
          }
          uint64_t mask = w == 8 ? ~uint64_t{0} : 0xffffffffu;
          if (((m - d) & mask) == (k & mask) || ((d - m) & mask) == (k & mask)) {
            x.relocation = true;
            x.start = p;
            x.length = w;
            return x;
          }
        }
      }
    }
    return x;
  }

  std::string kprobe_detail(const KprobeInfo& k) const {
    std::string s = k.kretprobe ? "kretprobe" : (k.aggregate ? "aggregate kprobe" : "kprobe");
    s += fmt::format(" {:#x}", k.address);
    if (!k.flags) s += " flags=0";
    else s += " flags=" + kprobe_flag_names(k.flags);
    if (!(k.flags & kKprobeFlagFtrace)) s += fmt::format(" saved opcode {:#04x}", k.opcode);
    if (k.kretprobe) {
      if (!k.kretprobe->handler_symbol.empty()) s += " handler=" + k.kretprobe->handler_symbol;
    } else {
      const KprobeInfo& h = k.aggregate && !k.children.empty() ? k.children.front() : k;
      if (!h.pre_handler_symbol.empty()) s += " pre=" + h.pre_handler_symbol;
      if (!h.post_handler_symbol.empty()) s += " post=" + h.post_handler_symbol;
    }
    return s;
  }

  // The instruction boundary at or before `q`, decoding the file's function from its start.
  uint64_t instruction_start(const TextImage& img, uint64_t q) {
    std::optional<SymbolInfo> sym = program_.debug_info().symbolize(q);
    if (!sym || q - sym->address > 65536) return q;
    std::vector<uint8_t> bytes;
    if (!img.read(sym->address, q - sym->address + 1, bytes)) return q;
    uint64_t start = sym->address;
    for (const Instruction& ins : decoder_.decode(bytes, sym->address)) {
      if (ins.address > q) break;
      start = ins.address;
    }
    return start;
  }

  std::string describe(const std::vector<uint8_t>& bytes, uint64_t address) const {
    std::string s;
    int count = 0;
    for (const Instruction& ins : decoder_.decode(bytes, address, 4)) {
      std::string t = ins.text();
      if ((ins.is_call || ins.is_jump) && ins.operands.starts_with("0x")) {
        uint64_t target = std::stoull(ins.operands, nullptr, 16);
        std::optional<SymbolInfo> s = program_.debug_info().symbolize(target);
        // ftrace's per-ops trampolines and kprobe detour buffers have no ELF symbol.
        if (s) t += " <" + symbol(target) + ">";
        else if (const FtraceOps* o = report_.ftrace.trampoline_owner(target))
          // A livepatch shows as the trampoline of its klp_ops, whose func is
          // klp_ftrace_handler (kernel/livepatch/patch.c).
          t += fmt::format(" <ftrace trampoline of {} ({}){}>",
                           o->name.empty() ? fmt::format("ops {:#x}", o->address) : o->name,
                           o->func_name.empty() ? fmt::format("{:#x}", o->func) : o->func_name,
                           o->func_name.starts_with("klp_ftrace_handler") ? ": livepatch" : "");
        else t += " <no symbol>";
      }
      s += (count++ ? "; " : "") + t;
    }
    return s;
  }

  bool all_nops(const std::vector<uint8_t>& bytes, uint64_t address) const {
    std::vector<Instruction> ins = decoder_.decode(bytes, address);
    return !ins.empty() && std::all_of(ins.begin(), ins.end(), [](const Instruction& i) {
      return !i.invalid && i.mnemonic.starts_with("nop");
    });
  }

  // Whether the dump's bytes at a site have a shape its patcher writes (arch/x86/kernel:
  // ftrace.c ftrace_call_replace()/ftrace_nop_replace(), kprobes core.c (int3) and opt.c
  // (jmp32), jump_label.c (jmp8/jmp32 or a NOP), static_call.c (call/jmp32, NOP, ret),
  // alternative.c apply_returns() (ret; int3 or jmp32) and poison_endbr() (a NOP),
  // alternatives_smp_unlock/lock (DS or LOCK prefix)). Tables with free-form
  // replacements (alternatives, paravirt, retpolines, runtime consts) are not checked.
  bool plausible(const std::string& reason, const std::vector<uint8_t>& cur, uint64_t address) const {
    const uint8_t b = cur.front();
    if (reason == "ftrace") return b == 0xe8 || b == 0xe9 || all_nops(cur, address);
    if (reason == "kprobe") return b == 0xcc;
    if (reason == "optimized kprobe") return b == 0xe9;
    if (reason == "jump label")
      return b == 0xeb || b == 0xe9 || all_nops(std::vector<uint8_t>(cur.begin(), cur.begin() + (cur.size() >= 5 ? 5 : cur.size())), address) ||
             all_nops(std::vector<uint8_t>(cur.begin(), cur.begin() + std::min<size_t>(2, cur.size())), address);
    // static_call.c: call/jmp32, ret, Jcc.d32, xor5rax (cs cs cs xorl; data16 data16
    // xorq), warninsn (67 48 0f b9: ud1 for __WARN_trap), unlockinsn (ds ds movb), NOP.
    if (reason == "static call")
      return b == 0xe8 || b == 0xe9 || b == 0xc3 || b == 0x2e || b == 0x66 || b == 0x67 || b == 0x3e ||
             (b == 0x0f && cur.size() > 1 && (cur[1] & 0xf0) == 0x80) || all_nops(cur, address);
    if (reason == "return thunk") return b == 0xc3 || b == 0xe9 || b == 0xcc;
    if (reason == "endbr seal") return all_nops(cur, address);
    if (reason == "smp lock") return b == 0x3e || b == 0xf0;
    return true;
  }

  void add_patch(const TextImage& img, const Explanation& x) {
    TextPatch p;
    p.address = x.start;
    p.length = x.length;
    p.module = img.name();
    p.function = symbol(x.start);
    p.reason = x.reason;
    p.detail = x.detail;
    if (!img.read(x.start, x.length, p.original)) p.original.clear();
    p.current.resize(x.length);
    try {
      program_.memory().read(x.start, p.current.data(), p.current.size());
    } catch (const FaultError&) {
      p.current.clear();
    }
    p.original_text = describe(p.original, x.start);
    p.current_text = describe(p.current, x.start);
    if (x.reason == "kprobe" || x.reason == "optimized kprobe") {
      // The probed instruction is longer than the int3 (or jmp32) over its start.
      std::vector<uint8_t> whole;
      if (img.read(x.start, 15, whole) || img.read(x.start, 1, whole)) {
        std::vector<Instruction> ins = decoder_.decode(whole, x.start, 1);
        if (!ins.empty()) p.original_text = ins.front().text();
      }
    }
    if (!p.current.empty() && p.current.front() == 0xcc && !plausible(p.reason, p.current, x.start)) {
      // text_poke_bp() (arch/x86/kernel/alternative.c) puts an int3 over the first byte,
      // writes the rest, then the new first byte: a dump taken in between shows this.
      p.detail = "int3 of a text_poke_bp() in progress" + (p.detail.empty() ? "" : "; " + p.detail);
    } else if (!p.current.empty() && !plausible(p.reason, p.current, x.start)) {
      p.detail = fmt::format("a {} site, but not what {} writes there{}", p.reason, p.reason,
                             p.detail.empty() ? "" : "; " + p.detail);
      p.reason = "unexplained";
    }
    if (x.reason == "ftrace" && p.reason == "ftrace") {
      // What the call site does now, in words.
      // A NOP is the state ftrace_init() leaves every site in: "ftrace nop" sets it
      // apart from the sites that call a tracer now. Which NOP depends on the kernel
      // (5.10's ideal_nops: 66 66 66 66 90; later x86_nops: 0f 1f 44 00 00).
      bool nop = !p.current.empty();
      for (const Instruction& ins : decoder_.decode(p.current, x.start))
        if (!ins.mnemonic.starts_with("nop")) nop = false;
      if (nop) p.reason = "ftrace nop";
      else if (!p.current.empty()) p.detail = p.current_text + "; " + p.detail;
    }
    ++report_.by_reason[p.reason];
    report_.patches.push_back(std::move(p));
  }

  Program& program_;
  TextPatchReport& report_;
  std::vector<TextImage> images_;
  PatchSiteTables sites_;
  std::vector<std::pair<uint64_t, std::string>> labels_;
  InstructionDecoder decoder_;
  uint64_t covered_until_ = 0;
};

}  // namespace

TextPatchReport find_text_patches(Program& program, const TextPatchOptions& options) {
  TextPatchReport report;
  Comparer cmp(program, report);
  struct Range {
    const TextImage* image;
    uint64_t begin, end;
  };
  std::vector<Range> ranges;
  if (!options.glob.empty()) {
    for (const TextFunction& f : text_functions(cmp.images(), options.glob)) {
      ranges.push_back({f.image, f.address, f.address + f.size});
      ++report.functions_compared;
    }
  } else {
    for (const TextImage& img : cmp.images())
      for (const TextSection& t : img.sections())
        if (!t.freed) ranges.push_back({&img, t.address, t.address + t.bytes.size()});
    report.functions_compared = text_functions(cmp.images(), "").size();
  }
  uint64_t total = 0;
  for (const Range& r : ranges) total += r.end - r.begin;
  ProgressLine progress("comparing text with vmlinux and modules", (total + 1023) / 1024, "KiB");
  for (const Range& r : ranges) cmp.compare(*r.image, r.begin, r.end, progress);
  std::sort(report.patches.begin(), report.patches.end(),
            [](const TextPatch& a, const TextPatch& b) { return a.address < b.address; });
  std::set<std::string> functions;
  for (const TextPatch& p : report.patches) functions.insert(p.function.substr(0, p.function.find('+')));
  report.functions_patched = functions.size();
  return report;
}

}  // namespace kdive
