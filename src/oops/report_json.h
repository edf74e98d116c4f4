// JSON form of parsed crash reports, for `kdive oops --json` and scripts: a list with
// one object per report (title, type, corrupted, frame, frames, rip, registers, ...).
//
//   std::string json = format_report_json(find_reports(log));   // "[]" when none
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "oops/oops_report.h"

namespace kdive {

nlohmann::json report_to_json(const OopsReport& report);
// Pretty-printed with `indent` spaces (-1: one line).
std::string format_report_json(const std::vector<OopsReport>& reports, int indent = 2);

}  // namespace kdive
