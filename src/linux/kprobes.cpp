// kprobe_table walk (kprobes.h). Layouts: kernel/kprobes.c (kprobe_table[KPROBE_TABLE_SIZE]
// of hlist heads linked through kprobe.hlist; aggr_pre_handler's probes keep their
// children on kprobe.list; pre_handler_kretprobe marks the kp inside struct kretprobe),
// include/linux/kprobes.h (struct kprobe, struct kretprobe, struct optimized_kprobe) and
// arch/x86/include/asm/kprobes.h (struct arch_optimized_insn {copied_insn, insn, size}).
#include "linux/kprobes.h"

#include <fmt/format.h>

#include "debuginfo/debug_info.h"
#include "kdive/error.h"
#include "linux/kernel_layout.h"
#include "linux/list_walk.h"
#include "linux/target_words.h"
#include "object/object.h"
#include "program/program.h"

namespace kdive {

namespace {

constexpr uint64_t kMaxPerBucket = 4096;
constexpr uint64_t kMaxChildren = 256;

std::optional<uint64_t> function_address(Program& program, std::string_view name) {
  try {
    std::optional<Object> o = program.find_object(name, kGlobalFunction);
    if (o && o->is_reference()) return o->address();
  } catch (const Error&) {
  }
  return std::nullopt;
}

struct Offsets {
  uint64_t hlist, list, nmissed, addr, symbol_name, offset, pre_handler, post_handler, opcode, flags;
  uint64_t nmissed_size, opcode_size, flags_size;
  std::optional<uint64_t> rp_kp, rp_handler, rp_entry_handler, rp_maxactive, rp_nmissed;
  std::optional<uint64_t> op_kp, op_insn, op_copied;
  uint64_t op_copied_size = 0;

  explicit Offsets(KernelLayout& layout) {
    const char* kp = "struct kprobe";
    hlist = layout.offset(kp, "hlist");
    list = layout.offset(kp, "list");
    nmissed = layout.offset(kp, "nmissed");
    nmissed_size = layout.member_size(kp, "nmissed");
    addr = layout.offset(kp, "addr");
    symbol_name = layout.offset(kp, "symbol_name");
    offset = layout.offset(kp, "offset");
    pre_handler = layout.offset(kp, "pre_handler");
    post_handler = layout.offset(kp, "post_handler");
    opcode = layout.offset(kp, "opcode");
    opcode_size = layout.member_size(kp, "opcode");
    flags = layout.offset(kp, "flags");
    flags_size = layout.member_size(kp, "flags");
    const char* rp = "struct kretprobe";
    rp_kp = layout.find_offset(rp, "kp");
    rp_handler = layout.find_offset(rp, "handler");
    rp_entry_handler = layout.find_offset(rp, "entry_handler");
    rp_maxactive = layout.find_offset(rp, "maxactive");
    rp_nmissed = layout.find_offset(rp, "nmissed");
    const char* op = "struct optimized_kprobe";
    op_kp = layout.find_offset(op, "kp");
    op_insn = layout.find_offset(op, "optinsn.insn");
    op_copied = layout.find_offset(op, "optinsn.copied_insn");
    if (op_copied) op_copied_size = layout.member_size(op, "optinsn.copied_insn");
  }
};

std::string symbol_of(Program& program, uint64_t address) {
  if (!address) return {};
  std::optional<SymbolInfo> s = program.debug_info().symbolize(address);
  if (!s) return {};
  std::string out = s->name;
  if (address != s->address) out += fmt::format("+{:#x}", address - s->address);
  // As the kernel's %pS prints it: "kdive_kp_entry_pre [kdive_fixture]".
  std::string module = s->module;
  if (module.empty())
    for (const auto& m : program.debug_info().modules())
      if (m->kind() == DebugModule::Kind::KernelModule && m->covers(address)) module = m->name();
  if (!module.empty()) out += " [" + module + "]";
  return out;
}

class KprobeReader {
 public:
  KprobeReader(Program& program, const MemoryReader& mem, KernelLayout& layout)
      : program_(program), mem_(mem), off_(layout), list_(ListLayout::of(layout)) {
    aggr_ = function_address(program, "aggr_pre_handler");
    kretprobe_ = function_address(program, "pre_handler_kretprobe");
  }

