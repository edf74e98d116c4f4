// Unwinder: one frame step. ORC semantics follow the kernel's own unwinder
// (arch/x86/kernel/unwind_orc.c: sp from a base register + offset or through an
// indirection, then by entry type a return address, a full pt_regs, or an iret frame;
// after a pt_regs frame the next lookup uses the PC as is when the entry's `signal`
// says so, ffb1b4a41016; the entry's format is decoded by OrcTable); CFI rules come from libdw (dwarf_cfi_addrframe) and are evaluated with our
// expression machine. Every read goes through the MemoryReader, so a garbage stack
// pointer ends the trace with the FaultError's text.
#include "unwind/unwinder.h"

#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "kdive/error.h"
#include "unwind/dwarf_expression.h"

namespace kdive {

namespace {

// struct pt_regs (arch/x86/include/asm/ptrace.h), 21 words in this order.
// cs, flags and ss are known after such a frame, as drgn's ORC rules for it say.
constexpr int kPtRegsToDwarf[21] = {kRegR15, kRegR14, kRegR13, kRegR12, kRegRbp, kRegRbx,
                                    11,      kRegR10, 9,       kRegR8,  kRegRax, kRegRcx,
                                    kRegRdx, kRegRsi, kRegRdi, -1,      kRegRip, kRegCs,
                                    kRegRflags, kRegRsp, kRegSs};

constexpr int kCalleeSaved[] = {kRegRbx, kRegRbp, kRegR12, kRegR13, kRegR14, kRegR15};

UnwindStep error(std::string reason) {
  UnwindStep s;
  s.status = UnwindStep::Status::Error;
  s.reason = std::move(reason);
  return s;
}

// The caller's registers after a call: callee-saved ones kept, scratch ones unknown.
RegisterState keep_callee_saved(const RegisterState& regs) {
  RegisterState next;
  for (int r : kCalleeSaved)
    if (auto v = regs.get(r)) next.set(r, *v);
  return next;
}

}  // namespace

uint64_t Unwinder::read_u64(uint64_t address) const {
  uint64_t v = 0;
  memory_.read(address, &v, sizeof v);
  return v;
}

UnwindStep Unwinder::step(const RegisterState& regs, bool exact_pc) const {
  if (!regs.known(kRegRip) || !regs.known(kRegRsp)) return error("pc or stack pointer unknown");
  uint64_t pc = regs.pc();
  CodeUnwindInfo info = code_.unwind_info(exact_pc ? pc : pc - 1);
  try {
    if (info.orc) {
      if (auto s = orc_step(*info.orc, regs, exact_pc, info.cfi, info.cfi_bias)) return *s;
    }
    std::string why;
    if (info.cfi) {
      if (auto s = cfi_step(info.cfi, info.cfi_bias, regs, exact_pc, &why)) return *s;
    }
    if (!kernel_ || (!info.orc && !info.orc_error)) {
      if (auto s = fp_step(regs)) return *s;
    }
    if (info.orc_error)
      return error(fmt::format("{}; ORC unusable: {}", why.empty() ? fmt::format("no CFI for {:#x}", pc) : why,
                               *info.orc_error));
    if (!info.orc && !info.cfi) return error(fmt::format("no unwind information for {:#x}", pc));
    return error(why.empty() ? fmt::format("cannot unwind from {:#x}", pc) : why);
  } catch (const FaultError& e) {
    return error(fmt::format("unreadable stack: {}", e.what()));
  }
}

std::optional<UnwindStep> Unwinder::orc_step(const OrcTable& orc, const RegisterState& regs, bool exact_pc,
                                             Dwarf_CFI* cfi, uint64_t cfi_bias) const {
  uint64_t pc = regs.pc();
  const OrcEntry* e = orc.find(exact_pc ? pc : pc - 1);
  if (!e) return std::nullopt;
  if (e->sp_reg == OrcReg::Undefined) {
    if (e->end) {
      UnwindStep s;
      s.status = UnwindStep::Status::End;
      s.method = "orc";
      return s;
    }
    return error(fmt::format("no ORC data for {:#x}", pc));
  }
  auto need = [&](int reg) -> std::optional<uint64_t> { return regs.get(reg); };
  std::optional<uint64_t> base;
  bool indirect = false;
  switch (e->sp_reg) {
    case OrcReg::Sp: base = regs.sp() + static_cast<uint64_t>(static_cast<int64_t>(e->sp_offset)); break;
    case OrcReg::Bp:
      if (auto bp = need(kRegRbp)) base = *bp + static_cast<uint64_t>(static_cast<int64_t>(e->sp_offset));
      break;
    case OrcReg::SpIndirect: base = regs.sp(); indirect = true; break;
    case OrcReg::BpIndirect:
      if (auto bp = need(kRegRbp)) base = *bp + static_cast<uint64_t>(static_cast<int64_t>(e->sp_offset));
      indirect = true;
      break;
    case OrcReg::R10: base = need(kRegR10); break;
    case OrcReg::R13: base = need(kRegR13); break;
    case OrcReg::Di: base = need(kRegRdi); break;
    case OrcReg::Dx: base = need(kRegRdx); break;
    case OrcReg::Ax: base = need(kRegRax); break;
    default:
      return error(fmt::format("ORC entry for {:#x} has sp_reg {}, which ORC v{} does not define", pc, e->raw_sp_reg,
                               orc.format().version));
  }
  if (!base) return error(fmt::format("ORC at {:#x} needs a register that is unknown", pc));
  if (indirect) {
    base = read_u64(*base);
    if (e->sp_reg == OrcReg::SpIndirect) *base += static_cast<uint64_t>(static_cast<int64_t>(e->sp_offset));
  }
  uint64_t sp = *base;
  UnwindStep s;
  s.status = UnwindStep::Status::Ok;
  s.method = "orc";
  switch (e->type) {
    case OrcType::Call: {
      s.cfa = sp;
      s.regs = keep_callee_saved(regs);
      s.regs.set(kRegRip, read_u64(sp - 8));
      s.regs.set(kRegRsp, sp);
      s.exact_pc = false;
      break;
    }
    case OrcType::Regs: {
      uint64_t words[21];
      memory_.read(sp, words, sizeof words);
      for (int i = 0; i < 21; ++i)
        if (kPtRegsToDwarf[i] >= 0) s.regs.set(kPtRegsToDwarf[i], words[i]);
      s.exact_pc = e->signal;
      break;
    }
    case OrcType::RegsPartial: {
      // sp points at the iret frame: ip, cs, flags, sp, ss.
      uint64_t iret[5];
      memory_.read(sp, iret, sizeof iret);
      s.regs = keep_callee_saved(regs);
      s.regs.set(kRegRip, iret[0]);
      s.regs.set(kRegRsp, iret[3]);
      s.exact_pc = e->signal;
      break;
    }
    case OrcType::EndOfStack: {
      UnwindStep end_step;
      end_step.status = UnwindStep::Status::End;
      end_step.method = "orc";
      return end_step;
    }
    default:
      return error(fmt::format("ORC entry for {:#x} has type {}, which ORC v{} does not unwind", pc, e->raw_type,
                               orc.format().version));
  }
  switch (e->bp_reg) {
    case OrcReg::Undefined: break;  // unchanged (or from pt_regs)
    case OrcReg::PrevSp:
      s.regs.set(kRegRbp, read_u64(sp + static_cast<uint64_t>(static_cast<int64_t>(e->bp_offset))));
      break;
    case OrcReg::Bp:
      if (auto bp = regs.get(kRegRbp))
        s.regs.set(kRegRbp, read_u64(*bp + static_cast<uint64_t>(static_cast<int64_t>(e->bp_offset))));
      else
        s.regs.forget(kRegRbp);
      break;
    default:
      return error(fmt::format("ORC entry for {:#x} has bp_reg {}, which ORC v{} does not allow", pc, e->raw_bp_reg,
                               orc.format().version));
  }
  // ORC does not say where callee-saved registers were spilled; DWARF CFI does. When
  // both describe the same frame, take the saved registers from CFI.
  if (e->type == OrcType::Call && cfi) {
    std::string why;
    try {
      if (auto c = cfi_step(cfi, cfi_bias, regs, exact_pc, &why); c && c->status == UnwindStep::Status::Ok &&
                                                                  c->regs.sp() == sp) {
        for (int r : {kRegRbx, kRegR12, kRegR13, kRegR14, kRegR15})
          if (auto v = c->regs.get(r)) s.regs.set(r, *v);
      }
    } catch (const FaultError&) {
    }
  }
  return s;
}

std::optional<UnwindStep> Unwinder::cfi_step(Dwarf_CFI* cfi, uint64_t bias, const RegisterState& regs,
                                             bool exact_pc, std::string* why) const {
  uint64_t pc = regs.pc();
  Dwarf_Frame* raw = nullptr;
  if (dwarf_cfi_addrframe(cfi, (exact_pc ? pc : pc - 1) - bias, &raw) != 0 || !raw) {
    *why = fmt::format("no CFI for {:#x}", pc);
    return std::nullopt;
  }
  std::unique_ptr<Dwarf_Frame, void (*)(void*)> frame(raw, &std::free);
  Dwarf_Op* ops = nullptr;
  size_t nops = 0;
  if (dwarf_frame_cfa(frame.get(), &ops, &nops) != 0) {
    *why = fmt::format("bad CFA rule for {:#x}", pc);
    return std::nullopt;
  }
  ExpressionContext ctx;
  ctx.regs = &regs;
  ctx.memory = &memory_;
  std::optional<uint64_t> cfa = evaluate_value(ops, nops, ctx);
  if (!cfa) {
    *why = fmt::format("CFA of {:#x} unknown: {}", pc, ctx.why);
    return std::nullopt;
  }
  ctx.cfa = *cfa;
  UnwindStep s;
  s.status = UnwindStep::Status::Ok;
  s.method = "cfi";
  s.cfa = *cfa;
  bool signal = false;
  Dwarf_Addr start, end;
  int ra_reg = dwarf_frame_info(frame.get(), &start, &end, &signal);
  if (ra_reg < 0) ra_reg = kRegRip;
  for (int r = 0; r < kRegisterCount; ++r) {
    Dwarf_Op mem[3];
    Dwarf_Op* rops = nullptr;
    size_t rn = 0;
    if (dwarf_frame_register(frame.get(), r, mem, &rops, &rn) != 0) continue;
    if (rn == 0) {
      // libdw: ops == nullptr is "same value", ops == mem is "undefined". A
      // callee-saved register is kept even when undefined: .debug_frame read without
      // the ABI's initial rules leaves them ruleless, and the psABI says they survive
      // calls. The return address register is never kept (undefined = outermost).
      bool callee_saved = r == kRegRbx || r == kRegRbp || (r >= kRegR12 && r <= kRegR15);
      bool undefined = rops != nullptr;
      if (undefined && !callee_saved) continue;
      if (auto v = regs.get(r)) s.regs.set(r, *v);
      continue;
    }
    ExpressionContext rc = ctx;
    std::optional<DwarfLocation> loc = evaluate_location(rops, rn, rc);
    if (!loc || loc->pieces.size() != 1) continue;
    const LocationPiece& p = loc->pieces[0];
    if (p.kind == LocationPiece::Kind::Memory) s.regs.set(r, read_u64(p.address));
    else if (p.kind == LocationPiece::Kind::Value) s.regs.set(r, p.value);
    else if (p.kind == LocationPiece::Kind::Register) {
      if (auto v = regs.get(p.reg)) s.regs.set(r, *v);
    }
  }
  std::optional<uint64_t> ra = s.regs.get(ra_reg);
  if (!ra) {
    // The return address is undefined: the outermost frame (_start, clone3).
    UnwindStep end_step;
    end_step.status = UnwindStep::Status::End;
    end_step.method = "cfi";
    end_step.cfa = *cfa;
    return end_step;
  }
  s.regs.set(kRegRip, *ra);
  s.regs.set(kRegRsp, *cfa);
  s.exact_pc = false;
  return s;
}

std::optional<UnwindStep> Unwinder::fp_step(const RegisterState& regs) const {
  std::optional<uint64_t> bp = regs.get(kRegRbp);
  if (!bp || *bp == 0 || *bp < regs.sp() || (*bp & 7)) return std::nullopt;
  UnwindStep s;
  s.status = UnwindStep::Status::Ok;
  s.method = "fp";
  s.regs.set(kRegRbp, read_u64(*bp));
  s.regs.set(kRegRip, read_u64(*bp + 8));
  s.regs.set(kRegRsp, *bp + 16);
  s.cfa = *bp + 16;
  return s;
}

}  // namespace kdive
