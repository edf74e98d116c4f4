// DwarfExpression: a bounded stack machine over libdw's decoded operations. Every
// branch target is checked, the operation count is capped (a malformed backwards
// DW_OP_skip must not hang us), and the stack depth is limited.
#include "unwind/dwarf_expression.h"

#include <dwarf.h>

#include <cstring>

#include <fmt/format.h>

#include "kdive/error.h"

namespace kdive {

namespace {

constexpr size_t kMaxSteps = 10000;
constexpr size_t kMaxStack = 1024;

struct Machine {
  const Dwarf_Op* ops;
  size_t count;
  const ExpressionContext& ctx;
  std::vector<uint64_t> stack;
  DwarfLocation result;
  // The location of the current piece when it is not on the stack.
  std::optional<LocationPiece> pending;

  bool fail(std::string why) {
    ctx.why = std::move(why);
    return false;
  }

  bool reg_value(int reg, uint64_t* out) {
    std::optional<uint64_t> v = ctx.regs ? ctx.regs->get(reg) : std::nullopt;
    if (!v) return fail(fmt::format("register {} unknown", register_name(reg).empty() ? std::to_string(reg) : std::string(register_name(reg))));
    *out = *v;
    return true;
  }

  uint64_t read_memory(uint64_t address, size_t size) {
    if (!ctx.memory) throw FaultError(address, "no memory to read");
    uint8_t buf[8] = {};
    ctx.memory->read(address, buf, size);
    uint64_t v = 0;
    std::memcpy(&v, buf, 8);
    return v;
  }

  bool pop(uint64_t* v) {
    if (stack.empty()) return fail("DWARF expression stack underflow");
    *v = stack.back();
    stack.pop_back();
    return true;
  }

  size_t index_of_offset(Dwarf_Word offset) const {
    for (size_t i = 0; i < count; ++i)
      if (ops[i].offset == offset) return i;
    return count + 1;  // invalid
  }

  // Ends the current piece: what is pending, or the stack top as an address.
  bool close_piece(uint64_t size_bits, bool final) {
    LocationPiece p;
    if (pending) {
      p = *pending;
      pending.reset();
    } else if (!stack.empty()) {
      p.kind = LocationPiece::Kind::Memory;
      p.address = stack.back();
      stack.pop_back();
    } else if (!final) {
      p.kind = LocationPiece::Kind::Absent;  // an empty piece: optimized out
    } else {
      return fail("empty DWARF expression");
    }
    p.size_bits = size_bits;
    result.pieces.push_back(std::move(p));
    return true;
  }

