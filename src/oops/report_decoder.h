// ReportDecoder: a parsed crash report (OopsReport) with everything debug info adds —
// each frame's inline chain with file:line:col (FrameSymbolizer), the Code: bytes in
// decodecode's layout (or, when the report has none, RIP's function disassembled from
// the debug file with the trapping instruction marked), and the fault explanation —
// as text (`kdive oops`) and as JSON (`kdive oops --json`).
//
//   FrameSymbolizer sym(program.debug_info());
//   for (const OopsReport& r : find_reports(log)) {
//     DecodedReport d = decode_report(r, &sym, {});
//     std::cout << format_decoded_report(d);
//   }
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "oops/fault_explanation.h"
#include "oops/frame_symbolizer.h"
#include "oops/instruction_decoder.h"
#include "oops/oops_report.h"

namespace kdive {

struct DecodeOptions {
  AsmSyntax syntax = AsmSyntax::Att;
};

struct DecodedReport {
  OopsReport report;
  bool symbolized = false;                // a symbolizer (debug info) was given
  std::optional<SymbolizedFrame> rip;
  std::vector<SymbolizedFrame> frames;    // one per report.frames entry
  std::string code;                       // decodecode text; "" without Code: bytes
  std::string disassembly;                // RIP's function from the debug file (-l style)
  std::optional<FaultExplanation> explanation;
};

// `symbolizer` may be null (no vmlinux): then only the text's own fields and the
// Code: decoding are filled.
DecodedReport decode_report(const OopsReport& report, FrameSymbolizer* symbolizer, const DecodeOptions& options);

// The report as decode_stacktrace.sh would leave it, plus the decoded code and the
// explanation.
std::string format_decoded_report(const DecodedReport& decoded);

// report_to_json() plus "explanation", "rip_symbolized" and each frame's "symbolized"
// inline chain when debug info was given.
nlohmann::json decoded_report_json(const DecodedReport& decoded);

// A location as the kernel prints it: "func+0x1f/0x80 [module]", or "0x..." without a symbol.
std::string format_code_location(const CodeLocation& location);

// One symbolized location as JSON: {"module", "symbol", "file_address", "frames": [...]}.
nlohmann::json symbolized_frame_json(const SymbolizedFrame& frame);
// addr2line -fi style lines for one location ("func at file:line:col (inlined)").
std::string format_inline_chain(const SymbolizedFrame& frame, const std::string& indent);

}  // namespace kdive
