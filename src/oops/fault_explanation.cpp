// Fault explanation. Data flow is followed backwards through the straight-line
// disassembly of the function up to RIP (the last instruction writing the register),
// which is what a person does by hand with objdump; branches merging in between are
// not modelled, so the result names what the nearest preceding load put there.
#include "oops/fault_explanation.h"

#include <dwarf.h>

#include <fmt/format.h>

#include "kdive/error.h"
#include "oops/code_listing.h"
#include "types/type_layout.h"
#include "types/type_printer.h"

namespace kdive {

namespace {

// x86-64 DWARF register numbers 0-16 (System V psABI, figure 3.36).
constexpr const char* kDwarfRegisters[] = {"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8",
                                           "r9",  "r10", "r11", "r12", "r13", "r14", "r15", "rip"};

std::optional<uint64_t> register_value(const OopsReport& report, const std::string& reg) {
  std::string up;
  for (char c : reg) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto it = report.registers.find(up);
  if (it == report.registers.end()) return std::nullopt;
  return it->second;
}

struct Described {
  std::string expression;
  QualifiedType type;  // {nullptr} when unknown
};

// A variable of the scopes at `file_pc` whose location there is exactly register `reg`.
std::optional<Described> variable_in_register(FrameSymbolizer& sym, DebugModule& module, uint64_t file_pc,
                                              const std::string& reg) {
  const PcScopes& sc = sym.scopes(module, file_pc);
  for (const FrameScope& frame : sc.frames) {
    for (Dwarf_Die scope : frame.scopes) {
      Dwarf_Die child;
      if (dwarf_child(&scope, &child) != 0) continue;
      int guard = 0;
      do {
        int tag = dwarf_tag(&child);
        if (tag != DW_TAG_formal_parameter && tag != DW_TAG_variable) continue;
        Dwarf_Attribute attr;
        if (!dwarf_attr(&child, DW_AT_location, &attr)) continue;
        Dwarf_Op* expr = nullptr;
        size_t len = 0;
        if (dwarf_getlocation_addr(&attr, file_pc, &expr, &len, 1) < 1 || len != 1) continue;
        unsigned number;
        if (expr[0].atom >= DW_OP_reg0 && expr[0].atom <= DW_OP_reg31) number = expr[0].atom - DW_OP_reg0;
        else if (expr[0].atom == DW_OP_regx) number = static_cast<unsigned>(expr[0].number);
        else continue;
        if (number >= std::size(kDwarfRegisters) || reg != kDwarfRegisters[number]) continue;
        std::string name = die_name(&child);
        if (name.empty()) continue;
        Described d{name, {}};
        try {
          d.type = module.types().type_of(&child);
        } catch (const Error&) {
        }
        return d;
      } while (dwarf_siblingof(&child, &child) == 0 && ++guard < 100000);
    }
  }
  return std::nullopt;
}

// The struct/union a pointer type points to, or {nullptr}.
QualifiedType pointee_compound(QualifiedType t) {
  if (!t.type) return {};
  QualifiedType u = underlying_type(t);
  if (!u.type || u.type->kind() != TypeKind::Pointer) return {};
  QualifiedType p = underlying_type(u.type->target());
  if (!p.type || !p.type->is_compound()) return {};
  return u.type->target();
}

// member_at_offset's answer when it names exactly one member ("b", "u.x", "arr[2]").
std::optional<std::string> clean_member(QualifiedType type, uint64_t offset) {
  std::string m;
  try {
    m = member_at_offset(type, offset);
  } catch (const Error&) {
    return std::nullopt;
  }
  if (m.empty() || m.find(" or ") != std::string::npos || m.find('<') != std::string::npos ||
      m.find('+') != std::string::npos)
    return std::nullopt;
  return m;
}

struct Flow {
  FrameSymbolizer& sym;
  DebugModule* module;  // nullptr: no DWARF
  const std::vector<Instruction>& insns;

