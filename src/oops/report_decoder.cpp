// ReportDecoder: composition of the parser's report with the symbolizer, the code
// listing and the fault explanation; the text layout follows decode_stacktrace.sh (the
// original frame line, then its inline chain) and decodecode.
#include "oops/report_decoder.h"

#include <set>

#include <fmt/format.h>

#include "kdive/error.h"
#include "oops/code_listing.h"
#include "oops/function_disassembly.h"
#include "oops/report_json.h"

namespace kdive {

std::string format_code_location(const CodeLocation& l) {
  std::string s;
  if (l.has_symbol()) s = fmt::format("{}+{:#x}/{:#x}", l.function, l.offset, l.size);
  else if (l.address) s = fmt::format("{:#x}", *l.address);
  if (!l.module.empty()) s += fmt::format(" [{}]", l.module);
  return s;
}

namespace {

std::string position_text(const SourcePosition& p) {
  if (!p.known) return "??:0";
  return p.column ? fmt::format("{}:{}:{}", p.file, p.line, p.column) : fmt::format("{}:{}", p.file, p.line);
}

std::string hex(uint64_t v) { return fmt::format("{:#x}", v); }

}  // namespace

std::string format_inline_chain(const SymbolizedFrame& f, const std::string& indent) {
  if (!f.resolved) return fmt::format("{}?? ({})\n", indent, f.error);
  std::string s;
  for (const InlineFrame& i : f.frames)
    s += fmt::format("{}{} at {}{}\n", indent, i.function.empty() ? "??" : i.function, position_text(i.position),
                     i.inlined ? " (inlined)" : "");
  return s;
}

DecodedReport decode_report(const OopsReport& report, FrameSymbolizer* symbolizer, const DecodeOptions& options) {
  DecodedReport d;
  d.report = report;
  ListingOptions lo;
  lo.syntax = options.syntax;
  if (report.code && !report.code->bytes.empty()) d.code = format_decodecode(*report.code, lo);
  if (!symbolizer) {
    // Without debug info the Code: bytes and registers still tell the access.
    TypeArena arena;
    DebugInfo none(arena);
    FrameSymbolizer text_only(none);
    if (report.rip && report.code && !report.code->user) {
      try {
        d.explanation = explain_fault(report, text_only, options.syntax);
      } catch (const Error&) {
      }
    }
    return d;
  }
  d.symbolized = true;
  symbolizer->use_report(report);
  if (report.rip && !report.code.value_or(CodeBytes{}).user) {
    d.rip = symbolizer->symbolize(*report.rip, false);
    if (d.rip->resolved && report.kind != ReportKind::Warning) {
      DisassemblyOptions dis;
      dis.syntax = options.syntax;
      dis.source_lines = true;
      dis.mark_file_address = d.rip->file_address;
      try {
        d.disassembly = disassemble_function(*symbolizer, *d.rip, dis);
      } catch (const Error&) {
      }
    }
  }
  d.frames.reserve(report.frames.size());
  for (const ReportFrame& f : report.frames) d.frames.push_back(symbolizer->symbolize(f.location, true));
  if (report.rip && !(report.code && report.code->user)) {
    try {
      d.explanation = explain_fault(report, *symbolizer, options.syntax);
    } catch (const Error&) {
    }
  }
  return d;
}

std::string format_decoded_report(const DecodedReport& d) {
  const OopsReport& r = d.report;
  std::string out = r.title.title + "\n";
  out += fmt::format("kind: {}", report_kind_name(r.kind));
  if (!r.title.type.empty()) out += fmt::format(", type: {}", r.title.type);
  if (r.title.corrupted) out += fmt::format(", corrupted ({})", r.title.corrupted_reason);
  out += "\n";
  if (r.cpu || r.pid || !r.comm.empty()) {
    out += fmt::format("CPU: {} PID: {} Comm: {}", r.cpu ? std::to_string(*r.cpu) : "?",
                       r.pid ? std::to_string(*r.pid) : "?", r.comm);
    if (!r.kernel_release.empty()) out += " " + r.kernel_release;
    if (r.tainted) out += fmt::format(" Tainted: {}", r.taint);
    out += "\n";
  }
  if (d.explanation) out += fmt::format("\nExplanation: {}\n", d.explanation->sentence);
  if (r.rip) {
    out += fmt::format("\nRIP: {}\n", format_code_location(*r.rip));
    if (d.rip) out += format_inline_chain(*d.rip, "    ");
  }
  if (!r.register_list.empty()) {
    std::string line;
    size_t n = 0;
    std::set<std::string> seen;
    for (const auto& [name, value] : r.register_list) {
      // The register dump is often printed twice (before and after the end-trace line).
      if (!seen.insert(name).second) break;
      line += fmt::format("{}{}: {:016x}", n % 3 ? " " : "", name, value);
      if (++n % 3 == 0) {
        out += line + "\n";
        line.clear();
      }
    }
    if (!line.empty()) out += line + "\n";
  }
  std::optional<size_t> trace;
  std::optional<StackSection> section;
  for (size_t i = 0; i < r.frames.size(); ++i) {
    const ReportFrame& f = r.frames[i];
    if (trace != f.trace || section != f.section) {
      out += fmt::format("{} stack ({}):\n", f.trace == 0 && f.section == StackSection::Task ? "Call Trace" : "Trace",
                         stack_section_name(f.section));
      trace = f.trace;
      section = f.section;
    }
    out += fmt::format(" {}{}\n", f.reliable ? "" : "? ", format_code_location(f.location));
    if (i < d.frames.size()) out += format_inline_chain(d.frames[i], "    ");
  }
  if (!d.code.empty()) out += "\nCode: " + std::string("\n") + d.code;
  if (!d.disassembly.empty()) out += "\nFunction at RIP:\n" + d.disassembly;
  return out;
}

nlohmann::json symbolized_frame_json(const SymbolizedFrame& f) {
  nlohmann::json j;
  j["resolved"] = f.resolved;
  if (!f.resolved) {
    j["error"] = f.error;
    return j;
  }
  j["module"] = f.module_name;
  if (!f.symbol.empty()) j["symbol"] = fmt::format("{}+{:#x}/{:#x}", f.symbol, f.symbol_offset, f.symbol_size);
  j["file_address"] = hex(f.file_address);
  if (!f.section.empty()) j["section"] = f.section, j["section_offset"] = hex(f.section_offset);
  if (f.runtime_address) j["address"] = hex(*f.runtime_address);
  nlohmann::json frames = nlohmann::json::array();
  for (const InlineFrame& i : f.frames) {
    nlohmann::json fj;
    fj["function"] = i.function;
    fj["inlined"] = i.inlined;
    if (i.position.known) {
      fj["file"] = i.position.file;
      fj["line"] = i.position.line;
      fj["column"] = i.position.column;
    }
    frames.push_back(std::move(fj));
  }
  j["frames"] = std::move(frames);
  return j;
}

nlohmann::json decoded_report_json(const DecodedReport& d) {
  nlohmann::json j = report_to_json(d.report);
  if (!d.symbolized && !d.explanation) return j;
  if (d.rip) j["rip_symbolized"] = symbolized_frame_json(*d.rip);
  auto& frames = j["frames"];
  for (size_t i = 0; i < d.frames.size() && i < frames.size(); ++i) frames[i]["symbolized"] = symbolized_frame_json(d.frames[i]);
  if (d.explanation) {
    const FaultExplanation& e = *d.explanation;
    nlohmann::json ej;
    ej["sentence"] = e.sentence;
    ej["kind"] = e.kind;
    if (e.instruction) ej["instruction"] = e.instruction->text();
    if (!e.instruction_source.empty()) ej["instruction_from"] = e.instruction_source;
    ej["access"] = e.access;
    if (!e.base_register.empty()) ej["base_register"] = e.base_register;
    if (e.base_value) ej["base_value"] = hex(*e.base_value);
    if (!e.base_expression.empty()) ej["base_expression"] = e.base_expression;
    if (!e.base_type.empty()) ej["base_type"] = e.base_type;
    if (e.fault_address) ej["fault_address"] = hex(*e.fault_address);
    if (e.offset) ej["offset"] = hex(*e.offset);
    if (!e.struct_type.empty()) ej["struct"] = e.struct_type;
    if (!e.member.empty()) ej["member"] = e.member;
    j["explanation"] = std::move(ej);
  } else {
    j["explanation"] = nullptr;
  }
  return j;
}

}  // namespace kdive
