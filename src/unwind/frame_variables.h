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

#include <elfutils/libdw.h>

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

// The object a DW_AT_const_value gives (DWARF 5 §4.1 item 10): a block (or data16)
// holds the value's bytes in target order; an integer constant takes the sign of `type`
// (debuginfo/dwarf_constant.h: data1 0xf9 of a `const signed char` is -7, data4
// 0xfffffff0 of a `const unsigned int` is 4294967280). Shared by locals and globals.
// Malformed or unusable values give an absent object saying so.
Object const_value_object(const ObjectEnv& env, QualifiedType type, Dwarf_Attribute* attr);

}  // namespace kdive
