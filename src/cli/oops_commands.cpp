// The commands for crash-report decoding: `oops` (find, symbolize, decode and explain
// the reports in a console log, stdin or the dump's own dmesg), `addr2line`,
// `decodecode` and `dis`. Thin: the work is in src/oops/.
//
//   oops [--json] [--intel] [--modules DIR] [--kaslr OFFSET] [FILE|-]
//   addr2line [--gnu] [--json] [--modules DIR] [--kaslr OFFSET] ADDR|SYM+OFF[/SIZE] [[MOD]]...
//   decodecode [--intel] [FILE|-|Code: ...]
//   dis [-l] [--intel] [--modules DIR] FUNC|ADDR|SYM+OFF [[MOD]]
#include <fstream>
#include <iostream>
#include <iterator>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command_interpreter.h"
#include "kdive/error.h"
#include "linux/printk.h"
#include "oops/code_listing.h"
#include "oops/frame_symbolizer.h"
#include "oops/function_disassembly.h"
#include "oops/report_decoder.h"
#include "oops/report_parser.h"

namespace kdive {

namespace {

constexpr size_t kMaxInput = 1ull << 30;  // reports are text; refuse more than 1 GiB

struct OopsArgs {
  bool json = false, intel = false, gnu = false, source_lines = false;
  std::vector<std::string> modules;
  std::optional<uint64_t> kaslr;
  std::vector<std::string> rest;
};

OopsArgs parse_args(std::string_view cmd, std::string_view arg, bool json, const std::string& allowed) {
  OopsArgs a;
  a.json = json;
  std::vector<std::string> w = split_words(arg);
  for (size_t i = 0; i < w.size(); ++i) {
    const std::string& s = w[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= w.size()) throw UsageError(fmt::format("{}: {} needs a value", cmd, s));
      return w[++i];
    };
    if (s == "--json" && allowed.find('j') != std::string::npos) {
      a.json = true;
    } else if (s == "--intel" && allowed.find('i') != std::string::npos) {
      a.intel = true;
    } else if (s == "--gnu" && allowed.find('g') != std::string::npos) {
      a.gnu = true;
    } else if (s == "-l" && allowed.find('l') != std::string::npos) {
      a.source_lines = true;
    } else if (s == "--modules" && allowed.find('m') != std::string::npos) {
      a.modules.push_back(value());
    } else if (s == "--kaslr" && allowed.find('k') != std::string::npos) {
      std::string v = value();
      try {
        a.kaslr = std::stoull(v, nullptr, 0);
      } catch (const std::exception&) {
        throw UsageError(fmt::format("{}: bad --kaslr value '{}'", cmd, v));
      }
    } else if (s.size() > 1 && s[0] == '-' && s != "-" && !(cmd == "decodecode" && s == "Code:")) {
      throw UsageError(fmt::format("{}: unknown option '{}'", cmd, s));
    } else {
      a.rest.push_back(s);
    }
  }
  return a;
}

std::string read_input(const std::string& path) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw OsError(errno, path);
    text.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  if (text.size() > kMaxInput) throw UsageError(fmt::format("{}: more than 1 GiB of text", path));
  return text;
}

std::unique_ptr<FrameSymbolizer> make_symbolizer(CommandContext& ctx, const OopsArgs& a) {
  bool any = !ctx.program.debug_info().modules().empty();
  if (!any && a.modules.empty()) return nullptr;
  auto sym = std::make_unique<FrameSymbolizer>(ctx.program.debug_info());
  for (const std::string& d : a.modules) sym->add_module_directory(d);
  if (a.kaslr) sym->set_kaslr_offset(*a.kaslr);
  else if (ctx.program.has_core()) sym->set_kaslr_offset(0);  // vmlinux is already relocated
  return sym;
}

void oops_command(CommandContext& ctx, std::string_view arg) {
  OopsArgs a = parse_args("oops", arg, ctx.json, "jimk");
  if (a.rest.size() > 1) throw UsageError("oops: one report file (or - for stdin) at most");
  std::string text;
  if (!a.rest.empty()) {
    text = read_input(a.rest[0]);
  } else if (ctx.program.has_core()) {
    text = format_dmesg(read_printk_log(ctx.program).records, DmesgOptions{});
  } else {
    throw UsageError("oops: give a report file (or - for stdin), or a dump with -c");
  }
  std::vector<OopsReport> reports = find_reports(text);
  auto sym = make_symbolizer(ctx, a);
  DecodeOptions opt;
  opt.syntax = a.intel ? AsmSyntax::Intel : AsmSyntax::Att;
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < reports.size(); ++i) {
    DecodedReport d = decode_report(reports[i], sym.get(), opt);
    if (a.json) {
      list.push_back(decoded_report_json(d));
    } else {
      if (i) ctx.out << "\n";
      if (reports.size() > 1) ctx.out << fmt::format("Report {} of {}:\n", i + 1, reports.size());
      ctx.out << format_decoded_report(d);
    }
  }
  if (a.json) ctx.out << list.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  else if (reports.empty()) ctx.out << "no crash report found\n";
}

