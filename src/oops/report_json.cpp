// JSON serialisation of OopsReport (see report_json.h). Addresses and register values
// are hex strings ("0xffffffff81000000"): JSON numbers lose precision past 2^53.
#include "oops/report_json.h"

#include <fmt/format.h>

namespace kdive {
namespace {

std::string hex(uint64_t v) { return fmt::format("{:#x}", v); }

nlohmann::json location_json(const CodeLocation& l) {
  nlohmann::json j = nlohmann::json::object();
  if (l.address) j["address"] = hex(*l.address);
  if (l.has_symbol()) {
    j["function"] = l.function;
    j["offset"] = hex(l.offset);
    j["size"] = hex(l.size);
  }
  if (!l.module.empty()) j["module"] = l.module;
  return j;
}

const char* access_type_name(MemoryAccess::Type t) {
  switch (t) {
    case MemoryAccess::Type::Read: return "read";
    case MemoryAccess::Type::Write: return "write";
    case MemoryAccess::Type::Execute: return "execute";
    case MemoryAccess::Type::Free: return "free";
    case MemoryAccess::Type::Unknown: return "unknown";
  }
  return "unknown";
}

}  // namespace

nlohmann::json report_to_json(const OopsReport& r) {
  nlohmann::json j;
  j["title"] = r.title.title;
  j["type"] = r.title.type;
  j["kind"] = report_kind_name(r.kind);
  j["frame"] = r.title.frame;
  j["corrupted"] = r.title.corrupted;
  if (r.title.corrupted) j["corrupted_reason"] = r.title.corrupted_reason;
  j["panicked"] = r.panicked;
  j["suppressed"] = r.suppressed;
  j["first_line"] = r.first_line;
  j["start"] = r.start;
  j["end"] = r.end;
  if (!r.timestamp.empty()) j["timestamp"] = r.timestamp;
  if (r.rip) j["rip"] = location_json(*r.rip);
  nlohmann::json regs = nlohmann::json::object();
  for (const auto& [name, value] : r.registers) regs[name] = hex(value);
  j["registers"] = regs;
  if (r.cr2) j["cr2"] = hex(*r.cr2);
  if (r.code) {
    std::string bytes;
    for (size_t i = 0; i < r.code->bytes.size(); ++i) {
      bytes += fmt::format("{}{:02x}", i ? " " : "", r.code->bytes[i]);
    }
    j["code"] = {{"bytes", bytes}, {"user", r.code->user}};
    if (r.code->trap_offset) j["code"]["trap_offset"] = *r.code->trap_offset;
  }
  nlohmann::json frames = nlohmann::json::array();
  for (const ReportFrame& f : r.frames) {
    nlohmann::json fj = location_json(f.location);
    fj["reliable"] = f.reliable;
    fj["section"] = stack_section_name(f.section);
    fj["trace"] = f.trace;
    if (f.inlined) fj["inlined"] = true;
    if (!f.source.empty()) fj["source"] = f.source;
    frames.push_back(std::move(fj));
  }
  j["frames"] = std::move(frames);
  j["modules"] = r.modules;
  if (r.cpu) j["cpu"] = *r.cpu;
  if (r.pid) j["pid"] = *r.pid;
  if (!r.comm.empty()) j["comm"] = r.comm;
  if (!r.kernel_release.empty()) j["kernel_release"] = r.kernel_release;
  j["tainted"] = r.tainted;
  if (!r.taint.empty()) j["taint"] = r.taint;
  if (!r.hardware.empty()) j["hardware"] = r.hardware;
  if (r.kernel_offset) j["kernel_offset"] = hex(*r.kernel_offset);
  if (r.kaslr_disabled) j["kaslr"] = "disabled";
  nlohmann::json a = nlohmann::json::object();
  a["type"] = access_type_name(r.access.type);
  if (r.access.address) a["address"] = hex(*r.access.address);
  if (r.access.size) a["size"] = *r.access.size;
  if (r.access.range_start) a["range_start"] = hex(*r.access.range_start);
  if (r.access.range_end) a["range_end"] = hex(*r.access.range_end);
  if (r.access.error_code) a["error_code"] = hex(*r.access.error_code);
  if (r.access.user_mode) a["user_mode"] = true;
  if (!r.access.detail.empty()) a["detail"] = r.access.detail;
  j["access"] = std::move(a);
  return j;
}

std::string format_report_json(const std::vector<OopsReport>& reports, int indent) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : reports) list.push_back(report_to_json(r));
  // Console logs are not guaranteed UTF-8: replace invalid bytes rather than throw.
  return list.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace kdive
