// RegisterState: the x86-64 DWARF register numbering (System V psABI Figure 3.36) and
// names, as data.
#include "unwind/register_state.h"

namespace kdive {

RegisterState RegisterState::from_array(const std::array<uint64_t, kRegisterCount>& values) {
  RegisterState r;
  for (int reg = 0; reg < kRegisterCount; ++reg) r.set(reg, values[static_cast<size_t>(reg)]);
  return r;
}

std::string_view register_name(int reg) {
  static constexpr std::string_view kNames[kRegisterCount] = {
      "rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8",
      "r9",  "r10", "r11", "r12", "r13", "r14", "r15", "rip"};
  if (reg >= 0 && reg < kRegisterCount) return kNames[reg];
  switch (reg) {
    case kRegRflags: return "rflags";
    case kRegEs: return "es";
    case kRegCs: return "cs";
    case kRegSs: return "ss";
    case kRegDs: return "ds";
    case kRegFs: return "fs";
    case kRegGs: return "gs";
    case kRegFsBase: return "fs.base";
    case kRegGsBase: return "gs.base";
    default: return {};
  }
}

}  // namespace kdive