  bool run() {
    size_t steps = 0;
    for (size_t i = 0; i < count; ++i) {
      if (++steps > kMaxSteps) return fail("DWARF expression too long (loop?)");
      if (stack.size() > kMaxStack) return fail("DWARF expression stack too deep");
      const Dwarf_Op& op = ops[i];
      uint8_t atom = op.atom;
      uint64_t a = 0, b = 0;
      if (pending && atom != DW_OP_piece && atom != DW_OP_bit_piece)
        return fail("DWARF operation after a register or value location");
      if (atom >= DW_OP_lit0 && atom <= DW_OP_lit31) {
        stack.push_back(atom - DW_OP_lit0);
      } else if (atom >= DW_OP_reg0 && atom <= DW_OP_reg31) {
        pending = LocationPiece{LocationPiece::Kind::Register, 0, atom - DW_OP_reg0, 0, {}, 0};
      } else if (atom >= DW_OP_breg0 && atom <= DW_OP_breg31) {
        if (!reg_value(atom - DW_OP_breg0, &a)) return false;
        stack.push_back(a + op.number);
      } else {
        switch (atom) {
          case DW_OP_addr:
            stack.push_back(op.number + ctx.address_bias);
            break;
          case DW_OP_regx:
            pending = LocationPiece{LocationPiece::Kind::Register, 0, static_cast<int>(op.number), 0, {}, 0};
            break;
          case DW_OP_bregx:
            if (!reg_value(static_cast<int>(op.number), &a)) return false;
            stack.push_back(a + op.number2);
            break;
          case DW_OP_fbreg:
            if (!ctx.frame_base) return fail("frame base unknown");
            stack.push_back(*ctx.frame_base + op.number);
            break;
          case DW_OP_call_frame_cfa:
            if (!ctx.cfa) return fail("CFA unknown");
            stack.push_back(*ctx.cfa);
            break;
          case DW_OP_const1u: case DW_OP_const2u: case DW_OP_const4u: case DW_OP_const8u:
          case DW_OP_const1s: case DW_OP_const2s: case DW_OP_const4s: case DW_OP_const8s:
          case DW_OP_constu: case DW_OP_consts:
            stack.push_back(op.number);
            break;
          case DW_OP_dup:
            if (stack.empty()) return fail("DWARF expression stack underflow");
            stack.push_back(stack.back());
            break;
          case DW_OP_drop:
            if (!pop(&a)) return false;
            break;
          case DW_OP_over:
            if (stack.size() < 2) return fail("DWARF expression stack underflow");
            stack.push_back(stack[stack.size() - 2]);
            break;
          case DW_OP_pick:
            if (op.number >= stack.size()) return fail("DWARF expression stack underflow");
            stack.push_back(stack[stack.size() - 1 - op.number]);
            break;
          case DW_OP_swap:
            if (stack.size() < 2) return fail("DWARF expression stack underflow");
            std::swap(stack[stack.size() - 1], stack[stack.size() - 2]);
            break;
          case DW_OP_rot: {
            if (stack.size() < 3) return fail("DWARF expression stack underflow");
            size_t n = stack.size();
            uint64_t top = stack[n - 1];
            stack[n - 1] = stack[n - 2];
            stack[n - 2] = stack[n - 3];
            stack[n - 3] = top;
            break;
          }
          case DW_OP_deref:
            if (!pop(&a)) return false;
            stack.push_back(read_memory(a, 8));
            break;
          case DW_OP_deref_size:
            if (!pop(&a)) return false;
            if (op.number == 0 || op.number > 8) return fail("bad DW_OP_deref_size");
            stack.push_back(read_memory(a, op.number) & (op.number == 8 ? ~0ull : ((1ull << (8 * op.number)) - 1)));
            break;
          case DW_OP_abs:
            if (!pop(&a)) return false;
            stack.push_back(static_cast<int64_t>(a) < 0 ? -a : a);
            break;
          case DW_OP_neg:
            if (!pop(&a)) return false;
            stack.push_back(-a);
            break;
          case DW_OP_not:
            if (!pop(&a)) return false;
            stack.push_back(~a);
            break;
          case DW_OP_plus_uconst:
            if (!pop(&a)) return false;
            stack.push_back(a + op.number);
            break;
          case DW_OP_and: case DW_OP_div: case DW_OP_minus: case DW_OP_mod: case DW_OP_mul:
          case DW_OP_or: case DW_OP_plus: case DW_OP_shl: case DW_OP_shr: case DW_OP_shra:
          case DW_OP_xor: case DW_OP_eq: case DW_OP_ge: case DW_OP_gt: case DW_OP_le:
          case DW_OP_lt: case DW_OP_ne: {
            if (!pop(&b) || !pop(&a)) return false;
            int64_t sa = static_cast<int64_t>(a), sb = static_cast<int64_t>(b);
            uint64_t r = 0;
            switch (atom) {
              case DW_OP_and: r = a & b; break;
              case DW_OP_div:
                if (b == 0) return fail("division by zero in DWARF expression");
                r = static_cast<uint64_t>(sa / sb);
                break;
              case DW_OP_minus: r = a - b; break;
              case DW_OP_mod:
                if (b == 0) return fail("division by zero in DWARF expression");
                r = a % b;
                break;
              case DW_OP_mul: r = a * b; break;
              case DW_OP_or: r = a | b; break;
              case DW_OP_plus: r = a + b; break;
              case DW_OP_shl: r = b >= 64 ? 0 : a << b; break;
              case DW_OP_shr: r = b >= 64 ? 0 : a >> b; break;
              case DW_OP_shra: r = static_cast<uint64_t>(b >= 64 ? (sa < 0 ? -1 : 0) : sa >> b); break;
              case DW_OP_xor: r = a ^ b; break;
              case DW_OP_eq: r = sa == sb; break;
              case DW_OP_ge: r = sa >= sb; break;
              case DW_OP_gt: r = sa > sb; break;
              case DW_OP_le: r = sa <= sb; break;
              case DW_OP_lt: r = sa < sb; break;
              case DW_OP_ne: r = sa != sb; break;
            }
            stack.push_back(r);
            break;
          }
          case DW_OP_skip:
          case DW_OP_bra: {
            if (atom == DW_OP_bra) {
              if (!pop(&a)) return false;
              if (a == 0) break;
            }
            Dwarf_Word target = op.offset + 3 + static_cast<Dwarf_Word>(static_cast<int16_t>(op.number));
            size_t j = index_of_offset(target);
            if (j == count + 1) {
              // A branch to the end of the expression is legal.
              Dwarf_Word end = ops[count - 1].offset + 1;
              if (target < end) return fail("DWARF branch into the middle of an operation");
              i = count;
              break;
            }
            i = j - 1;  // the loop's ++i lands on j
            break;
          }
          case DW_OP_nop:
            break;
          case DW_OP_piece:
            if (!close_piece(op.number * 8, false)) return false;
            break;
          case DW_OP_bit_piece:
            if (op.number2 != 0) return fail("DW_OP_bit_piece with an offset");
            if (!close_piece(op.number, false)) return false;
            break;
          case DW_OP_stack_value:
            if (!pop(&a)) return false;
            pending = LocationPiece{LocationPiece::Kind::Value, 0, -1, a, {}, 0};
            break;
          case DW_OP_implicit_value: {
            Dwarf_Block block;
            if (!ctx.attr || dwarf_getlocation_implicit_value(ctx.attr, &op, &block) != 0 || block.length > 4096)
              return fail("DW_OP_implicit_value unreadable");
            LocationPiece p;
            p.kind = LocationPiece::Kind::Implicit;
            p.bytes.assign(block.data, block.data + block.length);
            pending = std::move(p);
            break;
          }
          case DW_OP_entry_value:
          case DW_OP_GNU_entry_value: {
            // Only the common form: the entry value of one register (DW_OP_regN).
            Dwarf_Attribute inner;
            Dwarf_Op* iops = nullptr;
            size_t n = 0;
            if (!ctx.attr || dwarf_getlocation_attr(ctx.attr, &op, &inner) != 0 ||
                dwarf_getlocation(&inner, &iops, &n) != 0 || n != 1)
              return fail("unsupported DW_OP_entry_value");
            int reg = -1;
            if (iops[0].atom >= DW_OP_reg0 && iops[0].atom <= DW_OP_reg31) reg = iops[0].atom - DW_OP_reg0;
            else if (iops[0].atom == DW_OP_regx) reg = static_cast<int>(iops[0].number);
            if (reg < 0) return fail("unsupported DW_OP_entry_value");
            std::optional<uint64_t> v;
            if (ctx.entry_register) v = ctx.entry_register(reg);
            if (!v) return fail(fmt::format("entry value of {} unknown", register_name(reg)));
            stack.push_back(*v);
            break;
          }
          default:
            return fail(fmt::format("unsupported DWARF operation {:#x}", atom));
        }
      }
    }
    return true;
  }
};

}  // namespace

std::optional<DwarfLocation> evaluate_location(const Dwarf_Op* ops, size_t count,
                                               const ExpressionContext& ctx,
                                               std::vector<uint64_t> initial_stack) {
  Machine m{ops, count, ctx, std::move(initial_stack), {}, {}};
  if (count == 0) {
    ctx.why = "optimized out";
    return std::nullopt;
  }
  if (!m.run()) return std::nullopt;
  if (m.pending || !m.stack.empty()) {
    if (!m.close_piece(0, true)) return std::nullopt;
  } else if (m.result.pieces.empty()) {
    ctx.why = "empty DWARF expression";
    return std::nullopt;
  }
  return std::move(m.result);
}

std::optional<uint64_t> evaluate_value(const Dwarf_Op* ops, size_t count, const ExpressionContext& ctx,
                                       std::vector<uint64_t> initial_stack) {
  std::optional<DwarfLocation> loc = evaluate_location(ops, count, ctx, std::move(initial_stack));
  if (!loc || loc->pieces.size() != 1) {
    if (loc) ctx.why = "pieces in a value expression";
    return std::nullopt;
  }
  const LocationPiece& p = loc->pieces[0];
  switch (p.kind) {
    case LocationPiece::Kind::Memory: return p.address;
    case LocationPiece::Kind::Value: return p.value;
    case LocationPiece::Kind::Register: {
      std::optional<uint64_t> v = ctx.regs ? ctx.regs->get(p.reg) : std::nullopt;
      if (!v) ctx.why = "register unknown";
      return v;
    }
    default:
      ctx.why = "not a value";
      return std::nullopt;
  }
}

}  // namespace kdive
