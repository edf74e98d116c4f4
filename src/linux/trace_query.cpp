// Instance selection, decoding and filtering of trace records (trace_query.h).
#include "linux/trace_query.h"

#include <fnmatch.h>

#include <cstdlib>

#include <fmt/format.h>

#include "kdive/error.h"
#include "program/program.h"

namespace kdive {

namespace {

struct Where {
  std::string field, op, value;
};

Where parse_where(const std::string& s) {
  for (const char* op : {"==", "!=", "<=", ">=", "<", ">", "="}) {
    size_t at = s.find(op);
    if (at == std::string::npos || at == 0) continue;
    Where w{s.substr(0, at), op, s.substr(at + std::string_view(op).size())};
    if (w.op == "=") w.op = "==";
    while (!w.field.empty() && w.field.back() == ' ') w.field.pop_back();
    while (!w.value.empty() && w.value.front() == ' ') w.value.erase(0, 1);
    if (w.value.size() >= 2 && (w.value.front() == '"' || w.value.front() == '\'') && w.value.back() == w.value.front())
      w.value = w.value.substr(1, w.value.size() - 2);
    return w;
  }
  throw UsageError(fmt::format("trace: --where '{}': expected FIELD==VALUE (or !=, <, <=, >, >=)", s));
}

std::optional<int64_t> as_number(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 0);
  if (end && *end == '\0') return v;
  unsigned long long u = std::strtoull(s.c_str(), &end, 0);
  if (end && *end == '\0') return static_cast<int64_t>(u);
  return std::nullopt;
}

bool compare(const std::string& lhs, const std::string& op, const std::string& rhs) {
  std::optional<int64_t> a = as_number(lhs), b = as_number(rhs);
  if (a && b) {
    if (op == "==") return *a == *b;
    if (op == "!=") return *a != *b;
    if (op == "<") return *a < *b;
    if (op == "<=") return *a <= *b;
    if (op == ">") return *a > *b;
    return *a >= *b;
  }
  if (op == "==") return lhs == rhs;
  if (op == "!=") return lhs != rhs;
  if (op == "<") return lhs < rhs;
  if (op == "<=") return lhs <= rhs;
  if (op == ">") return lhs > rhs;
  return lhs >= rhs;
}

}  // namespace

std::string trace_instance_label(const TraceInstanceRef& ref) { return ref.name.empty() ? "top" : ref.name; }

std::vector<TraceInstanceResult> read_trace(Program& program, const TraceQuery& q) {
  std::optional<Where> where;
  if (q.where) where = parse_where(*q.where);
  TraceLayout lay = TraceLayout::of(program);
  WalkStatus st;
  std::vector<TraceInstanceRef> refs = list_trace_instances(program, lay, &st);
  if (q.instance) {
    std::vector<TraceInstanceRef> keep;
    for (TraceInstanceRef& r : refs)
      if (r.name == *q.instance || (q.instance == "top" && r.name.empty())) keep.push_back(r);
    if (keep.empty()) {
      std::string names;
      for (const TraceInstanceRef& r : refs) names += (names.empty() ? "" : ", ") + trace_instance_label(r);
      throw UsageError(fmt::format("trace: no instance '{}' (instances: {})", *q.instance, names));
    }
    refs = std::move(keep);
  }
  TraceDecoder decoder(program);
  std::vector<TraceInstanceResult> out;
  for (const TraceInstanceRef& ref : refs) {
    TraceInstanceResult res;
    res.instance = ref;
    if (!ref.buffer) {
      out.push_back(std::move(res));
      continue;
    }
    TraceBuffer buf;
    try {
      buf = read_trace_buffer(program.memory(), lay, ref.buffer, q.cpu);
    } catch (const Error& e) {
      res.problem = e.what();
      out.push_back(std::move(res));
      continue;
    }
    res.cpus = std::move(buf.cpus);
    res.total_events = buf.events.size();
    for (const RawTraceEvent& raw : buf.events) {
      // --since/--until are seconds of a nanosecond clock, raw counts otherwise.
      const double scale = ref.clock_in_ns ? 1e9 : 1.0;
      if (q.since && static_cast<double>(raw.ts) < *q.since * scale) continue;
      if (q.until && static_cast<double>(raw.ts) > *q.until * scale) continue;
      TraceRecord r = decoder.decode(raw);
      r.ts_in_ns = ref.clock_in_ns;
      if (q.trace_cmd_plugins)
        if (std::optional<std::string> t = trace_cmd_plugin_text(r)) r.info = *t;
      if (q.pid && r.pid != *q.pid) continue;
      if (q.comm && r.comm != *q.comm) continue;
      if (q.event_glob && fnmatch(q.event_glob->c_str(), r.name.c_str(), 0) != 0 &&
          fnmatch(q.event_glob->c_str(), (r.system + ":" + r.name).c_str(), 0) != 0)
        continue;
      if (q.grep && format_trace_line(r).find(*q.grep) == std::string::npos) continue;
      if (where) {
        std::optional<std::string> v = decoder.field_text(r, where->field);
        if (!v || !compare(*v, where->op, where->value)) continue;
      }
      res.records.push_back(std::move(r));
    }
    out.push_back(std::move(res));
  }
  if (!st.ok() && !out.empty()) out.front().problem = "instance list: " + st.message();
  return out;
}

}  // namespace kdive
