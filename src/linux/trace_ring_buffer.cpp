// ftrace ring buffer reading (trace_ring_buffer.h). Each buffer_page / data page is
// read with one bulk read and decoded through ByteCursor; event headers follow
// include/linux/ring_buffer.h (struct ring_buffer_event: type_len:5, time_delta:27,
// array[]) and kernel/trace/ring_buffer.c (rb_event_length, rb_update_read_stamp,
// rb_fix_abs_ts), which have kept this encoding from 5.10 to 7.x.
#include "linux/trace_ring_buffer.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/byte_cursor.h"
#include "kdive/error.h"
#include "linux/kernel_layout.h"
#include "linux/list_walk.h"
#include "linux/memory_model.h"
#include "linux/target_words.h"
#include "object/object.h"
#include "program/program.h"

namespace kdive {

namespace {

// include/linux/ring_buffer.h: enum ring_buffer_type.
constexpr uint32_t kTypePadding = 29, kTypeTimeExtend = 30, kTypeTimeStamp = 31;
constexpr uint32_t kTsShift = 27;  // TS_SHIFT: time_delta is 27 bits
// ring_buffer.c: "The absolute timestamp in the buffer is only 59 bits"; the top five
// bits of the reader's current stamp are put back (rb_fix_abs_ts).
constexpr uint64_t kTsMsb = uint64_t(0xf8) << 56;
// RB_PAGE_HEAD | RB_PAGE_UPDATE in list.next; RB_MISSED_EVENTS | RB_MISSED_STORED in commit.
constexpr uint64_t kPageFlagMask = 3;
constexpr uint64_t kCommitFlags = (uint64_t(1) << 31) | (uint64_t(1) << 30);
// Bounds on values read from the dump: a sub-buffer order (6.8 allows up to 7), pages
// per CPU (2^22 pages = 16 GiB of trace buffer), CPUs.
constexpr uint64_t kMaxOrder = 10, kMaxPages = uint64_t(1) << 22, kMaxCpus = 8192;

std::optional<uint64_t> global_address(Program& program, std::string_view name) {
  std::optional<Object> o = program.find_object(name);
  if (!o || !o->is_reference()) return std::nullopt;
  return o->address();
}

std::vector<uint8_t> read_bytes(const MemoryReader& mem, uint64_t address, uint64_t size) {
  std::vector<uint8_t> buf(size);
  if (size) mem.read(address, buf.data(), size);
  return buf;
}

uint64_t fix_abs_ts(uint64_t abs, uint64_t save_ts) {
  if (save_ts & kTsMsb) {
    abs |= save_ts & kTsMsb;
    if (abs < save_ts) abs += uint64_t(1) << 59;
  }
  return abs;
}

}  // namespace

TraceLayout TraceLayout::of(Program& program) {
  KernelLayout layout(program);
  return of(program, layout);
}

TraceLayout TraceLayout::of(Program& program, KernelLayout& layout) {
  TraceLayout t;
  const char* ta = "struct trace_array";
  t.ta_list = layout.offset(ta, "list");
  t.ta_name = layout.offset(ta, "name");
  t.ta_buffer = layout.offset(ta, "array_buffer.buffer");
  t.ta_clock_id = layout.find_offset(ta, "clock_id");
  const char* tb = "struct trace_buffer";
  t.tb_cpus = layout.find_offset(tb, "cpus");
  t.tb_subbuf_order = layout.find_offset(tb, "subbuf_order");
  t.tb_buffers = layout.offset(tb, "buffers");
  const char* pc = "struct ring_buffer_per_cpu";
  t.cpu_cpu = layout.offset(pc, "cpu");
  t.cpu_nr_pages = layout.offset(pc, "nr_pages");
  t.cpu_head_page = layout.offset(pc, "head_page");
  t.cpu_commit_page = layout.offset(pc, "commit_page");
  t.cpu_reader_page = layout.offset(pc, "reader_page");
  t.cpu_entries = layout.offset(pc, "entries");
  t.cpu_overrun = layout.offset(pc, "overrun");
  t.cpu_commit_overrun = layout.offset(pc, "commit_overrun");
  t.cpu_lost_events = layout.offset(pc, "lost_events");
  t.cpu_dropped_events = layout.find_offset(pc, "dropped_events");
  const char* bp = "struct buffer_page";
  t.bp_list = layout.offset(bp, "list");
  t.bp_next = t.bp_list + layout.offset("struct list_head", "next");
  t.bp_read = layout.offset(bp, "read");
  t.bp_page = layout.offset(bp, "page");
  t.bp_order = layout.find_offset(bp, "order");
  const char* dp = "struct buffer_data_page";
  t.dp_time_stamp = layout.offset(dp, "time_stamp");
  t.dp_commit = layout.offset(dp, "commit");
  t.dp_data = layout.offset(dp, "data");
  t.page_size = MemoryModel(program).page_size();
  if (std::optional<uint64_t> n = global_address(program, "nr_cpu_ids"))
    t.nr_cpu_ids = read_u32(program.memory(), *n);
  return t;
}

std::string TraceLayout::describe() const {
  std::string s = fmt::format("ring buffer: {} CPUs ({}); sub-buffers: {}", nr_cpu_ids,
                              tb_cpus ? "trace_buffer.cpus" : "nr_cpu_ids",
                              bp_order ? "PAGE_SIZE << buffer_page.order"
                                       : (tb_subbuf_order ? "PAGE_SIZE << trace_buffer.subbuf_order" : "one page"));
  if (cpu_dropped_events) s += "; dropped_events counted";
  return s;
}

std::vector<TraceInstanceRef> list_trace_instances(Program& program, const TraceLayout& lay, WalkStatus* status) {
  const MemoryReader& mem = program.memory();
  std::optional<uint64_t> head = global_address(program, "ftrace_trace_arrays");
  std::optional<uint64_t> global = global_address(program, "global_trace");
  if (!head && !global) throw LookupError("could not find 'ftrace_trace_arrays' or 'global_trace' (no ftrace in this kernel)");
  std::vector<TraceInstanceRef> out;
  auto add = [&](uint64_t tr) {
    TraceInstanceRef r;
    r.trace_array = tr;
    uint64_t name = read_u64(mem, tr + lay.ta_name);
    if (name) r.name = read_c_string(mem, name, 256);
    r.buffer = read_u64(mem, tr + lay.ta_buffer);
    // kernel/trace/trace.c: trace_clocks[] = { {func, name, in_ns}, ... }.
    if (lay.ta_clock_id) {
      try {
        int64_t id = static_cast<int32_t>(read_u32(mem, tr + *lay.ta_clock_id));
        std::optional<Object> clocks = program.find_object("trace_clocks");
        if (clocks && clocks->is_reference() && id >= 0) {
          Object c = clocks->subscript(id);
          r.clock = c.member("name").read_c_string(64);
          r.clock_in_ns = c.member("in_ns").as_unsigned() != 0;
        }
      } catch (const Error&) {
        r.clock.clear();  // unknown: time stamps are shown as nanoseconds
      }
    }
    out.push_back(std::move(r));
  };
  // global_trace is on the list too (first); it alone has no name.
  if (global) add(*global);
  if (head) {
    KernelLayout layout(program);
    WalkStatus st = walk_list(mem, ListLayout::of(layout), *head, [&](uint64_t node) {
      uint64_t tr = node - lay.ta_list;
      if (!global || tr != *global) add(tr);
      return true;
    }, WalkLimits{4096});
    if (status) *status = st;
  }
  return out;
}

namespace {

// decode_trace_page()'s walk. Besides the events it reports where it stopped (`stop`:
// `commit`, or the offset of the entry it could not decode) and the time stamp in force
// just before the entry at `begin` (`ts_at_begin`: the page's stamp plus every delta
// before it), which a page re-based at `begin` needs as its buffer_data_page.time_stamp.
std::string walk_trace_page(const uint8_t* data, uint64_t commit, uint64_t begin, uint64_t page_ts, uint32_t cpu,
                            uint64_t data_address, std::vector<RawTraceEvent>* out, uint64_t* stop,
                            uint64_t* ts_at_begin) {
  ByteCursor c(std::span<const uint8_t>(data, commit), "trace buffer", fmt::format("page {:#x}", data_address), true,
               data_address);
  uint64_t ts = page_ts;
  uint64_t pos = 0;
  bool begun = false;
  auto stopped = [&](std::string why) {
    if (stop) *stop = pos;
    if (ts_at_begin && !begun) *ts_at_begin = ts;
    return why;
  };
  // Deltas accumulate from the page's start, so the part before `begin` (already read
  // by a consuming reader) is walked for its time stamps but not emitted.
  while (pos + 4 <= commit) {
    const uint64_t start = pos;  // `read` offsets name event headers
    if (!begun && start >= begin) {
      begun = true;
      if (ts_at_begin) *ts_at_begin = ts;
    }
    c.seek(pos);
    uint32_t header = c.u32();
    uint32_t type_len = header & 0x1f;
    uint64_t delta = header >> 5;
    auto array0 = [&]() -> std::optional<uint32_t> {
      if (pos + 8 > commit) return std::nullopt;
      return c.u32();
    };
    if (type_len == kTypePadding) {
      // time_delta 0: the rest of the page is unused (rb_null_event). Otherwise a
      // discarded event whose length is in array[0]; it adds no time.
      if (delta == 0) {
        pos = commit;
        return stopped({});
      }
      std::optional<uint32_t> len = array0();
      if (!len || *len == 0 || pos + 4 + *len > commit)
        return stopped(fmt::format("bad padding event at offset {:#x}", pos));
      pos += 4 + *len;
      continue;
    }
    if (type_len == kTypeTimeExtend || type_len == kTypeTimeStamp) {
      std::optional<uint32_t> hi = array0();
      if (!hi) return stopped(fmt::format("truncated time stamp event at offset {:#x}", pos));
      uint64_t value = (uint64_t(*hi) << kTsShift) + delta;
      ts = type_len == kTypeTimeExtend ? ts + value : fix_abs_ts(value, ts);
      pos += 8;
      continue;
    }
    uint64_t payload = 0, length = 0;
    if (type_len == 0) {
      // array[0] holds the length of array[0] itself plus the payload.
      std::optional<uint32_t> len = array0();
      if (!len || *len < 4 || pos + 4 + *len > commit) return stopped(fmt::format("bad event length at offset {:#x}", pos));
      payload = pos + 8;
      length = *len - 4;
    } else {
      payload = pos + 4;
      length = uint64_t(type_len) * 4;
      if (payload + length > commit) return stopped(fmt::format("event at offset {:#x} runs past commit", pos));
    }
    pos = payload + length;
    ts += delta;
    if (start >= begin && out) {
      RawTraceEvent e;
      e.cpu = cpu;
      e.ts = ts;
      e.address = data_address + payload;
      e.data.assign(data + payload, data + payload + length);
      out->push_back(std::move(e));
    }
  }
  pos = commit;
  return stopped({});
}

}  // namespace

std::string decode_trace_page(const uint8_t* data, uint64_t commit, uint64_t begin, uint64_t page_ts, uint32_t cpu,
                              uint64_t data_address, std::vector<RawTraceEvent>& out) {
  return walk_trace_page(data, commit, begin, page_ts, cpu, data_address, &out, nullptr, nullptr);
}

namespace {

struct PageInfo {
  uint64_t next = 0, read = 0, data_page = 0, order = 0;
};

// One buffer_page's data page, read and checked: its stamp, commit and data bytes.
struct LoadedPage {
  uint64_t subbuf = 0, time_stamp = 0, commit = 0;
  std::vector<uint8_t> data;
};

class CpuReader {
 public:
  CpuReader(const MemoryReader& mem, const TraceLayout& lay, uint64_t default_order, TraceCpuBuffer& cpu)
      : mem_(mem), lay_(lay), default_order_(default_order), cpu_(cpu) {}

