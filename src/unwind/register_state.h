// RegisterState: the x86-64 registers known at one stack frame, in DWARF numbering
// (System V psABI Figure 3.36: 0 rax, 1 rdx, 2 rcx, 3 rbx, 4 rsi, 5 rdi, 6 rbp, 7 rsp,
// 8..15 r8..r15, 16 the return address = rip), each either known or unknown.
//
//   RegisterState r = RegisterState::from_array(prstatus.regs.dwarf());
//   if (auto bx = r.get(kRegRbx)) ...;   r.pc();   r.sp();
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kdive {

inline constexpr int kRegRax = 0, kRegRdx = 1, kRegRcx = 2, kRegRbx = 3, kRegRsi = 4,
                     kRegRdi = 5, kRegRbp = 6, kRegRsp = 7, kRegR8 = 8, kRegR10 = 10,
                     kRegR12 = 12, kRegR13 = 13, kRegR14 = 14, kRegR15 = 15, kRegRip = 16;
inline constexpr int kRegisterCount = 17;

class RegisterState {
 public:
  RegisterState() = default;
  // Every register known.
  static RegisterState from_array(const std::array<uint64_t, kRegisterCount>& values);

  std::optional<uint64_t> get(int reg) const {
    if (reg < 0 || reg >= kRegisterCount || !(known_ & (1u << reg))) return std::nullopt;
    return values_[static_cast<size_t>(reg)];
  }
  void set(int reg, uint64_t value) {
    values_[static_cast<size_t>(reg)] = value;
    known_ |= 1u << reg;
  }
  void forget(int reg) { known_ &= ~(1u << reg); }
  bool known(int reg) const { return reg >= 0 && reg < kRegisterCount && (known_ & (1u << reg)); }
  uint64_t pc() const { return values_[kRegRip]; }
  uint64_t sp() const { return values_[kRegRsp]; }
  uint32_t known_mask() const { return known_; }

 private:
  std::array<uint64_t, kRegisterCount> values_{};
  uint32_t known_ = 0;
};

// "rax", "rdx", ... "rip" for a DWARF register number; "" when out of range.
std::string_view register_name(int reg);

}  // namespace kdive
