// StackTrace / StackFrame: an unwound stack — one StackFrame per function activation,
// inlined calls expanded into their own frames sharing the PC — and drgn's two text
// formats for them. The frames are built by build_stack_trace() from initial registers
// through a FrameContext (what the program knows: memory, code modules, symbols).
//
//   StackTrace t = build_stack_trace(ctx, regs, /*kernel=*/true);
//   std::cout << t.format();            // "#0  context_switch (kernel/sched/core.c:5257:2)\n..."
//   t.frames()[3].name();  format_frame(t.frames()[0]);
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "debuginfo/dwarf_type_translator.h"
#include "object/object_env.h"
#include "unwind/frame_scopes.h"
#include "unwind/register_state.h"
#include "unwind/unwinder.h"

namespace kdive {

// The DWARF of the code at a PC: file address = run-time address - bias.
struct CodeModule {
  Dwarf* dwarf = nullptr;
  uint64_t bias = 0;
  DwarfTypeTranslator* types = nullptr;
};

// What building and reading frames needs from the program.
class FrameContext : public UnwindInfoSource {
 public:
  virtual const MemoryReader& memory() const = 0;
  virtual const ObjectEnv& object_env() const = 0;
  virtual std::optional<SymbolInfo> symbolize(uint64_t pc) const = 0;
  virtual std::optional<CodeModule> code_module(uint64_t pc) const = 0;
  virtual FrameScopes& scopes() = 0;
};

class StackFrame {
 public:
  size_t index() const { return index_; }
  uint64_t pc() const { return regs_.pc(); }
  // The PC used for lookups: pc - 1 for a return address.
  uint64_t lookup_pc() const { return exact_pc_ ? regs_.pc() : regs_.pc() - 1; }
  bool exact_pc() const { return exact_pc_; }
  const RegisterState& registers() const { return regs_; }
  std::optional<uint64_t> cfa() const { return cfa_; }
  // Function name from DWARF ("" when the PC has no function DIE).
  const std::string& name() const { return name_; }
  bool inlined() const { return inlined_; }
  const SourcePosition& position() const { return position_; }
  const std::optional<SymbolInfo>& symbol() const { return symbol_; }
  // The DWARF scope of this frame (nullptr when none).
  const FrameScope* scope() const { return scope_; }
  const std::optional<CodeModule>& module() const { return module_; }
  // How this frame's registers were found: "initial", "orc", "cfi" or "fp".
  const char* unwound_by() const { return unwound_by_; }
  // The subprogram containing this frame (for an inlined frame, the real function).
  const FrameScope* outer_function() const { return outer_function_; }

 private:
  friend class StackTraceBuilder;
  size_t index_ = 0;
  RegisterState regs_;
  bool exact_pc_ = false;
  std::optional<uint64_t> cfa_;
  std::string name_;
  bool inlined_ = false;
  SourcePosition position_;
  std::optional<SymbolInfo> symbol_;
  const FrameScope* scope_ = nullptr;
  const FrameScope* outer_function_ = nullptr;
  std::optional<CodeModule> module_;
  const char* unwound_by_ = "initial";
};

class StackTrace {
 public:
  const std::vector<StackFrame>& frames() const { return frames_; }
  // Why the trace ended early ("" for a normal end: the end-of-stack marker, or an
  // outermost frame).
  const std::string& end_reason() const { return end_reason_; }
  // drgn's trace format, one line per frame ("#0  name (file:line:col)").
  std::string format() const;
  // The context the frames were built with (for variables); outlives no Program.
  FrameContext& context() const { return *context_; }

 private:
  friend class StackTraceBuilder;
  std::vector<StackFrame> frames_;
  std::string end_reason_;
  FrameContext* context_ = nullptr;
};

// "sym+0x36/0x68" of the frame's PC, "" when no symbol covers it.
std::string format_frame_symbol(const StackFrame& frame);
// One line of the trace format, without the newline.
std::string format_trace_line(const StackFrame& frame);
// drgn's single-frame format: "#0 at 0x... (sym+0x36/0x68) in func at file:line:col (inlined)".
std::string format_frame(const StackFrame& frame);

inline constexpr size_t kMaxStackFrames = 1024;

// A return address a probe framework swapped for its trampoline (kretprobes): the real
// one, given the trampoline address and the stack slot it was read from; nullopt when
// it is no trampoline's or no record matches. Implemented by whoever knows the
// framework's records (program/return_trampolines.h).
class ReturnAddressRecovery {
 public:
  virtual ~ReturnAddressRecovery() = default;
  virtual std::optional<uint64_t> recover(uint64_t return_address, uint64_t slot) const = 0;
};

// Unwinds from `regs`. `exact_pc`: the PC is where the thread stopped (a CPU's or a
// user thread's saved registers); false when it is a return address (a sleeping
// task's switch frame), looked up at pc - 1 as drgn does (its `interrupted` is false).
// Kernel traces stop after the first user-space frame. Never throws for bad stacks:
// the trace ends with a reason. `recovery`: return addresses read from the stack go
// through it, as the kernel's unwinder recovers kretprobe-swapped ones.
StackTrace build_stack_trace(FrameContext& ctx, const RegisterState& regs, bool kernel, bool exact_pc = true,
                             const ReturnAddressRecovery* recovery = nullptr);

// A trace of the given PCs, each expanded into its inline frames, without unwinding:
// drgn's stack_trace_from_pcs (return addresses, `exact_pc` false: looked up at pc - 1)
// and source_location (one code address, `exact_pc` true). At most kMaxStackFrames PCs.
StackTrace trace_of_pcs(FrameContext& ctx, const std::vector<uint64_t>& pcs, bool exact_pc);

}  // namespace kdive