  PageInfo page(uint64_t bp) const {
    PageInfo p;
    p.next = read_u64(mem_, bp + lay_.bp_next) & ~kPageFlagMask;
    p.read = read_u32(mem_, bp + lay_.bp_read);
    p.data_page = read_u64(mem_, bp + lay_.bp_page);
    p.order = lay_.bp_order ? read_u32(mem_, bp + *lay_.bp_order) : default_order_;
    return p;
  }

  LoadedPage load(const PageInfo& p) const {
    if (p.order > kMaxOrder) throw BadDataError(fmt::format("sub-buffer order {} is implausible", p.order));
    LoadedPage l;
    l.subbuf = lay_.page_size << p.order;
    cpu_.subbuf_size = l.subbuf;
    uint64_t data_size = l.subbuf - lay_.dp_data;
    l.time_stamp = read_u64(mem_, p.data_page + lay_.dp_time_stamp);
    l.commit = read_u64(mem_, p.data_page + lay_.dp_commit) & 0xffffffff & ~kCommitFlags;
    if (l.commit > data_size)
      throw BadDataError(fmt::format("commit {:#x} exceeds the sub-buffer's {:#x} data bytes", l.commit, data_size));
    l.data = read_bytes(mem_, p.data_page + lay_.dp_data, l.commit);
    return l;
  }

