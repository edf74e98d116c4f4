// trace.dat version 6 writing (trace_dat_writer.h). Field order and sizes follow
// trace-cmd's Documentation/trace-cmd/trace-cmd.dat.v6.5.txt and what libtracecmd
// 3.1.6's trace-input.c reads (read_headers_v6, handle_options, read_cpu_data,
// handle_buffer_option); the text sections come from trace_format_files.h.
#include "linux/trace_dat_writer.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "base/replacing_file.h"
#include "kdive/error.h"
#include "linux/kernel_layout.h"
#include "linux/target_words.h"
#include "linux/trace_event_format.h"
#include "linux/trace_format_files.h"
#include "linux/trace_query.h"
#include "linux/trace_ring_buffer.h"
#include "object/object.h"
#include "program/program.h"

namespace kdive {

namespace {

// Little-endian bytes of the file's header sections.
class Bytes {
 public:
  void u8(uint8_t v) { s_.push_back(static_cast<char>(v)); }
  void u16(uint16_t v) { le(v, 2); }
  void u32(uint64_t v) { le(v, 4); }
  void u64(uint64_t v) { le(v, 8); }
  void raw(std::string_view v) { s_.append(v); }
  void cstr(std::string_view v) {
    s_.append(v);
    s_.push_back('\0');
  }
  void zeros(size_t n) { s_.append(n, '\0'); }
  size_t size() const { return s_.size(); }
  // Overwrites 8 bytes at `at` (offsets known only once the header's size is).
  void patch_u64(size_t at, uint64_t v) {
    for (int i = 0; i < 8; ++i) s_[at + i] = static_cast<char>(v >> (8 * i));
  }
  const std::string& str() const { return s_; }

 private:
  void le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) s_.push_back(static_cast<char>(v >> (8 * i)));
  }
  std::string s_;
};

struct InstanceData {
  TraceInstanceRef ref;
  std::vector<TraceCpuPages> cpus;
  uint64_t buffer_option_at = 0;  // where its BUFFER option's offset goes in the header
};

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

// The entry layouts the writer looks into: trace_entry.type, and the string pointers
// of bprint (its format) and bputs (its string), whose texts go to printk_formats.
struct EntryOffsets {
  uint64_t type = 0, bprint_fmt = 0, bputs_str = 0;
  explicit EntryOffsets(KernelLayout& lay)
      : type(lay.offset("struct trace_entry", "type")),
        bprint_fmt(lay.offset("struct bprint_entry", "fmt")),
        bputs_str(lay.offset("struct bputs_entry", "str")) {}
};

uint64_t le_at(const std::vector<uint8_t>& d, uint64_t off, size_t n) {
  uint64_t v = 0;
  if (off + n > d.size()) return 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t(d[off + i]) << (8 * i);
  return v;
}

// The per-CPU table of one buffer: its place in `h` and, later, each CPU's offset and
// size. CPUs the kernel has no buffer for are written empty.
size_t reserve_cpu_table(Bytes& h, uint64_t ncpus) {
  size_t at = h.size();
  h.zeros(16 * ncpus);
  return at;
}

// Lays out one buffer's CPU data from `offset` (page-aligned) and fills its table.
uint64_t place_cpu_data(Bytes& h, size_t table, uint64_t ncpus, const InstanceData& inst, uint64_t offset,
                        uint64_t page_size) {
  for (uint64_t cpu = 0; cpu < ncpus; ++cpu) {
    uint64_t pages = 0;
    for (const TraceCpuPages& c : inst.cpus)
      if (c.info.cpu == cpu) pages = c.pages.size();
    h.patch_u64(table + 16 * cpu, offset);
    h.patch_u64(table + 16 * cpu + 8, pages * page_size);
    offset += pages * page_size;
  }
  return offset;
}

