// Reads one crash-report file in the corpus layout shared by syzkaller's test data and
// kdive's own title sets (tests/data/crash-reports/): header lines ("TITLE: ...",
// "TYPE: ...", "FRAME: ...", "CORRUPTED: Y"), an empty line, then the console log; an
// optional "REPORT:" line after an empty line starts the expected report text, which
// is not part of the log.
//
//   CrashReportFile f = load_crash_report_file(path);
//   std::vector<OopsReport> reports = find_reports(f.log);
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace kdive {

struct CrashReportFile {
  std::string title, type, frame;
  bool corrupted = false;
  std::string log;
};

inline CrashReportFile load_crash_report_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string data = ss.str();
  data.erase(std::remove(data.begin(), data.end(), '\r'), data.end());
  CrashReportFile e;
  std::istringstream lines(data);
  std::string line;
  bool headers = true, prev_empty = false;
  while (std::getline(lines, line)) {
    if (headers) {
      if (line.empty()) {
        headers = false;
        prev_empty = true;
        continue;
      }
      auto value = [&](const char* key) { return line.substr(std::string(key).size()); };
      if (line.rfind("TITLE: ", 0) == 0) e.title = value("TITLE: ");
      else if (line.rfind("TYPE: ", 0) == 0) e.type = value("TYPE: ");
      else if (line.rfind("FRAME: ", 0) == 0) e.frame = value("FRAME: ");
      else if (line == "CORRUPTED: Y") e.corrupted = true;
      continue;
    }
    if (prev_empty && line == "REPORT:") break;
    e.log += line;
    e.log += '\n';
    prev_empty = line.empty();
  }
  return e;
}

}  // namespace kdive
