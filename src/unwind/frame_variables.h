// FrameVariables: the parameters and local variables of a stack frame — the names in
// scope at its PC (the function's, then each enclosing lexical block's, outermost
// first, as drgn's StackFrame.locals() lists them) and each one's value from its DWARF
// location (location lists selected by the frame's PC, evaluated with the frame's
// registers, CFA and memory), or an absent object when optimized out.
//
//   std::vector<std::string> names = frame_locals(frame);          // {"l", "_t"}
//   Object lock = frame_variable(trace.context(), frame, "lock");  // (raw_spinlock_t *)0x6fc
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "object/object.h"
#include "unwind/stack_trace.h"

namespace kdive {

std::vector<std::string> frame_locals(const StackFrame& frame);
// LookupError "no variable 'x' in frame #N" when the name is not in scope.
Object frame_variable(FrameContext& ctx, const StackFrame& frame, std::string_view name);
// The same, and DW_OP_entry_value operands are recovered from the caller's frame in
// `trace`: the DW_TAG_call_site at the return address says what the caller passed
// in each argument register (DW_AT_call_value), evaluated with its registers.
Object frame_variable(const StackTrace& trace, size_t index, std::string_view name);

}  // namespace kdive
