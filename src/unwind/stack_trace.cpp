// StackTrace: the unwinding loop (bounded by kMaxStackFrames, loop detection on
// (pc, sp) pairs), inline expansion of each physical frame, and the text formats
// (drgn's StackTrace.__str__ and StackFrame.__str__).
#include "unwind/stack_trace.h"

#include <set>
#include <utility>

#include <fmt/format.h>

namespace kdive {

namespace {
constexpr uint64_t kKernelSpaceStart = 0xffff800000000000ull;
}

class StackTraceBuilder {
 public:
  StackTraceBuilder(FrameContext& ctx, bool kernel, const ReturnAddressRecovery* recovery = nullptr)
      : ctx_(ctx), kernel_(kernel), recovery_(recovery), unwinder_(ctx.memory(), ctx, kernel) {}

  StackTrace build(const RegisterState& initial, bool initial_exact) {
    StackTrace t;
    t.context_ = &ctx_;
    RegisterState regs = initial;
    bool exact = initial_exact;
    const char* method = "initial";
    std::set<std::pair<uint64_t, uint64_t>> seen;
    for (;;) {
      if (t.frames_.size() >= kMaxStackFrames) {
        t.end_reason_ = fmt::format("stopped after {} frames", kMaxStackFrames);
        break;
      }
      if (!seen.insert({regs.pc(), regs.sp()}).second) {
        t.end_reason_ = fmt::format("loop: pc {:#x} with sp {:#x} seen twice", regs.pc(), regs.sp());
        break;
      }
      size_t first = t.frames_.size();
      add_frames(t, regs, exact);
      for (size_t i = first; i < t.frames_.size(); ++i) t.frames_[i].unwound_by_ = method;
      if (kernel_ && regs.pc() < kKernelSpaceStart) break;  // a user-space frame ends a kernel trace
      UnwindStep s = unwinder_.step(regs, exact);
      for (size_t i = first; i < t.frames_.size(); ++i) t.frames_[i].cfa_ = s.cfa;
      if (s.status == UnwindStep::Status::End) {
        t.end_reason_ = s.reason;
        break;
      }
      if (s.status == UnwindStep::Status::Error) {
        t.end_reason_ = s.reason;
        break;
      }
      if (s.regs.pc() == 0) break;  // no caller: the outermost frame
      // A return address is read from the word below the caller's stack pointer.
      if (recovery_ && !s.exact_pc && s.regs.known(kRegRsp))
        if (std::optional<uint64_t> real = recovery_->recover(s.regs.pc(), s.regs.sp() - 8)) s.regs.set(kRegRip, *real);
      if (!s.exact_pc && !kernel_ && s.regs.sp() <= regs.sp()) {
        t.end_reason_ = fmt::format("stack pointer did not move up ({:#x} -> {:#x})", regs.sp(), s.regs.sp());
        break;
      }
      regs = s.regs;
      exact = s.exact_pc;
      method = s.method;
    }
    for (size_t i = 0; i < t.frames_.size(); ++i) t.frames_[i].index_ = i;
    return t;
  }

  StackTrace of_pcs(const std::vector<uint64_t>& pcs, bool exact) {
    StackTrace t;
    t.context_ = &ctx_;
    for (size_t i = 0; i < pcs.size() && i < kMaxStackFrames; ++i) {
      RegisterState regs;
      regs.set(kRegRip, pcs[i]);
      add_frames(t, regs, exact);
    }
    for (size_t i = 0; i < t.frames_.size(); ++i) t.frames_[i].index_ = i;
    return t;
  }

 private:
  void add_frames(StackTrace& t, const RegisterState& regs, bool exact) {
    StackFrame base;
    base.regs_ = regs;
    base.exact_pc_ = exact;
    uint64_t lookup = exact ? regs.pc() : regs.pc() - 1;
    base.symbol_ = ctx_.symbolize(lookup);
    if (base.symbol_) {
      // The symbol offset is of the real PC (drgn prints ret_from_fork+0x22).
      if (regs.pc() < base.symbol_->address) base.symbol_.reset();
    }
    base.module_ = ctx_.code_module(lookup);
    const PcScopes* scopes = nullptr;
    if (base.module_ && base.module_->dwarf) scopes = &ctx_.scopes().lookup(base.module_->dwarf, lookup - base.module_->bias);
    if (!scopes || scopes->frames.empty()) {
      if (scopes) base.position_ = scopes->line;
      t.frames_.push_back(std::move(base));
      return;
    }
    const FrameScope* outer = &scopes->frames.back();
    for (const FrameScope& fs : scopes->frames) {
      StackFrame f = base;
      f.scope_ = &fs;
      f.outer_function_ = outer;
      f.name_ = fs.name;
      f.inlined_ = fs.inlined;
      f.position_ = fs.position;
      t.frames_.push_back(std::move(f));
    }
  }

  FrameContext& ctx_;
  bool kernel_;
  const ReturnAddressRecovery* recovery_;
  Unwinder unwinder_;
};

StackTrace build_stack_trace(FrameContext& ctx, const RegisterState& regs, bool kernel, bool exact_pc,
                             const ReturnAddressRecovery* recovery) {
  return StackTraceBuilder(ctx, kernel, recovery).build(regs, exact_pc);
}

StackTrace trace_of_pcs(FrameContext& ctx, const std::vector<uint64_t>& pcs, bool exact_pc) {
  return StackTraceBuilder(ctx, /*kernel=*/false).of_pcs(pcs, exact_pc);
}

namespace {

std::string position_suffix(const SourcePosition& p, const char* open) {
  if (!p.known) return {};
  std::string s = fmt::format("{}{}:{}", open, p.file, p.line);
  if (p.column) s += fmt::format(":{}", p.column);
  return s;
}

}  // namespace

std::string format_frame_symbol(const StackFrame& f) {
  if (!f.symbol()) return "";
  return fmt::format("{}+{:#x}/{:#x}", f.symbol()->name, f.pc() - f.symbol()->address, f.symbol()->size);
}

std::string format_trace_line(const StackFrame& f) {
  std::string s = fmt::format("#{:<2} ", f.index());
  if (!f.name().empty()) {
    s += f.name();
  } else if (f.symbol()) {
    s += format_frame_symbol(f);
  } else {
    s += fmt::format("{:#x}", f.pc());
  }
  if (f.position().known) s += position_suffix(f.position(), " (") + ")";
  return s;
}

std::string format_frame(const StackFrame& f) {
  std::string s = fmt::format("#{} at {:#x}", f.index(), f.pc());
  if (f.symbol())
    s += fmt::format(" ({}+{:#x}/{:#x})", f.symbol()->name, f.pc() - f.symbol()->address, f.symbol()->size);
  if (!f.name().empty()) s += " in " + f.name();
  if (f.position().known) s += position_suffix(f.position(), " at ");
  if (f.inlined()) s += " (inlined)";
  return s;
}

std::string StackTrace::format() const {
  std::string s;
  for (const StackFrame& f : frames_) {
    s += format_trace_line(f);
    s += '\n';
  }
  return s;
}

}  // namespace kdive
