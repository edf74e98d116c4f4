// Event catalog, saved cmdlines and per-record decoding (trace_event_format.h).
// kernel/trace/trace_events.c keeps every event's trace_event_call on `ftrace_events`
// (the ftrace-internal records — function, bprint, print, ... — are there too, system
// "ftrace"), each field on its class's `fields` list added at the head
// (trace_define_field → list_add), so the list read backwards is the declaration
// order the "format" files show; the common_* fields are on `ftrace_common_fields`.
// kernel/trace/trace_sched_switch.c owns savedcmd: map_pid_to_cmdline indexed by
// pid & (PID_MAX_DEFAULT - 1) (directly by pid before 6.2; the masked index and the
// map_cmdline_to_pid check give the same answer for both), names TASK_COMM_LEN apart.
#include "linux/trace_event_format.h"

#include <algorithm>

#include <fmt/format.h>

#include "debuginfo/debug_info.h"
#include "kdive/error.h"
#include "linux/kernel_layout.h"
#include "linux/list_walk.h"
#include "linux/target_words.h"
#include "object/object.h"
#include "program/loaded_kernel_modules.h"
#include "program/module_kallsyms.h"
#include "program/program.h"
#include "types/type_layout.h"

namespace kdive {

namespace {

constexpr size_t kMaxName = 256, kMaxFormat = 4096;

std::optional<uint64_t> global_address(Program& program, std::string_view name) {
  std::optional<Object> o = program.find_object(name);
  if (!o || !o->is_reference()) return std::nullopt;
  return o->address();
}

std::string dump_string(const MemoryReader& mem, uint64_t address, size_t max) {
  if (!address) return {};
  return read_c_string(mem, address, max);
}

// A one-bit (or whole int) member: is_signed became a bit field in 6.x.
struct FlagMember {
  uint64_t byte = 0, shift = 0, bits = 32;
  static FlagMember of(KernelLayout& layout, std::string_view type, std::string_view member) {
    FoundMember m = resolve_designator(layout.type(type), member);
    FlagMember f;
    f.byte = m.bit_offset / 8;
    f.shift = m.bit_offset % 8;
    f.bits = m.bit_field_size ? m.bit_field_size : type_sizeof(m.type) * 8;
    return f;
  }
  bool read(const MemoryReader& mem, uint64_t base) const {
    uint64_t bytes = (shift + bits + 7) / 8;
    uint64_t v = read_unsigned(mem, base + byte, bytes <= 1 ? 1 : bytes <= 2 ? 2 : bytes <= 4 ? 4 : 8);
    return ((v >> shift) & ((bits >= 64) ? ~uint64_t(0) : ((uint64_t(1) << bits) - 1))) != 0;
  }
};

// The fields on the list_head at `head` (struct ftrace_event_field.link), in
// declaration order.
std::vector<TraceEventField> read_fields(Program& program, KernelLayout& layout, uint64_t head) {
  const MemoryReader& mem = program.memory();
  const char* ft = "struct ftrace_event_field";
  uint64_t link = layout.offset(ft, "link"), name = layout.offset(ft, "name"), type = layout.offset(ft, "type");
  uint64_t offset = layout.offset(ft, "offset"), size = layout.offset(ft, "size");
  FlagMember is_signed = FlagMember::of(layout, ft, "is_signed");
  std::vector<TraceEventField> out;
  WalkStatus st = walk_list(mem, ListLayout::of(layout), head, [&](uint64_t node) {
    uint64_t f = node - link;
    TraceEventField field;
    field.name = dump_string(mem, read_u64(mem, f + name), kMaxName);
    field.type = dump_string(mem, read_u64(mem, f + type), kMaxName);
    field.offset = read_u32(mem, f + offset);
    field.size = read_u32(mem, f + size);
    field.is_signed = is_signed.read(mem, f);
    out.push_back(std::move(field));
    return true;
  }, WalkLimits{1024}, /*reverse=*/true);
  st.throw_if_problem();
  return out;
}

}  // namespace

TraceEventCatalog::TraceEventCatalog(Program& program)
    : program_(program), layout_(std::make_unique<KernelLayout>(program)) {}
TraceEventCatalog::~TraceEventCatalog() = default;

void TraceEventCatalog::load_ids() {
  ids_loaded_ = true;
  std::optional<uint64_t> head = global_address(program_, "ftrace_events");
  if (!head) {
    status_.problem = "could not find 'ftrace_events'";
    return;
  }
  const MemoryReader& mem = program_.memory();
  uint64_t list = layout_->offset("struct trace_event_call", "list");
  uint64_t type = layout_->offset("struct trace_event_call", "event.type");
  status_ = walk_list(mem, ListLayout::of(*layout_), *head, [&](uint64_t node) {
    uint64_t call = node - list;
    calls_.emplace(read_u32(mem, call + type), call);
    return true;
  }, WalkLimits{1 << 16});
}

std::shared_ptr<const TraceEventType> TraceEventCatalog::find(uint32_t id) {
  if (auto it = types_.find(id); it != types_.end()) return it->second;
  if (!ids_loaded_) load_ids();
  auto c = calls_.find(id);
  if (c == calls_.end()) return nullptr;
  const MemoryReader& mem = program_.memory();
  KernelLayout& lay = *layout_;
  TraceEventType t;
  t.id = id;
  t.call = c->second;
  try {
    const char* tc = "struct trace_event_call";
    uint64_t cls = read_u64(mem, t.call + lay.offset(tc, "class"));
    t.system = dump_string(mem, read_u64(mem, cls + lay.offset("struct trace_event_class", "system")), kMaxName);
    // The name union holds a struct tracepoint * for tracepoint events.
    uint64_t name_ptr = read_u64(mem, t.call + lay.first_offset(tc, {"name", "tp"}));
    uint64_t flags = read_u32(mem, t.call + lay.offset(tc, "flags"));
    std::optional<Object> fl_tp = program_.find_object("TRACE_EVENT_FL_TRACEPOINT");
    bool is_tp = fl_tp && !fl_tp->is_reference() && (flags & fl_tp->as_unsigned());
    if (is_tp) name_ptr = read_u64(mem, name_ptr + lay.offset("struct tracepoint", "name"));
    t.name = dump_string(mem, name_ptr, kMaxName);
    t.print_fmt = dump_string(mem, read_u64(mem, t.call + lay.offset(tc, "print_fmt")), kMaxFormat);
    if (!common_loaded_) {
      common_loaded_ = true;
      if (std::optional<uint64_t> h = global_address(program_, "ftrace_common_fields"))
        common_ = read_fields(program_, lay, *h);
    }
    t.fields = common_;
    for (TraceEventField& f : read_fields(program_, lay, cls + lay.offset("struct trace_event_class", "fields")))
      t.fields.push_back(std::move(f));
  } catch (const Error& e) {
    if (t.name.empty()) t.name = fmt::format("event_{}", id);
  }
  return types_.emplace(id, std::make_shared<const TraceEventType>(std::move(t))).first->second;
}

SavedCmdlines::SavedCmdlines(Program& program) : program_(program) {
  try {
    std::optional<uint64_t> sc = global_address(program, "savedcmd");
    if (!sc) return;
    KernelLayout layout(program);
    const MemoryReader& mem = program.memory();
    const char* sb = "struct saved_cmdlines_buffer";
    base_ = read_u64(mem, *sc);
    if (!base_) return;
    map_pid_ = layout.offset(sb, "map_pid_to_cmdline");
    pid_max_ = layout.array_length(sb, "map_pid_to_cmdline") - 1;  // PID_MAX_DEFAULT + 1 entries
    cmdline_num_ = read_u32(mem, base_ + layout.offset(sb, "cmdline_num"));
    to_pid_ = read_u64(mem, base_ + layout.offset(sb, "map_cmdline_to_pid"));
    // A flexible array in the buffer (6.x, and Debian's 5.10), a pointer before.
    FoundMember names = resolve_designator(layout.type(sb), "saved_cmdlines");
    uint64_t names_off = names.bit_offset / 8;
    names_ = underlying_type(names.type).type->kind() == TypeKind::Pointer ? read_u64(mem, base_ + names_off)
                                                                          : base_ + names_off;
    comm_len_ = layout.member_size("struct task_struct", "comm");
  } catch (const Error&) {
    base_ = 0;
  }
}

std::string SavedCmdlines::comm(int32_t pid) {
  if (pid == 0) return "<idle>";
  if (auto it = cache_.find(pid); it != cache_.end()) return it->second;
  std::string name = "<...>";
  try {
    if (base_ && pid > 0 && static_cast<uint64_t>(pid) <= pid_max_ && pid_max_) {
      const MemoryReader& mem = program_.memory();
      uint64_t idx = static_cast<uint64_t>(pid) & (pid_max_ - 1);
      uint32_t map = read_u32(mem, base_ + map_pid_ + idx * 4);
      if (map < cmdline_num_ && read_u32(mem, to_pid_ + uint64_t(map) * 4) == static_cast<uint32_t>(pid))
        name = read_char_array(mem, names_ + uint64_t(map) * comm_len_, comm_len_);
    }
  } catch (const Error&) {
  }
  cache_[pid] = name;
  return name;
}

std::vector<std::pair<int32_t, std::string>> SavedCmdlines::entries() {
  std::vector<std::pair<int32_t, std::string>> out;
  if (!base_) return out;
  try {
    const MemoryReader& mem = program_.memory();
    std::vector<uint8_t> pids(cmdline_num_ * 4);
    if (!pids.empty()) mem.read(to_pid_, pids.data(), pids.size());
    for (uint64_t i = 0; i < cmdline_num_; ++i) {
      uint32_t pid = uint32_t(pids[4 * i]) | uint32_t(pids[4 * i + 1]) << 8 | uint32_t(pids[4 * i + 2]) << 16 |
                     uint32_t(pids[4 * i + 3]) << 24;
      // NO_CMDLINE_MAP (UINT_MAX) marks a free slot; comm() checks the map both ways.
      if (pid == 0 || pid > pid_max_) continue;
      std::string name = comm(static_cast<int32_t>(pid));
      if (name != "<...>") out.emplace_back(static_cast<int32_t>(pid), std::move(name));
    }
  } catch (const Error&) {
  }
  return out;
}

TraceDecoder::TraceDecoder(Program& program) : program_(program), catalog_(program), cmdlines_(program) {
  KernelLayout lay(program);
  const char* te = "struct trace_entry";
  off_type_ = lay.offset(te, "type");
  off_flags_ = lay.offset(te, "flags");
  off_preempt_ = lay.offset(te, "preempt_count");
  off_pid_ = lay.offset(te, "pid");
  bprint_ip_ = lay.offset("struct bprint_entry", "ip");
  bprint_fmt_ = lay.offset("struct bprint_entry", "fmt");
  bprint_buf_ = lay.offset("struct bprint_entry", "buf");
  bputs_ip_ = lay.offset("struct bputs_entry", "ip");
  bputs_str_ = lay.offset("struct bputs_entry", "str");
  print_ip_ = lay.offset("struct print_entry", "ip");
  print_buf_ = lay.offset("struct print_entry", "buf");
  fn_ip_ = lay.offset("struct ftrace_entry", "ip");
  fn_parent_ = lay.offset("struct ftrace_entry", "parent_ip");
  stack_caller_ = lay.find_offset("struct stack_entry", "caller").value_or(0);
  // lib/vsprintf.c's enum format_state replaced enum format_type in the 6.14 rework,
  // which also made vbin_printf() save small integers as ints.
  std::optional<Object> num_state = program.find_object("FORMAT_STATE_NUM");
  printf_layout_.small_ints_as_int = num_state && !num_state->is_reference();
}

TraceDecoder::~TraceDecoder() = default;

// A module's kallsyms symbol addresses (struct module's own table, as the kernel's
// get_ksymbol() scans it) and, when struct module says where its text ends
// (core_layout before 6.4, mem[MOD_TEXT] since), that end; sorted.
const std::vector<uint64_t>* TraceDecoder::module_symbols(const std::string& name, uint64_t mod) const {
  auto it = module_symbols_.find(name);
  if (it != module_symbols_.end()) return it->second.empty() ? nullptr : &it->second;
  std::vector<uint64_t> v;
  try {
    QualifiedType type = program_.find_type("struct module");
    for (const KallsymsSymbol& k : read_module_kallsyms(Object::reference(program_.object_env(), type, mod)).symbols)
      v.push_back(k.address);
    KernelLayout lay(program_);
    const MemoryReader& mem = program_.memory();
    if (auto size = lay.find_offset("struct module", "core_layout.text_size")) {
      uint64_t base = read_u64(mem, mod + lay.offset("struct module", "core_layout.base"));
      v.push_back(base + read_u32(mem, mod + *size));
    } else if (auto msize = lay.find_offset("struct module", "mem[0].size")) {
      uint64_t base = read_u64(mem, mod + lay.offset("struct module", "mem[0].base"));
      v.push_back(base + read_u32(mem, mod + *msize));
    }
    std::sort(v.begin(), v.end());
  } catch (const Error&) {
    v.clear();
  }
  auto& slot = module_symbols_[name] = std::move(v);
  return slot.empty() ? nullptr : &slot;
}

uint64_t TraceDecoder::kallsyms_size(uint64_t address, uint64_t start, uint64_t elf_size) const {
  // A module's symbol: the next symbol of its kallsyms above the address, bounded by
  // the end of its text (kernel/module/kallsyms.c find_kallsyms_symbol()).
  for (const LoadedKernelModule& m : program_.loaded_modules()) {
    if (address < m.base || address - m.base >= m.size) continue;
    const auto* v = module_symbols(m.name, m.address);
    if (!v) return elf_size;
    auto next = std::upper_bound(v->begin(), v->end(), address);
    return next != v->end() && *next > start ? *next - start : elf_size;
  }
  // vmlinux: kallsyms has no sizes; the kernel prints the distance to the next symbol.
  for (const auto& dm : program_.debug_info().modules()) {
    const std::vector<Symbol>& syms = dm->symbols().symbols();
    auto it = std::upper_bound(syms.begin(), syms.end(), start,
                               [](uint64_t a, const Symbol& s) { return a < s.address; });
    if (it == syms.begin() || std::prev(it)->address != start) continue;
    for (; it != syms.end(); ++it)
      if (it->symbolizable && it->address > start) return it->address - start;
  }
  return elf_size;
}

std::string TraceDecoder::symbol(uint64_t address, bool with_offset, bool with_module) const {
  std::optional<SymbolInfo> s = program_.debug_info().symbolize(address);
  if (!s) return {};
  std::string out = s->name;
  if (with_offset)
    out += fmt::format("+{:#x}/{:#x}", address - s->address, kallsyms_size(address, s->address, s->size));
  if (with_module) {
    std::string module = s->module;
    if (module.empty())
      for (const LoadedKernelModule& m : program_.loaded_modules())
        if (address >= m.base && address - m.base < m.size) module = m.name;
    if (!module.empty()) out += fmt::format(" [{}]", module);
  }
  return out;
}

namespace {

uint64_t le(const std::vector<uint8_t>& d, uint64_t off, size_t size) {
  if (off + size > d.size()) throw BadDataError(fmt::format("record of {} bytes too short for a field at {}", d.size(), off));
  uint64_t v = 0;
  for (size_t i = 0; i < size; ++i) v |= uint64_t(d[off + i]) << (8 * i);
  return v;
}

}  // namespace

std::string TraceDecoder::info(TraceRecord& r) {
  auto sym = [this](uint64_t a, bool off) { return symbol(a, off, true); };
  auto site = [this](uint64_t a, bool) { return symbol(a, false, false); };
  const MemoryReader& mem = program_.memory();
  bool ftrace = r.event && r.system == "ftrace";
  if (ftrace && r.name == "bprint") {
    uint64_t ip = le(r.data, bprint_ip_, 8), fmt_addr = le(r.data, bprint_fmt_, 8);
    auto it = strings_.find(fmt_addr);
    if (it == strings_.end()) it = strings_.emplace(fmt_addr, dump_string(mem, fmt_addr, kMaxFormat)).first;
    std::span<const uint8_t> packed(r.data.data() + std::min<uint64_t>(bprint_buf_, r.data.size()),
                                    r.data.size() - std::min<uint64_t>(bprint_buf_, r.data.size()));
    return format_symbol(ip, false, site) + ": " + format_binary_printf(it->second, packed, sym, printf_layout_);
  }
  if (ftrace && r.name == "bputs") {
    uint64_t ip = le(r.data, bputs_ip_, 8), str = le(r.data, bputs_str_, 8);
    auto it = strings_.find(str);
    if (it == strings_.end()) it = strings_.emplace(str, dump_string(mem, str, kMaxFormat)).first;
    return format_symbol(ip, false, site) + ": " + it->second;
  }
  if (ftrace && r.name == "print") {
    uint64_t ip = le(r.data, print_ip_, 8);
    size_t start = std::min<size_t>(print_buf_, r.data.size()), end = start;
    while (end < r.data.size() && r.data[end]) ++end;
    return format_symbol(ip, false, site) + ": " +
           std::string(reinterpret_cast<const char*>(r.data.data() + start), end - start);
  }
  if (ftrace && r.name == "function") {
    return format_symbol(le(r.data, fn_ip_, 8), false, site) + " <-- " +
           format_symbol(le(r.data, fn_parent_, 8), false, site);
  }
  if (ftrace && r.name == "kernel_stack" && stack_caller_) {
    // kernel/trace/trace_output.c trace_stack_print(): callers up to the record's end
    // or a ULONG_MAX terminator (caller[] is a fixed array in older kernels, flexible
    // in newer ones; the record length bounds both).
    std::string out = "<stack trace>";
    for (uint64_t off = stack_caller_; off + 8 <= r.data.size(); off += 8) {
      uint64_t ip = le(r.data, off, 8);
      if (ip == ~uint64_t(0)) break;
      out += "\n => " + format_symbol(ip, false, site);
    }
    return out;
  }
  if (!r.event) throw BadDataError(fmt::format("no event with id {}", r.type));
  return evaluate_print_fmt(r.event->print_fmt, r.data, r.event->fields, sym);
}

TraceRecord TraceDecoder::decode(const RawTraceEvent& raw) {
  TraceRecord r;
  r.cpu = raw.cpu;
  r.ts = raw.ts;
  r.data = raw.data;
  if (r.data.size() < off_pid_ + 4) {
    r.name = "short_record";
    r.raw = true;
    r.info = fmt::format("[{} bytes]", r.data.size());
    return r;
  }
  r.type = static_cast<uint32_t>(le(r.data, off_type_, 2));
  r.flags = static_cast<uint8_t>(le(r.data, off_flags_, 1));
  r.preempt_count = static_cast<uint8_t>(le(r.data, off_preempt_, 1));
  r.pid = static_cast<int32_t>(le(r.data, off_pid_, 4));
  r.comm = cmdlines_.comm(r.pid);
  r.event = catalog_.find(r.type);
  if (r.event) {
    r.system = r.event->system;
    r.name = r.event->name;
  } else {
    r.name = fmt::format("unknown_event_{}", r.type);
  }
  try {
    r.info = info(r);
  } catch (const Error& e) {
    // Raw fields instead of a guess; without a field list, the bytes.
    r.raw = true;
    std::string s;
    if (r.event)
      for (const TraceEventField& f : r.event->fields) {
        if (f.name.starts_with("common_")) continue;
        if (!s.empty()) s += ' ';
        try {
          s += f.name + "=" + format_field_value(f, r.data);
        } catch (const Error&) {
          s += f.name + "=?";
        }
      }
    if (!r.event || r.event->fields.empty()) {
      for (size_t i = 8; i < r.data.size(); ++i) s += fmt::format("{}{:02x}", i == 8 ? "" : " ", r.data[i]);
    }
    r.info = s;
  }
  if (!r.info.empty() && r.info.back() == '\n') r.info.pop_back();
  return r;
}

std::optional<std::string> TraceDecoder::field_text(const TraceRecord& r, std::string_view name) const {
  if (name == "pid" || name == "common_pid") return std::to_string(r.pid);
  if (name == "comm") return r.comm;
  if (name == "cpu") return std::to_string(r.cpu);
  if (!r.event) return std::nullopt;
  for (const TraceEventField& f : r.event->fields)
    if (f.name == name) {
      try {
        return format_field_value(f, r.data);
      } catch (const Error&) {
        return std::nullopt;
      }
    }
  return std::nullopt;
}

std::optional<std::string> trace_cmd_plugin_text(const TraceRecord& r) {
  if (!r.event || r.system != "sched") return std::nullopt;
  auto field = [&](std::string_view name) -> const TraceEventField* {
    for (const TraceEventField& f : r.event->fields)
      if (f.name == name) return &f;
    return nullptr;
  };
  auto integer = [&](std::string_view name) -> std::optional<int64_t> {
    const TraceEventField* f = field(name);
    if (!f) return std::nullopt;
    try {
      return static_cast<int64_t>(field_integer(*f, r.data));
    } catch (const Error&) {
      return std::nullopt;
    }
  };
  // "comm:" before a pid, as write_and_save_comm() prints the char array.
  auto comm = [&](std::string_view name) -> std::string {
    const TraceEventField* f = field(name);
    if (!f) return {};
    try {
      return field_string(*f, r.data) + ":";
    } catch (const Error&) {
      return {};
    }
  };
  if (r.name == "sched_switch") {
    std::optional<int64_t> prev = integer("prev_pid"), next = integer("next_pid");
    if (!prev || !next) return "!";
    std::string s = comm("prev_comm") + std::to_string(*prev) + " ";
    if (auto p = integer("prev_prio")) s += fmt::format("[{}] ", static_cast<int32_t>(*p));
    if (auto st = integer("prev_state")) {
      // write_state(): the bits of "SDTtZXxW", '|'-separated, else R.
      static const char kStates[] = "SDTtZXxW";
      std::string letters;
      for (int i = 0; i < 8; ++i)
        if (static_cast<int32_t>(*st) & (1 << i)) letters += std::string(letters.empty() ? "" : "|") + kStates[i];
      s += letters.empty() ? "R" : letters;
    }
    s += " ==> " + comm("next_comm") + std::to_string(*next);
    if (auto p = integer("next_prio")) s += fmt::format(" [{}]", static_cast<int32_t>(*p));
    return s;
  }
  if (r.name == "sched_wakeup" || r.name == "sched_wakeup_new" || r.name == "sched_waking") {
    std::optional<int64_t> pid = integer("pid");
    if (!pid) return "!";
    std::string s = comm("comm") + std::to_string(*pid);
    if (auto p = integer("prio")) s += fmt::format(" [{}]", *p);
    if (auto v = integer("success")) s += fmt::format(" success={}", *v);
    if (auto c = integer("target_cpu")) s += fmt::format(" CPU:{:03}", static_cast<uint64_t>(*c));
    return s;
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> trace_record_fields(const TraceRecord& r) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!r.event) return out;
  for (const TraceEventField& f : r.event->fields) {
    if (f.name.starts_with("common_")) continue;
    try {
      out.emplace_back(f.name, format_field_value(f, r.data));
    } catch (const Error&) {
    }
  }
  return out;
}

std::string format_trace_line(const TraceRecord& r) {
  uint64_t us = (r.ts + 500) / 1000;
  std::string time = r.ts_in_ns ? fmt::format("{:>5}.{:06}", us / 1000000, us % 1000000) : fmt::format("{:>12}", r.ts);
  std::string line = fmt::format("{:>16}-{:<5} [{:03}] {}: {}: ", r.comm, r.pid, r.cpu, time, r.name);
  if (r.name.size() < 20) line.append(20 - r.name.size(), ' ');
  return line + r.info;
}

}  // namespace kdive
