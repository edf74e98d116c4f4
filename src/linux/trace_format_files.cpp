// tracefs text files rebuilt from a dump (trace_format_files.h). The wording of each
// is the kernel's; what libtraceevent reads from them is noted where it matters.
#include "linux/trace_format_files.h"

#include <algorithm>

#include <fmt/format.h>

#include "debuginfo/debug_info.h"
#include "kdive/error.h"
#include "object/object.h"
#include "program/program.h"

namespace kdive {

std::string trace_header_page_text(const TraceLayout& lay, uint64_t commit_size, uint64_t subbuf_size) {
  // ring_buffer_print_page_header(): "overwrite" is a bit of commit (RB_MISSED_EVENTS),
  // printed at commit's offset with size 1; data's size is BUF_PAGE_SIZE (before 6.8)
  // or the sub-buffer's data size (6.8+), both the sub-buffer less its header.
  // is_signed_type(long) = 1; is_signed_type(char) = 1 on x86.
  std::string s;
  s += fmt::format("\tfield: u64 timestamp;\toffset:{};\tsize:{};\tsigned:{};\n", lay.dp_time_stamp, 8, 0);
  s += fmt::format("\tfield: local_t commit;\toffset:{};\tsize:{};\tsigned:{};\n", lay.dp_commit, commit_size, 1);
  s += fmt::format("\tfield: int overwrite;\toffset:{};\tsize:{};\tsigned:{};\n", lay.dp_commit, 1, 1);
  s += fmt::format("\tfield: char data;\toffset:{};\tsize:{};\tsigned:{};\n", lay.dp_data, subbuf_size - lay.dp_data, 1);
  return s;
}

std::string trace_header_event_text() {
  // ring_buffer_print_entry_header(); RINGBUF_TYPE_PADDING/TIME_EXTEND/TIME_STAMP are
  // 29/30/31 and RINGBUF_TYPE_DATA_TYPE_LEN_MAX 28 (include/linux/ring_buffer.h).
  return "# compressed entry header\n"
         "\ttype_len    :    5 bits\n"
         "\ttime_delta  :   27 bits\n"
         "\tarray       :   32 bits\n"
         "\n"
         "\tpadding     : type == 29\n"
         "\ttime_extend : type == 30\n"
         "\ttime_stamp : type == 31\n"
         "\tdata max type_len  == 28\n";
}

std::string trace_event_format_text(const TraceEventType& event) {
  // trace_events.c f_show(): a field whose type holds '[' (and is no __data_loc/__rel_loc
  // string) prints the element type, then the name with the array part after it.
  auto field_line = [](const TraceEventField& f) {
    std::string type = f.type, name = f.name;
    size_t bracket = type.find('[');
    if (bracket != std::string::npos && !type.starts_with("__data_loc") && !type.starts_with("__rel_loc")) {
      name += type.substr(bracket);
      type.erase(bracket);
      while (!type.empty() && type.back() == ' ') type.pop_back();
    }
    return fmt::format("\tfield:{} {};\toffset:{};\tsize:{};\tsigned:{};\n", type, name, f.offset, f.size,
                       f.is_signed ? 1 : 0);
  };
  std::string s = fmt::format("name: {}\nID: {}\nformat:\n", event.name, event.id);
  bool common = true;
  for (const TraceEventField& f : event.fields) {
    if (common && !f.name.starts_with("common_")) {
      s += "\n";  // FORMAT_FIELD_SEPERATOR
      common = false;
    }
    s += field_line(f);
  }
  if (common) s += "\n";
  s += fmt::format("\nprint fmt: {}\n", event.print_fmt);
  return s;
}

namespace {

struct KallsymsLine {
  uint64_t address = 0;
  int rank = 0;  // 0: the symbolizer's choice at this address
  char type = 't';
  std::string name, module;
};

bool kallsyms_name(std::string_view name) {
  // Assembler locals and mapping symbols are not in the kernel's kallsyms.
  return !name.empty() && name[0] != '.' && name[0] != '$' && !name.starts_with("__UNIQUE_ID") &&
         name.find('\n') == std::string_view::npos && name.find(' ') == std::string_view::npos;
}

}  // namespace

std::string trace_kallsyms_text(Program& program) {
  std::vector<KallsymsLine> lines;
  DebugInfo& di = program.debug_info();
  if (DumpDebugInfo* dump = di.dump_debug_info()) {
    for (const DumpSymbol& s : dump->symbols_named("")) {
      if (!kallsyms_name(s.name) || s.type == 'a' || s.type == 'A') continue;
      lines.push_back({s.address, 1, s.type, std::string(s.name), std::string(s.module)});
    }
  } else {
    for (const auto& dm : di.modules()) {
      if (dm->kind() == DebugModule::Kind::User) continue;
      std::string module = dm->kind() == DebugModule::Kind::KernelModule ? dm->name() : "";
      for (const Symbol& s : dm->symbols().symbols()) {
        if (!s.symbolizable || !kallsyms_name(s.name) || s.address == 0) continue;
        char t = s.is_function ? 't' : 'd';
        if (s.is_global) t = static_cast<char>(t - 'a' + 'A');
        lines.push_back({s.address, 1, t, std::string(s.name), module});
      }
    }
  }
  // libtraceevent names an address after the last symbol at or below it, and of several
  // at one address after whichever its sort left last; so each address keeps only the
  // symbol kdive's own symbolizer names it after.
  std::sort(lines.begin(), lines.end(), [](const KallsymsLine& a, const KallsymsLine& b) { return a.address < b.address; });
  std::vector<KallsymsLine> unique;
  for (size_t i = 0; i < lines.size();) {
    size_t j = i;
    while (j < lines.size() && lines[j].address == lines[i].address) ++j;
    size_t pick = i;
    if (j - i > 1)
      if (std::optional<SymbolInfo> s = di.symbolize(lines[i].address); s && s->address == lines[i].address)
        for (size_t k = i; k < j; ++k)
          if (lines[k].name == s->name) {
            pick = k;
            break;
          }
    unique.push_back(std::move(lines[pick]));
    i = j;
  }
  std::string out;
  out.reserve(unique.size() * 48);
  for (const KallsymsLine& l : unique) {
    // kallsyms.c s_show(): "%px %c %s\t[%s]\n" for a module's symbol, else "%px %c %s\n".
    out += fmt::format("{:016x} {} {}", l.address, l.type, l.name);
    if (!l.module.empty()) out += fmt::format("\t[{}]", l.module);
    out += '\n';
  }
  return out;
}

std::string trace_printk_formats_text(const std::map<uint64_t, std::string>& formats) {
  std::string out;
  for (const auto& [address, text] : formats) {
    // trace_printk.c t_show(): the string between quotes with \\, \", \a .. \v escaped.
    // A line break inside the string would end libtraceevent's line, hence escaping.
    std::string s;
    for (char c : text) {
      switch (c) {
        case '\\': s += "\\\\"; break;
        case '"': s += "\\\""; break;
        case '\a': s += "\\a"; break;
        case '\b': s += "\\b"; break;
        case '\f': s += "\\f"; break;
        case '\n': s += "\\n"; break;
        case '\r': s += "\\r"; break;
        case '\t': s += "\\t"; break;
        case '\v': s += "\\v"; break;
        default: s += c;
      }
    }
    out += fmt::format("0x{:x} : \"{}\"\n", address, s);
  }
  return out;
}

std::string trace_saved_cmdlines_text(const std::vector<std::pair<int32_t, std::string>>& cmdlines) {
  std::string out;
  for (const auto& [pid, comm] : cmdlines) out += fmt::format("{} {}\n", pid, comm);
  return out;
}

std::string trace_clock_text(Program& program, const TraceInstanceRef& instance) {
  // trace.c tracing_clock_show(): every clock, the current one in brackets, then "\n".
  std::string current = instance.clock.empty() ? "local" : instance.clock;
  std::string out;
  try {
    std::optional<Object> clocks = program.find_object("trace_clocks");
    if (clocks && clocks->is_reference()) {
      QualifiedType t = clocks->underlying();
      uint64_t n = t.type && t.type->kind() == TypeKind::Array ? t.type->length().value_or(0) : 0;
      for (uint64_t i = 0; i < n && i < 64; ++i) {
        std::string name = clocks->subscript(static_cast<int64_t>(i)).member("name").read_c_string(64);
        if (name.empty()) continue;
        if (!out.empty()) out += ' ';
        out += name == current ? "[" + name + "]" : name;
      }
    }
  } catch (const Error&) {
    out.clear();
  }
  if (out.find('[') == std::string::npos) out = "[" + current + "]";
  return out + "\n";
}

}  // namespace kdive
