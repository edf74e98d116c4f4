// The two renderings of a TriageReport: text for a terminal (sections in the order a
// kernel developer reads them, stacks in drgn's "#N  function (file:line:col)" form)
// and JSON with every field, for the fleet database and scripts.
//
//   std::cout << format_triage_report(report);
//   nlohmann::json j = triage_report_json(report);   // j["signature"]["key"]
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "triage/triage_report.h"

namespace kdive {

std::string format_triage_report(const TriageReport& report);
nlohmann::json triage_report_json(const TriageReport& report);

}  // namespace kdive
