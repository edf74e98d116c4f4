// The instrumentation view: what probes and tracers did to the kernel's text.
//   kprobes [--json]                 registered kprobes/kretprobes (kprobes.h)
//   entries [--json] [--summary] [--opcode HEX] [GLOB]
//                                    each function's first instruction in the dump and on
//                                    disk, with ModRM/SIB and its ftrace site (function_entries.h);
//                                    --summary counts functions per first instruction
//                                    (opcode, length, mnemonic), --opcode keeps those
//                                    whose first opcode bytes start with HEX ("9c", "0f1f")
//   patched [--json] [--summary] [--reason R,...] [GLOB]
//                                    text that differs from vmlinux/.ko and why (text_patches.h)
#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command_interpreter.h"
#include "kdive/error.h"
#include "linux/function_entries.h"
#include "linux/kprobes.h"
#include "linux/text_patches.h"

namespace kdive {

namespace {

std::string dump_json(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

std::string hex_bytes(const std::vector<uint8_t>& b) {
  std::string s;
  for (uint8_t x : b) s += fmt::format("{}{:02x}", s.empty() ? "" : " ", x);
  return s;
}

std::string hex(uint64_t v) { return fmt::format("{:#x}", v); }

void need_kernel(CommandContext& ctx, const char* cmd) {
  if (!ctx.program.is_kernel() || !ctx.program.has_core()) throw UsageError(fmt::format("{}: needs a kernel dump", cmd));
}

nlohmann::json kprobe_json(const KprobeInfo& k) {
  nlohmann::json j{{"kprobe", hex(k.address)}, {"addr", hex(k.addr)}, {"symbol", k.symbol},
                   {"symbol_name", k.symbol_name}, {"offset", k.offset}, {"flags", k.flags},
                   {"flag_names", kprobe_flag_names(k.flags)}, {"ftrace", (k.flags & kKprobeFlagFtrace) ? 1 : 0},
                   {"opcode", fmt::format("{:#04x}", k.opcode)}, {"nmissed", k.nmissed},
                   {"pre_handler", k.pre_handler_symbol}, {"post_handler", k.post_handler_symbol},
                   {"type", k.kretprobe ? "kretprobe" : (k.aggregate ? "aggregate" : "kprobe")}};
  if (k.kretprobe) {
    j["kretprobe"] = {{"address", hex(k.kretprobe->address)}, {"handler", k.kretprobe->handler_symbol},
                      {"entry_handler", k.kretprobe->entry_handler_symbol}, {"maxactive", k.kretprobe->maxactive},
                      {"nmissed", k.kretprobe->nmissed}};
  }
  if (k.optimized_insn) j["optimized"] = {{"insn", hex(*k.optimized_insn)}, {"copied", hex_bytes(k.optimized_copied)}};
  if (!k.children.empty()) {
    nlohmann::json c = nlohmann::json::array();
    for (const KprobeInfo& ch : k.children) c.push_back(kprobe_json(ch));
    j["children"] = c;
  }
  if (!k.problems.empty()) j["problems"] = k.problems;
  return j;
}

void print_kprobe(std::ostream& out, const KprobeInfo& k, const std::string& indent) {
  std::string type = k.kretprobe ? "kretprobe" : (k.aggregate ? "aggregate" : "kprobe");
  out << fmt::format("{}{:#x}  {}  {}  flags={}  opcode={:#04x}  nmissed={}  kprobe={:#x}\n", indent, k.addr,
                     k.symbol.empty() ? "?" : k.symbol, type, k.flags ? kprobe_flag_names(k.flags) : "0", k.opcode,
                     k.nmissed, k.address);
  if (!k.symbol_name.empty() || k.offset)
    out << fmt::format("{}    registered as {}+{:#x}\n", indent, k.symbol_name.empty() ? "(address)" : k.symbol_name,
                       k.offset);
  if (k.kretprobe) {
    out << fmt::format("{}    handler={} entry_handler={} maxactive={} nmissed={}\n", indent,
                       k.kretprobe->handler_symbol.empty() ? "-" : k.kretprobe->handler_symbol,
                       k.kretprobe->entry_handler_symbol.empty() ? "-" : k.kretprobe->entry_handler_symbol,
                       k.kretprobe->maxactive, k.kretprobe->nmissed);
  } else if (!k.aggregate) {
    out << fmt::format("{}    pre_handler={} post_handler={}\n", indent,
                       k.pre_handler_symbol.empty() ? "-" : k.pre_handler_symbol,
                       k.post_handler_symbol.empty() ? "-" : k.post_handler_symbol);
  }
  if (k.optimized_insn)
    out << fmt::format("{}    optimized: detour {:#x}, copied bytes {}\n", indent, *k.optimized_insn,
                       hex_bytes(k.optimized_copied));
  for (const std::string& p : k.problems) out << fmt::format("{}    problem: {}\n", indent, p);
  for (const KprobeInfo& c : k.children) print_kprobe(out, c, indent + "    ");
}

void kprobes_command(CommandContext& ctx, std::string_view arg) {
  need_kernel(ctx, "kprobes");
  for (const std::string& w : split_words(arg)) {
    if (w == "--json") ctx.json = true;
    else throw UsageError("kprobes: usage: kprobes [--json]");
  }
  KprobeTable t = read_kprobes(ctx.program);
  if (ctx.json) {
    for (const KprobeInfo& k : t.probes) ctx.out << dump_json(kprobe_json(k)) << "\n";
    for (const std::string& p : t.problems) ctx.out << dump_json({{"problem", p}}) << "\n";
    return;
  }
  ctx.out << fmt::format("{} kprobes in {} buckets of kprobe_table\n", t.probes.size(), t.buckets);
  for (const KprobeInfo& k : t.probes) print_kprobe(ctx.out, k, "");
  for (const std::string& p : t.problems) ctx.out << "problem: " << p << "\n";
}

nlohmann::json insn_json(const EntryInstruction& e) {
  nlohmann::json j{{"address", hex(e.address)}, {"bytes", hex_bytes(e.bytes)}, {"length", e.bytes.size()},
                   {"instruction", e.text}};
  if (e.encoding) {
    j["opcode"] = e.encoding->opcode_hex();
    j["prefixes"] = hex_bytes(e.encoding->prefixes);
    if (e.encoding->rex) j["rex"] = fmt::format("{:02x}", e.encoding->rex);
    if (e.encoding->modrm)
      j["modrm"] = {{"byte", fmt::format("{:02x}", *e.encoding->modrm)}, {"mod", e.encoding->mod()},
                    {"reg", e.encoding->reg()}, {"rm", e.encoding->rm()}};
    if (e.encoding->sib)
      j["sib"] = {{"byte", fmt::format("{:02x}", *e.encoding->sib)}, {"scale", e.encoding->scale()},
                  {"index", e.encoding->index()}, {"base", e.encoding->base()}};
  }
  if (!e.problem.empty()) j["problem"] = e.problem;
  return j;
}

std::string insn_line(const char* where, const EntryInstruction& e) {
  if (!e.problem.empty()) return fmt::format("    {:<6} {:#x}  unreadable: {}\n", where, e.address, e.problem);
  std::string op = e.encoding ? e.encoding->opcode_hex() : "?";
  return fmt::format("    {:<6} {:#x}  len={:<2} {:<24} op={:<6} modrm={:<24} sib={:<28} {}\n", where, e.address,
                     e.bytes.size(), hex_bytes(e.bytes), op, e.encoding ? e.encoding->modrm_text() : "-",
                     e.encoding ? e.encoding->sib_text() : "-", e.text);
}

// "0f 1f" → "0f1f": opcode prefixes are given without spaces.
std::string packed_opcode(const EntryInstruction& e) {
  std::string s;
  if (e.encoding)
    for (uint8_t b : e.encoding->opcode) s += fmt::format("{:02x}", b);
  return s;
}

void entries_command(CommandContext& ctx, std::string_view arg) {
  need_kernel(ctx, "entries");
  static const char* kUsage = "entries: usage: entries [--json] [--summary] [--opcode HEX] [GLOB]";
  std::string glob, opcode;
  bool summary = false;
  std::vector<std::string> w = split_words(arg);
  for (size_t i = 0; i < w.size(); ++i) {
    if (w[i] == "--json") ctx.json = true;
    else if (w[i] == "--summary") summary = true;
    else if (w[i] == "--opcode" && i + 1 < w.size()) {
      opcode = w[++i];
      if (opcode.starts_with("0x")) opcode = opcode.substr(2);
      for (char& c : opcode) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (opcode.empty() || opcode.find_first_not_of("0123456789abcdef") != std::string::npos) throw UsageError(kUsage);
    } else if (w[i].starts_with("--") || !glob.empty()) throw UsageError(kUsage);
    else glob = w[i];
  }
  FunctionEntries r = function_entries(ctx.program, glob);
  // --opcode: the first instruction on disk or in memory starts with these opcode bytes
  // (the seed's "bisect by opcode class": --opcode 9c finds every pushfq entry).
  if (!opcode.empty())
    std::erase_if(r.entries, [&](const FunctionEntry& e) {
      return !packed_opcode(e.disk).starts_with(opcode) && !packed_opcode(e.memory).starts_with(opcode);
    });
  if (summary) {
    // Functions per first instruction on disk: opcode, length, ModRM presence, mnemonic.
    std::map<std::tuple<std::string, size_t, std::string>, uint64_t> counts;
    for (const FunctionEntry& e : r.entries) {
      std::string mnemonic = e.disk.text.substr(0, e.disk.text.find(' '));
      counts[{e.disk.encoding ? e.disk.encoding->opcode_hex() : "?", e.disk.bytes.size(), mnemonic}]++;
    }
    std::vector<std::pair<uint64_t, std::tuple<std::string, size_t, std::string>>> rows;
    for (const auto& [k, n] : counts) rows.emplace_back(n, k);
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [n, k] : rows) {
      const auto& [op, len, mnemonic] = k;
      if (ctx.json)
        ctx.out << dump_json({{"opcode", op}, {"length", len}, {"mnemonic", mnemonic}, {"functions", n}}) << "\n";
      else
        ctx.out << fmt::format("{:>8}  op={:<10} len={:<2} {}\n", n, op, len, mnemonic);
    }
    if (!ctx.json) ctx.out << fmt::format("{} functions\n", r.entries.size());
    return;
  }
  for (const FunctionEntry& e : r.entries) {
    if (ctx.json) {
      nlohmann::json j{{"function", e.name}, {"module", e.module}, {"address", hex(e.address)}, {"size", e.size},
                       {"memory", insn_json(e.memory)}, {"disk", insn_json(e.disk)},
                       {"ftrace_site", e.ftrace_ip && *e.ftrace_ip == e.address}};
      if (e.ftrace_ip)
        j["ftrace"] = {{"ip", hex(*e.ftrace_ip)}, {"offset", *e.ftrace_ip - e.address}, {"flags", e.ftrace_flags},
                       {"flag_names", e.ftrace_flag_names}, {"refs", e.ftrace_refs}};
      if (e.ftrace_memory) j["ftrace_memory"] = insn_json(*e.ftrace_memory);
      if (e.ftrace_disk) j["ftrace_disk"] = insn_json(*e.ftrace_disk);
      ctx.out << dump_json(j) << "\n";
      continue;
    }
    std::string ft = "no ftrace site";
    if (e.ftrace_ip)
      ft = fmt::format("ftrace site +{:#x} flags={} refs={}", *e.ftrace_ip - e.address,
                       e.ftrace_flag_names.empty() ? "0" : e.ftrace_flag_names, e.ftrace_refs);
    ctx.out << fmt::format("{:#x} {}{} size={:#x}  {}\n", e.address, e.name,
                           e.module == "vmlinux" ? "" : " [" + e.module + "]", e.size, ft);
    ctx.out << insn_line("memory", e.memory) << insn_line("disk", e.disk);
    if (e.ftrace_memory) ctx.out << insn_line("ftrace", *e.ftrace_memory);
    if (e.ftrace_disk) ctx.out << insn_line("(disk)", *e.ftrace_disk);
  }
  for (const std::string& p : r.problems) ctx.out << (ctx.json ? dump_json({{"problem", p}}) : "problem: " + p) << "\n";
  if (!ctx.json) ctx.out << fmt::format("{} functions\n", r.entries.size());
}

void patched_command(CommandContext& ctx, std::string_view arg) {
  need_kernel(ctx, "patched");
  static const char* kUsage = "patched: usage: patched [--json] [--summary] [--reason R[,R...]] [GLOB]";
  TextPatchOptions o;
  bool summary = false;
  std::vector<std::string> reasons;
  std::vector<std::string> w = split_words(arg);
  for (size_t i = 0; i < w.size(); ++i) {
    if (w[i] == "--json") ctx.json = true;
    else if (w[i] == "--summary") summary = true;
    else if (w[i] == "--reason" && i + 1 < w.size()) {
      std::string list = w[++i];
      for (size_t p = 0; p <= list.size();) {
        size_t c = list.find(',', p);
        if (c == std::string::npos) c = list.size();
        // Multi-word reasons are given with '-' or '_': jump-label, return_thunk.
        std::string r = list.substr(p, c - p);
        for (char& ch : r)
          if (ch == '-' || ch == '_') ch = ' ';
        if (!r.empty()) reasons.push_back(r);
        p = c + 1;
      }
    } else if (w[i].starts_with("--") || !o.glob.empty()) throw UsageError(kUsage);
    else o.glob = w[i];
  }
  TextPatchReport r = find_text_patches(ctx.program, o);
  auto wanted = [&](const TextPatch& p) {
    return reasons.empty() || std::find(reasons.begin(), reasons.end(), p.reason) != reasons.end();
  };
  // --reason relocation: the KASLR-moved fields no relocation named (not patches).
  if (std::find(reasons.begin(), reasons.end(), "relocation") != reasons.end())
    r.patches.insert(r.patches.end(), r.relocation_sites.begin(), r.relocation_sites.end());
  if (!summary) {
    for (const TextPatch& p : r.patches) {
      if (!wanted(p)) continue;
      if (ctx.json) {
        ctx.out << dump_json({{"address", hex(p.address)}, {"length", p.length}, {"module", p.module},
                              {"function", p.function}, {"reason", p.reason}, {"detail", p.detail},
                              {"original", hex_bytes(p.original)}, {"current", hex_bytes(p.current)},
                              {"original_instruction", p.original_text}, {"current_instruction", p.current_text}})
                << "\n";
        continue;
      }
      ctx.out << fmt::format("{:#x} {}{}  {}{}\n", p.address, p.function, p.module == "vmlinux" ? "" : " [" + p.module + "]",
                             p.reason, p.detail.empty() ? "" : ": " + p.detail);
      ctx.out << fmt::format("    file:   {:<24} {}\n", hex_bytes(p.original), p.original_text);
      ctx.out << fmt::format("    memory: {:<24} {}\n", hex_bytes(p.current), p.current_text);
    }
  }
  uint64_t enabled = 0;
  for (const FtraceRecord& rec : r.ftrace.records)
    if (r.ftrace.has_flag(rec.flags, "ENABLED")) ++enabled;
  if (ctx.json) {
    nlohmann::json j{{"summary", true}, {"functions_compared", r.functions_compared},
                     {"bytes_compared", r.bytes_compared}, {"functions_patched", r.functions_patched},
                     {"patches", r.patches.size()}, {"by_reason", r.by_reason}, {"relocations", r.relocations},
                     {"ftrace_records", r.ftrace.records.size()}, {"ftrace_enabled", enabled},
                     {"kprobes", r.kprobes.probes.size()}, {"problems", r.problems}};
    ctx.out << dump_json(j) << "\n";
    return;
  }
  ctx.out << fmt::format("compared {} functions ({} KiB): {} patches in {} functions; {} KASLR-relocated fields\n",
                         r.functions_compared, r.bytes_compared / 1024, r.patches.size(), r.functions_patched,
                         r.relocations);
  for (const auto& [reason, n] : r.by_reason) ctx.out << fmt::format("  {:<24} {}\n", reason, n);
  ctx.out << fmt::format("ftrace: {} records, {} enabled; kprobes: {}\n", r.ftrace.records.size(), enabled,
                         r.kprobes.probes.size());
  for (const std::string& p : r.problems) ctx.out << "problem: " << p << "\n";
}

}  // namespace

void register_instrumentation_commands(CommandTable& t) {
  add_command(t, "kprobes", "kprobes [--json]",
              "registered kprobes and kretprobes: address, flags, saved opcode, handlers", kprobes_command);
  add_command(t, "entries", "entries [--json] [--summary] [--opcode HEX] [GLOB]",
              "each function's first instruction in the dump and on disk (opcode, ModRM, SIB) and its ftrace site",
              entries_command);
  add_command(t, "patched", "patched [--json] [--summary] [--reason R[,R...]] [GLOB]",
              "text that differs from vmlinux/.ko on disk, and why (ftrace, kprobe, alternative, ...)", patched_command);
}

}  // namespace kdive