  // Decodes one buffer_page's data from `begin` into `events` and/or re-bases it at
  // `begin` into `pages`; a page that cannot be read or is inconsistent is recorded and
  // skipped (the walk goes on with the next page). Both outputs cover the same entries.
  void visit(uint64_t bp, const PageInfo& p, uint64_t begin, std::vector<RawTraceEvent>* events,
             std::vector<TraceDataPage>* pages) {
    try {
      LoadedPage l = load(p);
      size_t before = events ? events->size() : 0;
      uint64_t stop = l.commit, ts_at_begin = l.time_stamp;
      std::string why = walk_trace_page(l.data.data(), l.commit, begin, l.time_stamp, cpu_.cpu,
                                        p.data_page + lay_.dp_data, events, &stop, &ts_at_begin);
      if (events) cpu_.events_read += events->size() - before;
      ++cpu_.pages_read;
      if (!why.empty()) cpu_.problems.push_back(fmt::format("buffer_page {:#x}: {}; rest of the page skipped", bp, why));
      if (pages && stop > begin) {
        TraceDataPage d;
        d.buffer_page = bp;
        d.subbuf_size = l.subbuf;
        d.time_stamp = begin ? ts_at_begin : l.time_stamp;
        d.data.assign(l.data.begin() + static_cast<std::ptrdiff_t>(begin), l.data.begin() + static_cast<std::ptrdiff_t>(stop));
        pages->push_back(std::move(d));
      }
    } catch (const Error& e) {
      cpu_.problems.push_back(fmt::format("buffer_page {:#x} (data page {:#x}) skipped: {}", bp, p.data_page, e.what()));
    }
  }