  // What register `reg` holds at instruction `idx`.
  std::optional<Described> describe(const std::string& reg, size_t idx, int depth) {
    if (depth > 8 || reg.empty() || reg == "rip" || reg == "rsp") return std::nullopt;
    if (module) {
      if (auto d = variable_in_register(sym, *module, insns[idx].address, reg)) return d;
    }
    for (size_t k = idx; k-- > 0;) {
      const Instruction& in = insns[k];
      if (in.is_call && caller_saved_register(reg)) return std::nullopt;
      if (in.destination != reg) continue;
      if (in.is_load && in.memory && in.memory->index.empty()) {
        auto inner = describe(in.memory->base, k, depth + 1);
        if (!inner) return std::nullopt;
        QualifiedType target = pointee_compound(inner->type);
        if (!target.type || in.memory->displacement < 0) return std::nullopt;
        auto member = clean_member(target, static_cast<uint64_t>(in.memory->displacement));
        if (!member) return std::nullopt;
        Described d{inner->expression + "->" + *member, {}};
        try {
          d.type = resolve_designator(target, *member).type;
        } catch (const Error&) {
        }
        return d;
      }
      if (!in.source_register.empty() && !in.memory) return describe(in.source_register, k, depth + 1);
      return std::nullopt;
    }
    return std::nullopt;
  }
};

bool canonical(uint64_t a) { return a < 0x0000800000000000ULL || a >= 0xffff800000000000ULL; }

}  // namespace

std::optional<FaultExplanation> explain_fault(const OopsReport& report, FrameSymbolizer& symbolizer,
                                              AsmSyntax syntax) {
  if (!report.rip) return std::nullopt;
  InstructionDecoder dec(syntax);
  SymbolizedFrame at = symbolizer.symbolize(*report.rip, false);
  FaultExplanation e;

  // The function's instructions up to and including RIP, from the debug file: they
  // carry file addresses, so DWARF can be asked about each.
  std::vector<Instruction> insns;
  std::optional<size_t> fault_index;
  if (at.resolved && at.module) {
    uint64_t start = at.file_address - at.symbol_offset;
    auto bytes = symbolizer.read_code(*at.module, start, at.symbol_offset + 16);
    if (bytes.size() > at.symbol_offset) {
      insns = dec.decode(bytes, start);
      for (size_t i = 0; i < insns.size(); ++i)
        if (insns[i].address == at.file_address) fault_index = i;
      if (fault_index) e.instruction_source = at.module->elf().path();
    }
  }
  bool have_dwarf = fault_index.has_value();
  if (!fault_index && report.code && report.code->trap_offset) {
    // The Code: line: addresses relative to its first byte, no DWARF.
    DecodedCode d = decode_code_bytes(*report.code, syntax, 0);
    if (d.trap_index) {
      insns = std::move(d.all);
      fault_index = d.trap_index;
      e.instruction_source = "Code: line";
    }
  }
  if (!fault_index) return std::nullopt;
  const Instruction fault = insns[*fault_index];
  e.instruction = fault;
  if (!fault.memory || (!fault.memory->read && !fault.memory->write)) {
    e.kind = "no-memory-operand";
    e.sentence = fmt::format("the faulting instruction `{}` does not access memory", fault.text());
    return e;
  }
  MemoryOperand mem = *fault.memory;
  size_t access_index = *fault_index;

  // KASAN (generic, x86-64): the faulting instruction may be the shadow check
  // `cmpb $0x0,(%rdx,%rax)` with one register holding KASAN_SHADOW_OFFSET and the
  // other addr >> 3. The address is (shadow - offset) << 3; the access it guards is
  // found by following the shifted register back (shr, register copies) to the lea
  // that computed the address from the real base pointer.
  constexpr uint64_t kKasanShadowOffset = 0xdffffc0000000000ULL;
  bool kasan = false;
  std::optional<uint64_t> kasan_address;
  if (mem.scale == 1 && !mem.index.empty() && !mem.base.empty()) {
    std::string shifted;
    if (register_value(report, mem.base) == kKasanShadowOffset) shifted = mem.index;
    else if (register_value(report, mem.index) == kKasanShadowOffset) shifted = mem.base;
    if (!shifted.empty()) {
      kasan = true;
      if (auto v = register_value(report, shifted)) kasan_address = (*v + static_cast<uint64_t>(mem.displacement)) << 3;
      std::string reg = shifted;
      MemoryOperand real;
      bool found = false;
      for (size_t k = *fault_index, steps = 0; k-- > 0 && steps < 8;) {
        const Instruction& in = insns[k];
        if (in.is_call) break;
        if (in.destination != reg) continue;
        ++steps;
        if (in.mnemonic.rfind("shr", 0) == 0 || in.mnemonic.rfind("sar", 0) == 0) continue;
        if (!in.source_register.empty() && !in.memory) {
          reg = in.source_register;
          real.base = reg;
          access_index = k;
          found = true;
          continue;
        }
        if (in.mnemonic.rfind("lea", 0) == 0 && in.memory && in.memory->index.empty()) {
          real.base = in.memory->base;
          real.displacement = in.memory->displacement;
          access_index = k;
          found = true;
        }
        break;
      }
      if (found) {
        real.read = fault.memory->read;
        real.size = 0;
        mem = real;
      } else {
        mem = MemoryOperand{};
        mem.read = true;
      }
    }
  }
  e.base_register = mem.base;
  if (!mem.base.empty()) e.base_value = register_value(report, mem.base);
  auto index_value = mem.index.empty() ? std::optional<uint64_t>(0) : register_value(report, mem.index);
  if (kasan && !report.access.range_start && kasan_address) e.fault_address = kasan_address;

  // The faulting address: what the report says, else recomputed from the registers.
  if (report.access.range_start) e.fault_address = report.access.range_start;
  else if (e.fault_address) {
  } else if (report.access.address) e.fault_address = report.access.address;
  else if ((report.kind == ReportKind::PageFault || report.kind == ReportKind::NullDereference) && report.cr2)
    e.fault_address = report.cr2;
  else if (e.base_value && index_value)
    e.fault_address = *e.base_value + *index_value * static_cast<uint64_t>(mem.scale) +
                      static_cast<uint64_t>(mem.displacement);
  if (e.base_value && e.fault_address) e.offset = *e.fault_address - *e.base_value;
  else if (mem.index.empty() && mem.displacement >= 0) e.offset = static_cast<uint64_t>(mem.displacement);

  switch (report.access.type) {
    case MemoryAccess::Type::Read: e.access = "read"; break;
    case MemoryAccess::Type::Write: e.access = "write"; break;
    default: e.access = mem.write ? "write" : "read"; break;
  }

  Flow flow{symbolizer, have_dwarf ? at.module : nullptr, insns};
  std::optional<Described> base = flow.describe(mem.base, access_index, 0);
  if (base) {
    e.base_expression = base->expression;
    if (base->type.type) e.base_type = type_name(base->type);
    QualifiedType target = pointee_compound(base->type);
    if (target.type && e.offset) {
      e.struct_type = type_name(target);
      try {
        e.member = member_at_offset(target, *e.offset);
      } catch (const Error&) {
      }
    }
  }

  std::string who = base ? fmt::format("`{}`", base->expression)
                         : mem.base.empty() ? std::string("the address") : fmt::format("%{}", mem.base);
  std::string head;
  if (e.base_value && *e.base_value == 0) {
    e.kind = "null-pointer-dereference";
    head = fmt::format("NULL pointer dereference: {} is NULL", who);
  } else if (e.base_value && *e.base_value < 0x10000) {
    e.kind = "near-null-pointer";
    head = fmt::format("NULL pointer dereference: {} is {:#x}, not a valid pointer", who, *e.base_value);
  } else if (e.fault_address && !canonical(*e.fault_address) && !report.access.range_start) {
    e.kind = "non-canonical-address";
    head = fmt::format("bad pointer: {} is {:#x}, a non-canonical address", who, e.base_value.value_or(0));
  } else if (kasan && e.fault_address && *e.fault_address < 0x10000 && mem.base.empty()) {
    e.kind = "null-pointer-dereference";
    head = fmt::format("NULL pointer dereference (KASAN shadow check): the access at {:#x} is within the first page",
                       *e.fault_address);
  } else {
    e.kind = "bad-pointer";
    head = e.base_value ? fmt::format("bad pointer: {} is {:#x}", who, *e.base_value)
                        : fmt::format("bad access through {}", who);
  }
  std::string tail;
  if (e.offset) {
    std::string what = !e.member.empty() && e.member.front() != '<'
                           ? fmt::format("the {} of `{}.{}`", e.access, e.struct_type, e.member)
                           : fmt::format("the {}", e.access);
    tail = fmt::format("; {} at offset {:#x} ({}) faulted", what, *e.offset, *e.offset);
  } else if (e.fault_address) {
    tail = fmt::format("; the {} of {:#x} faulted", e.access, *e.fault_address);
  }
  if (kasan) tail += " (found by KASAN's shadow check)";
  e.sentence = head + tail;
  return e;
}

}  // namespace kdive
