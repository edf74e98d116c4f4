// RegisterState: the x86-64 registers known at one stack frame, in DWARF numbering
// (System V psABI Figure 3.36: 0 rax, 1 rdx, 2 rcx, 3 rbx, 4 rsi, 5 rdi, 6 rbp, 7 rsp,
// 8..15 r8..r15, 16 the return address = rip; 49 rflags, 50..55 es cs ss ds fs gs,
// 58 fs.base, 59 gs.base), each either known or unknown. The unwinder tracks 0..16; the
// others are known only where a full register set was saved (a CPU's PRSTATUS note,
// a pt_regs), as drgn reports them.
//
//   RegisterState r = RegisterState::from_array(prstatus.regs.dwarf());
//   if (auto bx = r.get(kRegRbx)) ...;   r.pc();   r.sp();
#pragma once

#include <array>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>

namespace kdive {

inline constexpr int kRegRax = 0, kRegRdx = 1, kRegRcx = 2, kRegRbx = 3, kRegRsi = 4,
                     kRegRdi = 5, kRegRbp = 6, kRegRsp = 7, kRegR8 = 8, kRegR10 = 10,
                     kRegR12 = 12, kRegR13 = 13, kRegR14 = 14, kRegR15 = 15, kRegRip = 16;
inline constexpr int kRegisterCount = 17;  // 0..16: the registers call frames carry
inline constexpr int kRegRflags = 49, kRegEs = 50, kRegCs = 51, kRegSs = 52, kRegDs = 53,
                     kRegFs = 54, kRegGs = 55, kRegFsBase = 58, kRegGsBase = 59;
// Every register a frame may know, in drgn's order for x86-64 (its registers() dict).
inline constexpr int kAllRegisters[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                        kRegRflags, kRegEs, kRegCs, kRegSs, kRegDs, kRegFs, kRegGs,
                                        kRegFsBase, kRegGsBase};

class RegisterState {
 public:
  RegisterState() = default;
  // Every register known.
  static RegisterState from_array(const std::array<uint64_t, kRegisterCount>& values);

  std::optional<uint64_t> get(int reg) const {
    int slot = slot_of(reg);
    if (slot < 0 || !(known_ & (1u << slot))) return std::nullopt;
    return values_[static_cast<size_t>(slot)];
  }
  // `reg` must be one of kAllRegisters.
  void set(int reg, uint64_t value) {
    int slot = slot_of(reg);
    if (slot < 0) return;
    values_[static_cast<size_t>(slot)] = value;
    known_ |= 1u << slot;
  }
  void forget(int reg) {
    if (int slot = slot_of(reg); slot >= 0) known_ &= ~(1u << slot);
  }
  bool known(int reg) const {
    int slot = slot_of(reg);
    return slot >= 0 && (known_ & (1u << slot));
  }
  uint64_t pc() const { return values_[kRegRip]; }
  uint64_t sp() const { return values_[kRegRsp]; }

 private:
  static constexpr int kSlots = static_cast<int>(std::size(kAllRegisters));
  // 0..16 are their own slots; 49..55 follow at 17..23, 58 and 59 at 24 and 25.
  static constexpr int slot_of(int reg) {
    if (reg >= 0 && reg < kRegisterCount) return reg;
    if (reg >= kRegRflags && reg <= kRegGs) return kRegisterCount + (reg - kRegRflags);
    if (reg == kRegFsBase || reg == kRegGsBase) return kRegisterCount + 7 + (reg - kRegFsBase);
    return -1;
  }
  std::array<uint64_t, kSlots> values_{};
  uint32_t known_ = 0;
};

// "rax", "rdx", ... "rip", "rflags", "es" ... "gs.base" for a DWARF register number;
// "" for one RegisterState does not hold.
std::string_view register_name(int reg);

}  // namespace kdive
