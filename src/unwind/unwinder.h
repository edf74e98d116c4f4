// Unwinder: computes the caller's registers from a frame's registers — ORC for kernel
// code (including pt_regs crossings at interrupt, exception and syscall entries), DWARF
// CFI (.debug_frame / .eh_frame through libdw) for user space and to recover the
// callee-saved registers ORC does not track, frame pointers last.
//
//   Unwinder u(memory, code_info, /*kernel=*/true);
//   UnwindStep s = u.step(regs, /*exact_pc=*/false);
//   if (s.status == UnwindStep::Status::Ok) regs = s.regs;
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <elfutils/libdw.h>

#include "kdive/memory_reader.h"
#include "unwind/orc_table.h"
#include "unwind/register_state.h"

namespace kdive {

// The unwind tables that cover one PC.
struct CodeUnwindInfo {
  const OrcTable* orc = nullptr;
  Dwarf_CFI* cfi = nullptr;  // addresses in the CFI are run-time address - cfi_bias
  uint64_t cfi_bias = 0;
  // Set when the code has ORC data that cannot be read (its format is unknown): why,
  // so that a trace CFI cannot continue ends with the reason instead of a guess.
  const std::string* orc_error = nullptr;
};

// Implemented by whoever knows the program's code modules (program/).
class UnwindInfoSource {
 public:
  virtual ~UnwindInfoSource() = default;
  virtual CodeUnwindInfo unwind_info(uint64_t pc) const = 0;
};

struct UnwindStep {
  enum class Status : uint8_t { Ok, End, Error };
  Status status = Status::Error;
  RegisterState regs;      // the caller's registers (Ok)
  bool exact_pc = false;   // the caller's pc is where it was interrupted, not a return address
  std::string reason;      // End: may be empty (a normal end); Error: why it stopped
  const char* method = ""; // "orc", "cfi", "fp"
  // The canonical frame address of the frame that was unwound (its caller's sp before
  // the call), when known: DW_OP_call_frame_cfa of that frame's variables uses it.
  std::optional<uint64_t> cfa;
};

class Unwinder {
 public:
  Unwinder(const MemoryReader& memory, const UnwindInfoSource& code, bool kernel)
      : memory_(memory), code_(code), kernel_(kernel) {}

  // One step. `exact_pc`: regs.pc() is where the frame was stopped (the first frame,
  // or one interrupted by an exception); otherwise it is a return address and the
  // lookups use pc - 1 (the call instruction).
  UnwindStep step(const RegisterState& regs, bool exact_pc) const;

 private:
  std::optional<UnwindStep> orc_step(const OrcTable& orc, const RegisterState& regs, bool exact_pc,
                                     Dwarf_CFI* cfi, uint64_t cfi_bias) const;
  std::optional<UnwindStep> cfi_step(Dwarf_CFI* cfi, uint64_t bias, const RegisterState& regs,
                                     bool exact_pc, std::string* why) const;
  std::optional<UnwindStep> fp_step(const RegisterState& regs) const;
  uint64_t read_u64(uint64_t address) const;

  const MemoryReader& memory_;
  const UnwindInfoSource& code_;
  bool kernel_;
};

}  // namespace kdive