void addr2line_command(CommandContext& ctx, std::string_view arg) {
  OopsArgs a = parse_args("addr2line", arg, ctx.json, "jgmk");
  if (a.rest.empty()) throw UsageError("addr2line: give ADDRESS or SYMBOL+OFFSET[/SIZE] [[MODULE]] ...");
  auto sym = make_symbolizer(ctx, a);
  if (!sym) throw MissingDebugInfoError("addr2line: no debug info given (-s VMLINUX)");
  // "f+0x9/0x20 [mod]": the module belongs to the location before it. Its brackets
  // may be gone (the command-line parser takes "[x]" for a list), so a word naming a
  // known module counts too.
  std::vector<std::string> specs;
  for (const std::string& w : a.rest) {
    bool bracketed = w.front() == '[';
    std::string bare = bracketed && w.back() == ']' ? w.substr(1, w.size() - 2) : w;
    bool module_word = bracketed || (w.find('+') == std::string::npos && bare != "vmlinux" &&
                                     [&] {
                                       DebugModule* m = sym->find_module(bare);
                                       return m && m->kind() == DebugModule::Kind::KernelModule;
                                     }());
    if (module_word && !specs.empty() && specs.back().find(' ') == std::string::npos)
      specs.back() += " [" + bare + "]";
    else
      specs.push_back(w);
  }
  nlohmann::json list = nlohmann::json::array();
  std::string out;
  for (const std::string& s : specs) {
    SymbolizedFrame f = sym->symbolize_text(s, false);
    if (a.json) {
      nlohmann::json j = symbolized_frame_json(f);
      j["input"] = s;
      list.push_back(std::move(j));
    } else if (a.gnu) {
      // Exactly `addr2line -fi`: function, then file:line, per inline level.
      if (!f.resolved) out += "??\n??:0\n";
      for (const InlineFrame& i : f.frames) {
        const std::string& name = i.gnu_name.empty() ? i.function : i.gnu_name;
        out += (name.empty() ? "??" : name) + "\n";
        // Line 0 (code the compiler attributes to no line): addr2line prints "file:?".
        if (!i.position.known) out += "??:?\n";
        else if (i.position.line == 0) out += i.position.file + ":?\n";
        else out += fmt::format("{}:{}\n", i.position.file, i.position.line);
      }
    } else {
      out += s + "\n" + format_inline_chain(f, "    ");
    }
  }
  if (a.json) ctx.out << list.dump(2) << "\n";
  else ctx.out << out;
}

void decodecode_command(CommandContext& ctx, std::string_view arg) {
  OopsArgs a = parse_args("decodecode", arg, false, "i");
  std::string text;
  std::string joined;
  for (const std::string& w : a.rest) joined += (joined.empty() ? "" : " ") + w;
  if (a.rest.empty()) text = read_input("-");
  else if (a.rest.size() == 1 && a.rest[0] != "Code:") text = read_input(a.rest[0]);
  else text = joined;
  auto code = parse_code_line(text);
  if (!code) throw UsageError("decodecode: no 'Code:' line with bytes in the input");
  // Echo the Code: line itself, as decodecode does.
  size_t p = text.rfind("Code:");
  for (size_t q = text.find("Code:"); q != std::string::npos; q = text.find("Code:", q + 5)) {
    size_t k = q + 5;
    while (k < text.size() && text[k] == ' ') ++k;
    if (k < text.size() && (text[k] == '<' || text[k] == '(')) ++k;
    if (k < text.size() && std::isxdigit(static_cast<unsigned char>(text[k]))) p = q;
  }
  size_t eol = text.find('\n', p);
  std::string line = text.substr(p, eol == std::string::npos ? std::string::npos : eol - p);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  ListingOptions lo;
  lo.syntax = a.intel ? AsmSyntax::Intel : AsmSyntax::Att;
  ctx.out << format_decodecode(*code, lo, line);
}

void dis_command(CommandContext& ctx, std::string_view arg) {
  OopsArgs a = parse_args("dis", arg, false, "ilmk");
  if (a.rest.empty()) throw UsageError("dis: give FUNCTION, ADDRESS or SYMBOL+OFFSET [[MODULE]]");
  auto sym = make_symbolizer(ctx, a);
  if (!sym) throw MissingDebugInfoError("dis: no debug info given (-s VMLINUX)");
  std::string where;
  for (const std::string& w : a.rest) where += (where.empty() ? "" : " ") + w;
  DisassemblyOptions o;
  o.syntax = a.intel ? AsmSyntax::Intel : AsmSyntax::Att;
  o.source_lines = a.source_lines;
  ctx.out << disassemble_function(*sym, where, o);
}

}  // namespace

void register_oops_commands(CommandTable& table) {
  table["oops"] = {"oops", "oops [--json] [--intel] [--modules DIR] [--kaslr OFF] [FILE|-]",
                   "find, symbolize, decode and explain crash reports (a file, stdin, or the dump's dmesg)",
                   oops_command};
  table["addr2line"] = {"addr2line", "addr2line [--gnu] [--json] [--modules DIR] [--kaslr OFF] ADDR|SYM+OFF[/SIZE] [[MOD]]...",
                        "source lines and inline chains of code addresses (addr2line -fi)", addr2line_command};
  table["decodecode"] = {"decodecode", "decodecode [--intel] [FILE|-|Code: BYTES]",
                         "disassemble a report's Code: line as scripts/decodecode does", decodecode_command};
  table["dis"] = {"dis", "dis [-l] [--intel] [--modules DIR] FUNC|ADDR|SYM+OFF [[MOD]]",
                  "disassemble a function from the debug file (-l: with source lines)", dis_command};
}

}  // namespace kdive
