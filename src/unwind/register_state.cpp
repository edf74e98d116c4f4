// RegisterState: the x86-64 DWARF register numbering (System V psABI Figure 3.36) and
// names, as data.
#include "unwind/register_state.h"

namespace kdive {

RegisterState RegisterState::from_array(const std::array<uint64_t, kRegisterCount>& values) {
  RegisterState r;
  r.values_ = values;
  r.known_ = (1u << kRegisterCount) - 1;
  return r;
}

std::string_view register_name(int reg) {
  static constexpr std::string_view kNames[kRegisterCount] = {
      "rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8",
      "r9",  "r10", "r11", "r12", "r13", "r14", "r15", "rip"};
  if (reg < 0 || reg >= kRegisterCount) return {};
  return kNames[reg];
}

}  // namespace kdive
