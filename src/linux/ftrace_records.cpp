// dyn_ftrace records (ftrace_records.h). Layouts: kernel/trace/ftrace.c (struct
// ftrace_page {next, records, index, order/size}, ftrace_pages_start) and
// include/linux/ftrace.h (struct dyn_ftrace {ip, flags, arch}; the FTRACE_FL_* enum,
// whose bits grow down from bit 31 and leave the ref count below them).
#include "linux/ftrace_records.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "base/byte_cursor.h"
#include "kdive/error.h"
#include "linux/kernel_layout.h"
#include "linux/target_words.h"
#include "object/object.h"
#include "program/program.h"

namespace kdive {

namespace {

constexpr uint64_t kMaxPages = uint64_t(1) << 16;
constexpr uint64_t kMaxRecordsPerPage = uint64_t(1) << 20;

// v5.10 include/linux/ftrace.h, for a kernel whose DWARF lacks the enum: the bits
// every kernel since 5.4 has at these positions (later ones add CALL_OPS, TOUCHED,
// MODIFIED below DIRECT_EN, which DWARF then names).
const std::vector<std::pair<std::string, uint64_t>>& fallback_flag_bits() {
  static const std::vector<std::pair<std::string, uint64_t>> bits = {
      {"ENABLED", uint64_t(1) << 31}, {"REGS", uint64_t(1) << 30},     {"REGS_EN", uint64_t(1) << 29},
      {"TRAMP", uint64_t(1) << 28},   {"TRAMP_EN", uint64_t(1) << 27}, {"IPMODIFY", uint64_t(1) << 26},
      {"DISABLED", uint64_t(1) << 25}, {"DIRECT", uint64_t(1) << 24},  {"DIRECT_EN", uint64_t(1) << 23},
  };
  return bits;
}

std::vector<std::pair<std::string, uint64_t>> flag_bits_from_dwarf(Program& program) {
  std::vector<std::pair<std::string, uint64_t>> out;
  std::optional<Object> e;
  try {
    e = program.find_object("FTRACE_FL_ENABLED", kGlobalConstant);
  } catch (const Error&) {
    return out;
  }
  if (!e) return out;
  const Type* t = e->underlying().type;
  if (!t || t->kind() != TypeKind::Enum) return out;
  for (const TypeEnumerator& en : t->enumerators()) {
    if (!en.name.starts_with("FTRACE_FL_")) continue;
    // Single bits only: the enum has no masks today, and a mask would make the
    // ref-count split ambiguous.
    if (en.value == 0 || (en.value & (en.value - 1)) != 0) continue;
    out.emplace_back(en.name.substr(10), en.value);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

std::string symbol_name(Program& program, uint64_t address) {
  std::optional<SymbolInfo> s = address ? program.debug_info().symbolize(address) : std::nullopt;
  if (!s) return {};
  return s->address == address ? s->name : fmt::format("{}+{:#x}", s->name, address - s->address);
}

// kernel/trace/ftrace.c: ftrace_ops_list, linked through ops->next, ends at
// &ftrace_list_end; include/linux/ftrace.h struct ftrace_ops {func, next, flags, ...,
// trampoline, trampoline_size}.
void read_ftrace_ops(Program& program, const MemoryReader& mem, KernelLayout& layout, FtraceRecords& out) {
  std::optional<Object> list = program.find_object("ftrace_ops_list", kGlobalVariable);
  std::optional<Object> end = program.find_object("ftrace_list_end", kGlobalVariable);
  if (!list || !list->is_reference() || !end || !end->is_reference()) return;
  const char* fo = "struct ftrace_ops";
  const uint64_t off_func = layout.offset(fo, "func"), off_next = layout.offset(fo, "next");
  const uint64_t off_flags = layout.offset(fo, "flags");
  std::optional<uint64_t> off_tramp = layout.find_offset(fo, "trampoline");
  std::optional<uint64_t> off_tramp_size = layout.find_offset(fo, "trampoline_size");
  std::set<uint64_t> seen;
  try {
    uint64_t ops = read_u64(mem, list->address());
    while (ops && ops != end->address()) {
      if (seen.size() >= 4096 || !seen.insert(ops).second) {
        out.problems.push_back(fmt::format("ftrace_ops_list: cycle or more than 4096 ops at {:#x}", ops));
        break;
      }
      FtraceOps o;
      o.address = ops;
      o.name = symbol_name(program, ops);
      o.func = read_u64(mem, ops + off_func);
      o.func_name = symbol_name(program, o.func);
      o.flags = read_u64(mem, ops + off_flags);
      if (off_tramp) o.trampoline = read_u64(mem, ops + *off_tramp);
      if (off_tramp_size) o.trampoline_size = read_u64(mem, ops + *off_tramp_size);
      out.ops.push_back(std::move(o));
      ops = read_u64(mem, ops + off_next);
    }
  } catch (const Error& e) {
    out.problems.push_back(fmt::format("ftrace_ops_list: {}", e.what()));
  }
}

}  // namespace

const FtraceRecord* FtraceRecords::find(uint64_t ip) const {
  auto it = std::lower_bound(records.begin(), records.end(), ip,
                             [](const FtraceRecord& r, uint64_t v) { return r.ip < v; });
  return it != records.end() && it->ip == ip ? &*it : nullptr;
}

const FtraceRecord* FtraceRecords::first_in(uint64_t begin, uint64_t end) const {
  auto it = std::lower_bound(records.begin(), records.end(), begin,
                             [](const FtraceRecord& r, uint64_t v) { return r.ip < v; });
  return it != records.end() && it->ip < end ? &*it : nullptr;
}

const FtraceOps* FtraceRecords::trampoline_owner(uint64_t address) const {
  for (const FtraceOps& o : ops)
    if (o.trampoline && address >= o.trampoline && address - o.trampoline < std::max<uint64_t>(o.trampoline_size, 1))
      return &o;
  return nullptr;
}

std::string FtraceRecords::flag_names(uint64_t flags) const {
  std::string s;
  for (const auto& [name, bit] : flag_bits)
    if (flags & bit) s += (s.empty() ? "" : "|") + name;
  return s;
}

bool FtraceRecords::has_flag(uint64_t flags, std::string_view name) const {
  for (const auto& [n, bit] : flag_bits)
    if (n == name) return (flags & bit) != 0;
  return false;
}

FtraceRecords read_ftrace_records(Program& program) { return read_ftrace_records(program, program.memory()); }

FtraceRecords read_ftrace_records(Program& program, const MemoryReader& mem) {
  KernelLayout layout(program);
  std::optional<Object> start = program.find_object("ftrace_pages_start", kGlobalVariable);
  if (!start || !start->is_reference())
    throw LookupError("could not find 'ftrace_pages_start' (no dynamic ftrace in this kernel)");
  FtraceRecords out;
  out.flag_bits = flag_bits_from_dwarf(program);
  if (out.flag_bits.empty()) out.flag_bits = fallback_flag_bits();
  out.ref_mask = out.flag_bits.back().second - 1;

  const char* fp = "struct ftrace_page";
  const uint64_t off_next = layout.offset(fp, "next");
  const uint64_t off_records = layout.offset(fp, "records");
  const uint64_t off_index = layout.offset(fp, "index");
  const uint64_t index_size = layout.member_size(fp, "index");
  const char* df = "struct dyn_ftrace";
  const uint64_t rec_size = layout.size_of(df);
  const uint64_t off_ip = layout.offset(df, "ip");
  const uint64_t off_flags = layout.offset(df, "flags");
  if (rec_size < off_flags + 8 || rec_size < off_ip + 8)
    throw BadDataError(fmt::format("struct dyn_ftrace is {} bytes, too small for ip and flags", rec_size));

  read_ftrace_ops(program, mem, layout, out);
  std::set<uint64_t> seen;
  uint64_t pg = 0;
  try {
    pg = read_u64(mem, start->address());
  } catch (const FaultError& e) {
    out.problems.push_back(fmt::format("ftrace_pages_start: {}", e.what()));
    return out;
  }
  while (pg) {
    if (out.pages >= kMaxPages) {
      out.problems.push_back(fmt::format("more than {} ftrace pages: stopped at {:#x}", kMaxPages, pg));
      break;
    }
    if (!seen.insert(pg).second) {
      out.problems.push_back(fmt::format("ftrace page {:#x}: cycle in the page list", pg));
      break;
    }
    ++out.pages;
    uint64_t next = 0;
    try {
      next = read_u64(mem, pg + off_next);
      uint64_t records = read_u64(mem, pg + off_records);
      int64_t index = static_cast<int32_t>(read_unsigned(mem, pg + off_index, index_size));
      if (index < 0 || static_cast<uint64_t>(index) > kMaxRecordsPerPage) {
        out.problems.push_back(fmt::format("ftrace page {:#x}: bad record count {}", pg, index));
      } else if (index > 0) {
        std::vector<uint8_t> buf(static_cast<size_t>(index) * rec_size);
        mem.read(records, buf.data(), buf.size());
        ByteCursor c(buf, "dump", fmt::format("dyn_ftrace records of ftrace page {:#x}", pg), true, records);
        for (int64_t i = 0; i < index; ++i) {
          FtraceRecord r;
          c.seek(static_cast<size_t>(i) * rec_size + off_ip);
          r.ip = c.u64();
          c.seek(static_cast<size_t>(i) * rec_size + off_flags);
          r.flags = c.u64();
          out.records.push_back(r);
        }
      }
    } catch (const Error& e) {
      out.problems.push_back(fmt::format("ftrace page {:#x}: {}", pg, e.what()));
      if (!next) break;
    }
    pg = next;
  }
  std::sort(out.records.begin(), out.records.end(), [](const FtraceRecord& a, const FtraceRecord& b) { return a.ip < b.ip; });
  return out;
}

}  // namespace kdive
