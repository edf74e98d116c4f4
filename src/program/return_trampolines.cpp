// KernelReturnTrampolines: the kretprobe / rethook records of a task, read to undo the
// return-address swap (kernel/trace/rethook.c rethook_find_ret_addr, kernel/kprobes.c
// kretprobe_find_ret_addr; 5.10: kretprobe_inst_table). Layouts come from the debug
// info (DWARF or BTF); every walk is bounded.
#include "program/return_trampolines.h"

#include <algorithm>

#include "debuginfo/debug_info.h"
#include "debuginfo/dump_debug_info.h"
#include "kdive/error.h"
#include "program/program.h"
#include "types/type_layout.h"

namespace kdive {

namespace {

// Records a task holds at once: one per active probed call, so nesting depth bounds it.
constexpr int kMaxRecords = 4096;

uint64_t read_word(const MemoryReader& mem, uint64_t address) {
  uint64_t v = 0;
  mem.read(address, &v, sizeof v);
  return v;
}

// The trampolines are assembly: vmlinux's symbol table names them, its DWARF does not;
// without a vmlinux, the dump's kallsyms does.
std::optional<uint64_t> kernel_symbol_address(Program& program, std::string_view name) {
  for (const std::unique_ptr<DebugModule>& m : program.debug_info().modules())
    if (m->kind() == DebugModule::Kind::Kernel)
      for (const Symbol& s : m->symbols().lookup(name))
        if (s.is_function || s.size == 0) return s.address;
  if (const DumpDebugInfo* dump = program.debug_info().dump_debug_info()) return dump->symbol_address(name);
  return std::nullopt;
}

}  // namespace

void KernelReturnTrampolines::detect() {
  detected_ = true;
  if (!program_.is_kernel()) return;
  for (const char* name : {"arch_rethook_trampoline", "__kretprobe_trampoline", "kretprobe_trampoline"})
    if (std::optional<uint64_t> a = kernel_symbol_address(program_, name)) trampolines_.push_back(*a);
  if (trampolines_.empty()) return;
  try {
    QualifiedType task = program_.find_type("struct task_struct");
    auto record = [&](const char* type, const char* node, const char* frame) {
      QualifiedType t = program_.find_type(type);
      node_ = offset_of(t, node);
      ret_addr_ = offset_of(t, "ret_addr");
      frame_ = offset_of(t, frame);
    };
    if (std::optional<FoundMember> m = find_member(task, "rethooks")) {
      head_ = m->bit_offset / 8;
      record("struct rethook_node", "llist", "frame");
      records_ = Records::TaskRethooks;
    } else if (std::optional<FoundMember> k = find_member(task, "kretprobe_instances")) {
      head_ = k->bit_offset / 8;
      record("struct kretprobe_instance", "llist", "fp");
      records_ = Records::TaskKretprobes;
    } else if (std::optional<Object> table = program_.find_object("kretprobe_inst_table")) {
      head_ = table->address();
      buckets_ = type_sizeof(table->type()) / 8;  // struct hlist_head: one pointer
      record("struct kretprobe_instance", "hlist", "fp");
      task_ = offset_of(program_.find_type("struct kretprobe_instance"), "task");
      records_ = Records::GlobalTable;
    }
  } catch (const Error&) {
    records_ = Records::None;  // a kernel without kprobes, or types the debug info lacks
  }
}

std::optional<uint64_t> KernelReturnTrampolines::recover(uint64_t task, uint64_t return_address, uint64_t slot) {
  if (!detected_) detect();
  if (records_ == Records::None ||
      std::find(trampolines_.begin(), trampolines_.end(), return_address) == trampolines_.end())
    return std::nullopt;
  try {
    if (records_ == Records::GlobalTable) return from_global_table(task, slot);
    // llist_head.first, then llist_node.next.
    return from_task_list(read_word(program_.memory(), task + head_), slot);
  } catch (const Error&) {
    return std::nullopt;  // unreadable records: the trampoline stays in the trace
  }
}

std::optional<uint64_t> KernelReturnTrampolines::from_task_list(uint64_t node, uint64_t slot) const {
  const MemoryReader& mem = program_.memory();
  for (int i = 0; node != 0 && i < kMaxRecords; ++i) {
    uint64_t record = node - node_;
    if (read_word(mem, record + frame_) == slot) return read_word(mem, record + ret_addr_);
    node = read_word(mem, node);
  }
  return std::nullopt;
}

std::optional<uint64_t> KernelReturnTrampolines::from_global_table(uint64_t task, uint64_t slot) const {
  const MemoryReader& mem = program_.memory();
  int budget = kMaxRecords;
  for (uint64_t b = 0; b < buckets_; ++b) {
    // hlist_head.first, then hlist_node.next.
    for (uint64_t node = read_word(mem, head_ + 8 * b); node != 0 && budget-- > 0; node = read_word(mem, node)) {
      uint64_t record = node - node_;
      if (read_word(mem, record + task_) == task && read_word(mem, record + frame_) == slot)
        return read_word(mem, record + ret_addr_);
    }
  }
  return std::nullopt;
}

}  // namespace kdive