  KprobeInfo read(uint64_t p, int depth) {
    KprobeInfo k;
    k.address = p;
    try {
      k.addr = read_u64(mem_, p + off_.addr);
      k.symbol = symbol_of(program_, k.addr);
      k.offset = read_u32(mem_, p + off_.offset);
      k.flags = static_cast<uint32_t>(read_unsigned(mem_, p + off_.flags, off_.flags_size));
      k.opcode = static_cast<uint8_t>(read_unsigned(mem_, p + off_.opcode, off_.opcode_size));
      k.nmissed = read_unsigned(mem_, p + off_.nmissed, off_.nmissed_size);
      k.pre_handler = read_u64(mem_, p + off_.pre_handler);
      k.post_handler = read_u64(mem_, p + off_.post_handler);
      k.pre_handler_symbol = symbol_of(program_, k.pre_handler);
      k.post_handler_symbol = symbol_of(program_, k.post_handler);
    } catch (const Error& e) {
      k.problems.push_back(fmt::format("struct kprobe {:#x}: {}", p, e.what()));
      return k;
    }
    try {
      if (uint64_t name = read_u64(mem_, p + off_.symbol_name)) k.symbol_name = read_c_string(mem_, name, 256);
    } catch (const Error& e) {
      k.problems.push_back(fmt::format("symbol_name: {}", e.what()));
    }
    if (kretprobe_ && k.pre_handler == *kretprobe_ && off_.rp_kp) read_kretprobe(k);
    if ((k.flags & kKprobeFlagOptimized) && off_.op_kp && off_.op_insn) read_optimized(k);
    if (aggr_ && k.pre_handler == *aggr_ && depth == 0) {
      k.aggregate = true;
      WalkStatus st = walk_list(mem_, list_, p + off_.list, [&](uint64_t node) {
        k.children.push_back(read(node - off_.list, depth + 1));
        return true;
      }, WalkLimits{kMaxChildren});
      if (!st.ok()) k.problems.push_back("children: " + st.message());
    }
    return k;
  }

 private:
  void read_kretprobe(KprobeInfo& k) {
    KretprobeInfo r;
    r.address = k.address - *off_.rp_kp;
    try {
      if (off_.rp_handler) r.handler = read_u64(mem_, r.address + *off_.rp_handler);
      if (off_.rp_entry_handler) r.entry_handler = read_u64(mem_, r.address + *off_.rp_entry_handler);
      if (off_.rp_maxactive) r.maxactive = static_cast<int32_t>(read_u32(mem_, r.address + *off_.rp_maxactive));
      if (off_.rp_nmissed) r.nmissed = static_cast<int32_t>(read_u32(mem_, r.address + *off_.rp_nmissed));
      r.handler_symbol = symbol_of(program_, r.handler);
      r.entry_handler_symbol = symbol_of(program_, r.entry_handler);
    } catch (const Error& e) {
      k.problems.push_back(fmt::format("struct kretprobe {:#x}: {}", r.address, e.what()));
    }
    k.kretprobe = std::move(r);
  }

  void read_optimized(KprobeInfo& k) {
    uint64_t op = k.address - *off_.op_kp;
    try {
      k.optimized_insn = read_u64(mem_, op + *off_.op_insn);
      if (off_.op_copied && off_.op_copied_size <= 16) {
        k.optimized_copied.resize(off_.op_copied_size);
        mem_.read(op + *off_.op_copied, k.optimized_copied.data(), k.optimized_copied.size());
      }
    } catch (const Error& e) {
      k.problems.push_back(fmt::format("struct optimized_kprobe {:#x}: {}", op, e.what()));
    }
  }

  Program& program_;
  const MemoryReader& mem_;
  Offsets off_;
  ListLayout list_;
  std::optional<uint64_t> aggr_, kretprobe_;
};

}  // namespace

std::string kprobe_flag_names(uint32_t flags) {
  std::string s;
  auto add = [&](uint32_t bit, const char* name) {
    if (flags & bit) s += (s.empty() ? "" : "|") + std::string(name);
  };
  add(kKprobeFlagGone, "GONE");
  add(kKprobeFlagDisabled, "DISABLED");
  add(kKprobeFlagOptimized, "OPTIMIZED");
  add(kKprobeFlagFtrace, "FTRACE");
  add(kKprobeFlagOnFuncEntry, "ON_FUNC_ENTRY");
  if (uint32_t rest = flags & ~uint32_t{31}) s += (s.empty() ? "" : "|") + fmt::format("{:#x}", rest);
  return s;
}

const KprobeInfo* KprobeTable::at(uint64_t addr) const {
  for (const KprobeInfo& k : probes)
    if (k.addr == addr) return &k;
  return nullptr;
}

KprobeTable read_kprobes(Program& program) { return read_kprobes(program, program.memory()); }

KprobeTable read_kprobes(Program& program, const MemoryReader& memory) {
  std::optional<Object> table = program.find_object("kprobe_table", kGlobalVariable);
  if (!table || !table->is_reference()) throw LookupError("could not find 'kprobe_table' (no kprobes in this kernel)");
  KernelLayout layout(program);
  const HlistLayout hl = HlistLayout::of(layout);
  const uint64_t head_size = layout.size_of("struct hlist_head");
  KprobeTable out;
  out.buckets = head_size ? table->underlying().type->size() / head_size : 0;
  KprobeReader reader(program, memory, layout);
  const uint64_t off_hlist = layout.offset("struct kprobe", "hlist");
  for (uint64_t b = 0; b < out.buckets; ++b) {
    WalkStatus st = walk_hlist(memory, hl, table->address() + b * head_size, [&](uint64_t node) {
      out.probes.push_back(reader.read(node - off_hlist, 0));
      return true;
    }, WalkLimits{kMaxPerBucket});
    if (!st.ok()) out.problems.push_back(fmt::format("kprobe_table[{}]: {}", b, st.message()));
  }
  return out;
}

}  // namespace kdive