 private:
  const MemoryReader& mem_;
  const TraceLayout& lay_;
  uint64_t default_order_;
  TraceCpuBuffer& cpu_;
};

void read_cpu(const MemoryReader& mem, const TraceLayout& lay, uint64_t default_order, uint64_t address,
              TraceCpuBuffer& cpu, std::vector<RawTraceEvent>* events, std::vector<TraceDataPage>* pages) {
  cpu.address = address;
  cpu.nr_pages = read_u64(mem, address + lay.cpu_nr_pages);
  cpu.entries = read_u64(mem, address + lay.cpu_entries);
  cpu.overrun = read_u64(mem, address + lay.cpu_overrun);
  cpu.commit_overrun = read_u64(mem, address + lay.cpu_commit_overrun);
  cpu.lost_events = read_u64(mem, address + lay.cpu_lost_events);
  if (lay.cpu_dropped_events) cpu.dropped_events = read_u64(mem, address + *lay.cpu_dropped_events);
  uint64_t reader = read_u64(mem, address + lay.cpu_reader_page);
  uint64_t head = read_u64(mem, address + lay.cpu_head_page);
  uint64_t commit = read_u64(mem, address + lay.cpu_commit_page);
  if (cpu.nr_pages > kMaxPages) {
    cpu.problems.push_back(fmt::format("nr_pages {} is implausible; buffer skipped", cpu.nr_pages));
    return;
  }
  CpuReader r(mem, lay, default_order, cpu);
  if (reader) {
    PageInfo p = r.page(reader);
    r.visit(reader, p, p.read, events, pages);
    if (reader == commit) return;
  }
  // The ring: head page to commit page, at most nr_pages pages (+1 for a commit page
  // reached last).
  uint64_t bp = head;
  for (uint64_t n = 0; n <= cpu.nr_pages; ++n) {
    if (!bp) break;
    PageInfo p = r.page(bp);
    r.visit(bp, p, 0, events, pages);
    if (bp == commit) return;
    // list.next points at the next buffer_page's list member.
    bp = p.next - lay.bp_list;
    if (bp == head) break;
  }
  cpu.problems.push_back(fmt::format("the page ring from head page {:#x} did not reach commit page {:#x} within {} pages",
                                     head, commit, cpu.nr_pages));
}

// Every CPU's ring_buffer_per_cpu of the trace_buffer at `buffer`, visited in CPU order.
template <typename Visit>
void for_each_cpu_buffer(const MemoryReader& mem, const TraceLayout& lay, uint64_t buffer,
                         std::optional<uint32_t> only_cpu, Visit visit) {
  uint64_t ncpus = lay.tb_cpus ? read_u32(mem, buffer + *lay.tb_cpus) : lay.nr_cpu_ids;
  if (ncpus == 0 || ncpus > kMaxCpus) throw BadDataError(fmt::format("trace_buffer {:#x}: {} CPUs is implausible", buffer, ncpus));
  uint64_t order = lay.tb_subbuf_order ? read_u32(mem, buffer + *lay.tb_subbuf_order) : 0;
  uint64_t buffers = read_u64(mem, buffer + lay.tb_buffers);
  std::vector<uint8_t> ptrs = read_bytes(mem, buffers, ncpus * 8);
  ByteCursor pc(ptrs, "trace buffer", "per-CPU buffer pointers", true, buffers);
  for (uint32_t cpu = 0; cpu < ncpus; ++cpu) {
    uint64_t addr = pc.u64();
    if (!addr || (only_cpu && *only_cpu != cpu)) continue;
    visit(cpu, addr, order);
  }
}

}  // namespace

TraceBuffer read_trace_buffer(const MemoryReader& mem, const TraceLayout& lay, uint64_t buffer,
                              std::optional<uint32_t> only_cpu) {
  TraceBuffer out;
  std::vector<std::vector<RawTraceEvent>> per_cpu;
  for_each_cpu_buffer(mem, lay, buffer, only_cpu, [&](uint32_t cpu, uint64_t addr, uint64_t order) {
    TraceCpuBuffer c;
    c.cpu = cpu;
    std::vector<RawTraceEvent> events;
    try {
      read_cpu(mem, lay, order, addr, c, &events, nullptr);
    } catch (const Error& e) {
      c.problems.push_back(fmt::format("ring_buffer_per_cpu {:#x}: {}", addr, e.what()));
    }
    out.cpus.push_back(std::move(c));
    per_cpu.push_back(std::move(events));
  });
  for (auto& v : per_cpu)
    for (RawTraceEvent& e : v) out.events.push_back(std::move(e));
  // Each CPU's events are in time order already; a stable sort merges them and keeps
  // lower CPUs first on equal time stamps.
  std::stable_sort(out.events.begin(), out.events.end(),
                   [](const RawTraceEvent& a, const RawTraceEvent& b) { return a.ts < b.ts; });
  return out;
}

std::vector<TraceCpuPages> read_trace_pages(const MemoryReader& mem, const TraceLayout& lay, uint64_t buffer,
                                            bool with_events) {
  std::vector<TraceCpuPages> out;
  for_each_cpu_buffer(mem, lay, buffer, std::nullopt, [&](uint32_t cpu, uint64_t addr, uint64_t order) {
    TraceCpuPages c;
    c.info.cpu = cpu;
    try {
      read_cpu(mem, lay, order, addr, c.info, with_events ? &c.events : nullptr, &c.pages);
    } catch (const Error& e) {
      c.info.problems.push_back(fmt::format("ring_buffer_per_cpu {:#x}: {}", addr, e.what()));
    }
    out.push_back(std::move(c));
  });
  return out;
}

}  // namespace kdive