void write_cpu_data(ReplacingFile& out, uint64_t ncpus, const InstanceData& inst, const TraceLayout& lay,
                    uint64_t commit_size, uint64_t page_size) {
  std::string page(page_size, '\0');
  for (uint64_t cpu = 0; cpu < ncpus; ++cpu)
    for (const TraceCpuPages& c : inst.cpus) {
      if (c.info.cpu != cpu) continue;
      for (const TraceDataPage& p : c.pages) {
        // struct buffer_data_page: time_stamp, commit (local_t; the RB_MISSED_* flags
        // cleared), data; the rest of the page zero.
        std::fill(page.begin(), page.end(), '\0');
        for (int i = 0; i < 8; ++i) page[lay.dp_time_stamp + i] = static_cast<char>(p.time_stamp >> (8 * i));
        for (uint64_t i = 0; i < commit_size; ++i)
          page[lay.dp_commit + i] = static_cast<char>(uint64_t(p.data.size()) >> (8 * i));
        std::copy(p.data.begin(), p.data.end(), page.begin() + static_cast<std::ptrdiff_t>(lay.dp_data));
        out.write(page.data(), page.size());
      }
    }
}

std::string uname_text(Program& program) {
  // trace-cmd record's UNAME option: "sysname nodename release machine".
  try {
    std::optional<Object> uts = program.find_object("init_uts_ns");
    if (!uts || !uts->is_reference()) return {};
    Object name = uts->member("name");
    auto f = [&](const char* m) { return name.member(m).read_c_string(65); };
    return fmt::format("{} {} {} {}", f("sysname"), f("nodename"), f("release"), f("machine"));
  } catch (const Error&) {
    return {};
  }
}

// The strings the kernel's printk_formats lists besides the trace_printk formats of the
// buffers' own records (trace_printk.c t_start: __trace_bprintk_fmt, then
// __tracepoint_str): arrays of const char * between linker symbols. Tracepoints that
// print a tracepoint_string() by address need the latter.
void add_section_strings(Program& program, const char* start, const char* stop, std::map<uint64_t, std::string>& out) {
  try {
    std::optional<Object> a = program.find_object(start), b = program.find_object(stop);
    if (!a || !b || !a->is_reference() || !b->is_reference()) return;
    uint64_t from = a->address(), to = b->address();
    if (to <= from || to - from > (uint64_t(1) << 20)) return;
    std::vector<uint8_t> ptrs(to - from);
    program.memory().read(from, ptrs.data(), ptrs.size());
    for (size_t i = 0; i + 8 <= ptrs.size(); i += 8) {
      uint64_t p = le_at(ptrs, i, 8);
      if (p && !out.count(p)) out[p] = read_c_string(program.memory(), p, 4096);
    }
  } catch (const Error&) {
  }
}

void option(Bytes& h, uint16_t id, std::string_view data) {
  h.u16(id);
  h.u32(data.size());
  h.raw(data);
}

// libtracecmd's enum tracecmd_option_id.
constexpr uint16_t kOptionCpuStat = 2, kOptionBuffer = 3, kOptionTraceClock = 4, kOptionUname = 5;

}  // namespace

