// The `triage` command: one report that answers the first questions about a kernel
// crash dump (triage/triage_report.h), as text or --json. Thin: the work is in
// src/triage/.
//
//   triage [--json] [--no-slab]
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "base/progress_line.h"
#include "cli/command_interpreter.h"
#include "kdive/error.h"
#include "triage/triage_report.h"
#include "triage/triage_report_format.h"

namespace kdive {

void register_triage_commands(CommandTable& t) {
  add_command(t, "triage", "triage [--json] [--no-slab]",
              "what crashed, where and why, blocked tasks, memory, warnings and the crash signature, in one report",
              [](CommandContext& ctx, std::string_view arg) {
                bool json = ctx.json;
                TriageOptions options;
                for (const std::string& w : split_words(arg)) {
                  if (w == "--json") json = true;
                  else if (w == "--no-slab") options.slab = false;
                  else throw UsageError("triage: unknown argument '" + w + "' (triage [--json] [--no-slab])");
                }
                TriageReport report = [&] {
                  ProgressLine progress("triage");
                  return triage_dump(ctx.program, options);
                }();
                if (json) ctx.out << triage_report_json(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
                else ctx.out << format_triage_report(report);
              });
}

}  // namespace kdive