TraceDatSummary write_trace_dat(Program& program, const std::string& path, const std::optional<std::string>& instance) {
  if (!program.is_kernel()) throw UsageError("trace -o: needs a kernel dump");
  const MemoryReader& mem = program.memory();
  KernelLayout kl(program);
  TraceLayout lay = TraceLayout::of(program, kl);
  const uint64_t commit_size = kl.member_size("struct buffer_data_page", "commit");
  EntryOffsets eo(kl);

  WalkStatus st;
  std::vector<TraceInstanceRef> refs = list_trace_instances(program, lay, &st);
  if (instance) {
    std::vector<TraceInstanceRef> keep;
    for (TraceInstanceRef& r : refs)
      if (r.name == *instance || (*instance == "top" && r.name.empty())) keep.push_back(r);
    if (keep.empty()) {
      std::string names;
      for (const TraceInstanceRef& r : refs) names += (names.empty() ? "" : ", ") + trace_instance_label(r);
      throw UsageError(fmt::format("trace: no instance '{}' (instances: {})", *instance, names));
    }
    refs = std::move(keep);
  }

  // The pages of every instance, and from their events the event types, printk strings
  // and CPU count the header describes.
  TraceDatSummary sum;
  sum.path = path;
  std::vector<InstanceData> data;
  TraceEventCatalog catalog(program);
  std::map<uint32_t, std::shared_ptr<const TraceEventType>> types;
  std::map<uint64_t, std::string> printk;
  uint64_t page_size = lay.page_size, ncpus = lay.nr_cpu_ids;
  for (const TraceInstanceRef& ref : refs) {
    InstanceData d;
    d.ref = ref;
    TraceDatInstance info;
    info.label = trace_instance_label(ref);
    if (ref.buffer) {
      try {
        d.cpus = read_trace_pages(mem, lay, ref.buffer, /*with_events=*/true);
      } catch (const Error& e) {
        info.problems.push_back(e.what());
      }
    }
    for (TraceCpuPages& c : d.cpus) {
      ncpus = std::max<uint64_t>(ncpus, c.info.cpu + 1);
      for (const std::string& p : c.info.problems) info.problems.push_back(fmt::format("CPU {}: {}", c.info.cpu, p));
      for (const TraceDataPage& p : c.pages) {
        page_size = std::max(page_size, p.subbuf_size);
        info.subbuf_size = std::max(info.subbuf_size, p.subbuf_size);
      }
      info.pages += c.pages.size();
      info.events += c.events.size();
      for (const RawTraceEvent& e : c.events) {
        uint32_t id = static_cast<uint32_t>(le_at(e.data, eo.type, 2));
        auto it = types.find(id);
        if (it == types.end()) it = types.emplace(id, catalog.find(id)).first;
        const auto& t = it->second;
        if (!t || t->system != "ftrace") continue;
        uint64_t str = t->name == "bprint" ? le_at(e.data, eo.bprint_fmt, 8)
                       : t->name == "bputs" ? le_at(e.data, eo.bputs_str, 8)
                                            : 0;
        if (str && !printk.count(str)) {
          try {
            printk[str] = read_c_string(mem, str, 4096);
          } catch (const Error&) {
            printk[str] = "";
          }
        }
      }
      c.events.clear();
      c.events.shrink_to_fit();
    }
    sum.instances.push_back(std::move(info));
    data.push_back(std::move(d));
  }
  sum.page_size = page_size;
  sum.cpus = ncpus;

  // Event formats: the ftrace system's apart, the others grouped by system.
  std::vector<std::string> ftrace_formats;
  std::map<std::string, std::vector<std::string>> systems;
  for (const auto& [id, t] : types) {
    if (!t || t->fields.empty()) continue;  // unknown to the kernel's list: trace-cmd prints its id
    (t->system == "ftrace" ? ftrace_formats : systems[t->system]).push_back(trace_event_format_text(*t));
    ++sum.event_formats;
  }
  std::string kallsyms = trace_kallsyms_text(program);
  sum.kallsyms = static_cast<uint64_t>(std::count(kallsyms.begin(), kallsyms.end(), '\n'));
  add_section_strings(program, "__start___trace_bprintk_fmt", "__stop___trace_bprintk_fmt", printk);
  add_section_strings(program, "__start___tracepoint_str", "__stop___tracepoint_str", printk);
  std::string printk_text = trace_printk_formats_text(printk);
  sum.printk_formats = printk.size();
  SavedCmdlines saved(program);
  std::vector<std::pair<int32_t, std::string>> cmdlines = saved.entries();
  sum.cmdlines = cmdlines.size();

  Bytes h;
  h.raw(std::string_view("\x17\x08\x44tracing", 10));
  h.cstr("6");
  h.u8(0);  // little endian
  h.u8(8);  // sizeof(long)
  h.u32(page_size);
  std::string header_page = trace_header_page_text(lay, commit_size, page_size);
  h.cstr("header_page");
  h.u64(header_page.size());
  h.raw(header_page);
  std::string header_event = trace_header_event_text();
  h.cstr("header_event");
  h.u64(header_event.size());
  h.raw(header_event);
  h.u32(ftrace_formats.size());
  for (const std::string& f : ftrace_formats) {
    h.u64(f.size());
    h.raw(f);
  }
  h.u32(systems.size());
  for (const auto& [system, formats] : systems) {
    h.cstr(system);
    h.u32(formats.size());
    for (const std::string& f : formats) {
      h.u64(f.size());
      h.raw(f);
    }
  }
  h.u32(kallsyms.size());
  h.raw(kallsyms);
  h.u32(printk_text.size());
  h.raw(printk_text);
  std::string cmdline_text = trace_saved_cmdlines_text(cmdlines);
  h.u64(cmdline_text.size());
  h.raw(cmdline_text);
  h.u32(ncpus);
  h.raw(std::string_view("options  \0", 10));
  std::string clock = trace_clock_text(program, data.empty() ? TraceInstanceRef{} : data[0].ref);
  option(h, kOptionTraceClock, std::string_view(clock.c_str(), clock.size() + 1));
  if (std::string u = uname_text(program); !u.empty()) option(h, kOptionUname, std::string_view(u.c_str(), u.size() + 1));
  // The kernel's per-CPU counters, as trace-cmd record saves per_cpu/cpuN/stats: "CPU: N"
  // and the stats lines kdive has (trace.c tracing_stats_read), a further instance's after
  // a "Buffer: NAME" option; `trace-cmd report --stat` prints them.
  for (size_t i = 0; i < data.size(); ++i) {
    if (i) {
      std::string b = fmt::format("\nBuffer: {}\n\n", trace_instance_label(data[i].ref));
      option(h, kOptionCpuStat, std::string_view(b.c_str(), b.size() + 1));
    }
    for (const TraceCpuPages& c : data[i].cpus) {
      std::string st = fmt::format("CPU: {}\nentries: {}\noverrun: {}\ncommit overrun: {}\ndropped events: {}\n",
                                   c.info.cpu, c.info.entries, c.info.overrun, c.info.commit_overrun,
                                   c.info.dropped_events);
      option(h, kOptionCpuStat, std::string_view(st.c_str(), st.size() + 1));
    }
  }
  for (size_t i = 1; i < data.size(); ++i) {
    // handle_buffer_option(): u64 offset of the buffer's own "flyrecord" part, its name.
    std::string name = trace_instance_label(data[i].ref);
    h.u16(kOptionBuffer);
    h.u32(8 + name.size() + 1);
    data[i].buffer_option_at = h.size();
    h.u64(0);
    h.cstr(name);
  }
  h.u16(0);  // TRACECMD_OPTION_DONE
  h.raw(std::string_view("flyrecord\0", 10));
  size_t main_table = reserve_cpu_table(h, ncpus);

  // Offsets: the main buffer's pages from the first page boundary after the header;
  // each further buffer's "flyrecord" table right after the previous pages, its pages
  // from the next boundary. The tables of further buffers are written between pages,
  // so they are built apart.
  uint64_t offset = align_up(h.size(), page_size);
  if (!data.empty()) offset = place_cpu_data(h, main_table, ncpus, data[0], offset, page_size);
  std::vector<Bytes> tables(data.size());
  std::vector<uint64_t> table_at(data.size()), pages_at(data.size());
  for (size_t i = 1; i < data.size(); ++i) {
    table_at[i] = offset;
    h.patch_u64(data[i].buffer_option_at, offset);
    tables[i].raw(std::string_view("flyrecord\0", 10));
    size_t t = reserve_cpu_table(tables[i], ncpus);
    pages_at[i] = align_up(offset + tables[i].size(), page_size);
    offset = place_cpu_data(tables[i], t, ncpus, data[i], pages_at[i], page_size);
  }

  ReplacingFile out(path);
  out.write(h.str().data(), h.size());
  std::string pad(page_size, '\0');
  out.write(pad.data(), align_up(h.size(), page_size) - h.size());
  if (!data.empty()) write_cpu_data(out, ncpus, data[0], lay, commit_size, page_size);
  for (size_t i = 1; i < data.size(); ++i) {
    out.write(tables[i].str().data(), tables[i].size());
    out.write(pad.data(), pages_at[i] - table_at[i] - tables[i].size());
    write_cpu_data(out, ncpus, data[i], lay, commit_size, page_size);
  }
  sum.bytes = out.written();
  out.commit();
  if (!st.ok() && !sum.instances.empty()) sum.instances.front().problems.push_back("instance list: " + st.message());
  return sum;
}

}  // namespace kdive
