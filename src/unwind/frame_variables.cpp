// FrameVariables: DIE walk over the frame's scopes and location evaluation. Variables
// in registers become values (a register has no address); those in memory become
// references; DW_OP_piece compositions are assembled byte by byte.
#include "unwind/frame_variables.h"

#include <dwarf.h>

#include <algorithm>
#include <cstring>
#include <functional>

#include <fmt/format.h>

#include "debuginfo/dwarf_constant.h"
#include "kdive/error.h"
#include "types/type_layout.h"
#include "unwind/dwarf_expression.h"

namespace kdive {

namespace {

bool is_variable(Dwarf_Die* die) {
  int tag = dwarf_tag(die);
  return tag == DW_TAG_formal_parameter || tag == DW_TAG_variable;
}

// Calls fn(die, name) for each variable of the frame, function first then the
// lexical blocks from outer to inner; stops when fn returns true.
template <typename Fn>
void for_each_variable(const StackFrame& frame, Fn fn) {
  const FrameScope* scope = frame.scope();
  if (!scope) return;
  for (size_t i = scope->scopes.size(); i-- > 0;) {
    Dwarf_Die parent = scope->scopes[i];
    Dwarf_Die child;
    if (dwarf_child(&parent, &child) != 0) continue;
    do {
      if (!is_variable(&child)) continue;
      std::string name = die_name(&child);
      if (name.empty()) continue;
      if (fn(&child, name)) return;
    } while (dwarf_siblingof(&child, &child) == 0);
  }
}

Object absent(const ObjectEnv& env, QualifiedType type, std::string why) {
  return Object::absent(env, type, std::move(why));
}

}  // namespace

Object const_value_object(const ObjectEnv& env, QualifiedType type, Dwarf_Attribute* attr) {
  Dwarf_Block block;
  if (dwarf_formblock(attr, &block) == 0) {
    if (block.length < type_sizeof(type)) return absent(env, type, "DW_AT_const_value block is too small");
    return Object::from_bytes(env, type, block.data, block.length);
  }
  QualifiedType u = underlying_type(type);
  ConstantType ct;
  if (u.type && u.type->is_signed()) ct = {true, static_cast<unsigned>(std::min<uint64_t>(64, type_sizeof(u) * 8))};
  auto c = read_dwarf_constant(attr, ct);
  if (!c) return absent(env, type, "unsupported DW_AT_const_value");
  if (u.type && u.type->kind() == TypeKind::Float) {
    // gcc gives a float or double constant as data4/data8: its bits, little-endian here.
    uint8_t bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(c->bits >> (8 * i));
    return Object::from_bytes(env, type, bytes, std::min<uint64_t>(8, type_sizeof(type)));
  }
  return c->is_signed ? Object::signed_value(env, type, c->as_signed()) : Object::unsigned_value(env, type, c->bits);
}

std::vector<std::string> frame_locals(const StackFrame& frame) {
  std::vector<std::string> out;
  for_each_variable(frame, [&](Dwarf_Die*, const std::string& name) {
    out.push_back(name);
    return false;
  });
  return out;
}

using EntryRegister = std::function<std::optional<uint64_t>(int reg)>;

namespace {

Object variable_in(FrameContext& ctx, const StackFrame& frame, std::string_view name, const EntryRegister& entry);

// The frame base (DW_AT_frame_base) of the function of `frame`, when it evaluates.
std::optional<uint64_t> frame_base(const StackFrame& frame, uint64_t file_pc, const ExpressionContext& ec) {
  const FrameScope* fn = frame.outer_function();
  if (!fn) return std::nullopt;
  Dwarf_Die fdie = fn->function;
  Dwarf_Attribute fb;
  if (!dwarf_attr_integrate(&fdie, DW_AT_frame_base, &fb)) return std::nullopt;
  Dwarf_Op* fops = nullptr;
  size_t fn_ops = 0;
  if (dwarf_getlocation_addr(&fb, file_pc, &fops, &fn_ops, 1) <= 0) return std::nullopt;
  ExpressionContext fc = ec;
  return evaluate_value(fops, fn_ops, fc);
}

// The call site DIE under `parent` whose return address is `return_pc` (a file address).
bool find_call_site(Dwarf_Die* parent, uint64_t return_pc, Dwarf_Die* out, int depth) {
  if (depth > 64) return false;
  Dwarf_Die child;
  if (dwarf_child(parent, &child) != 0) return false;
  do {
    int tag = dwarf_tag(&child);
    if (tag == DW_TAG_call_site || tag == DW_TAG_GNU_call_site) {
      Dwarf_Attribute a;
      Dwarf_Addr pc = 0;
      if ((dwarf_attr(&child, DW_AT_call_return_pc, &a) || dwarf_attr(&child, DW_AT_low_pc, &a)) &&
          dwarf_formaddr(&a, &pc) == 0 && pc == return_pc) {
        *out = child;
        return true;
      }
    } else if (tag == DW_TAG_lexical_block || tag == DW_TAG_inlined_subroutine) {
      if (find_call_site(&child, return_pc, out, depth + 1)) return true;
    }
  } while (dwarf_siblingof(&child, &child) == 0);
  return false;
}

EntryRegister entry_values_for(const StackTrace& trace, size_t index, int depth);

// What the caller frame (trace.frames()[caller_index]) passed in register `reg` at
// the call it returns to. The value expression may itself use the caller's entry
// values (a pointer passed straight through): `depth` bounds that chain.
std::optional<uint64_t> caller_register_value(const StackTrace& trace, size_t caller_index, int reg, int depth) {
  FrameContext& ctx = trace.context();
  const StackFrame& caller = trace.frames()[caller_index];
  const FrameScope* fn = caller.outer_function();
  if (!fn || !caller.module()) return std::nullopt;
  uint64_t bias = caller.module()->bias;
  Dwarf_Die function = fn->function;
  Dwarf_Die site;
  if (!find_call_site(&function, caller.pc() - bias, &site, 0)) return std::nullopt;
  Dwarf_Die param;
  if (dwarf_child(&site, &param) != 0) return std::nullopt;
  do {
    int tag = dwarf_tag(&param);
    if (tag != DW_TAG_call_site_parameter && tag != DW_TAG_GNU_call_site_parameter) continue;
    Dwarf_Attribute loc;
    Dwarf_Op* ops = nullptr;
    size_t n = 0;
    if (!dwarf_attr(&param, DW_AT_location, &loc) || dwarf_getlocation(&loc, &ops, &n) != 0 || n != 1) continue;
    int preg = -1;
    if (ops[0].atom >= DW_OP_reg0 && ops[0].atom <= DW_OP_reg31) preg = ops[0].atom - DW_OP_reg0;
    else if (ops[0].atom == DW_OP_regx) preg = static_cast<int>(ops[0].number);
    if (preg != reg) continue;
    Dwarf_Attribute value;
    if (!dwarf_attr(&param, DW_AT_call_value, &value) && !dwarf_attr(&param, DW_AT_GNU_call_site_value, &value))
      return std::nullopt;
    Dwarf_Op* vops = nullptr;
    size_t vn = 0;
    if (dwarf_getlocation(&value, &vops, &vn) != 0) return std::nullopt;
    ExpressionContext ec;
    ec.regs = &caller.registers();
    ec.memory = &ctx.memory();
    ec.cfa = caller.cfa();
    ec.address_bias = bias;
    ec.frame_base = frame_base(caller, caller.lookup_pc() - bias, ec);
    ec.attr = &value;
    if (depth < 16) ec.entry_register = entry_values_for(trace, caller_index, depth + 1);
    try {
      return evaluate_value(vops, vn, ec);
    } catch (const FaultError&) {
      return std::nullopt;
    }
  } while (dwarf_siblingof(&param, &param) == 0);
  return std::nullopt;
}

// Entry values for frame `index`: from the call site in its caller (the first frame
// of a different activation: inline frames share pc and sp), when that caller stopped
// at a call (not interrupted).
EntryRegister entry_values_for(const StackTrace& trace, size_t index, int depth) {
  const auto& frames = trace.frames();
  const StackFrame& frame = frames[index];
  for (size_t j = index + 1; j < frames.size(); ++j) {
    if (frames[j].pc() != frame.pc() || frames[j].registers().sp() != frame.registers().sp()) {
      if (frames[j].exact_pc()) return nullptr;
      const StackTrace* t = &trace;
      return [t, j, depth](int reg) { return caller_register_value(*t, j, reg, depth); };
    }
  }
  return nullptr;
}

}  // namespace

Object frame_variable(const StackTrace& trace, size_t index, std::string_view name) {
  if (index >= trace.frames().size()) throw LookupError(fmt::format("no frame #{}", index));
  return variable_in(trace.context(), trace.frames()[index], name, entry_values_for(trace, index, 0));
}

Object frame_variable(FrameContext& ctx, const StackFrame& frame, std::string_view name) {
  return variable_in(ctx, frame, name, nullptr);
}

namespace {

Object variable_in(FrameContext& ctx, const StackFrame& frame, std::string_view name, const EntryRegister& entry) {
  // The innermost declaration wins: remember the last one seen (blocks go outer to inner).
  Dwarf_Die found{};
  bool have = false;
  for_each_variable(frame, [&](Dwarf_Die* die, const std::string& n) {
    if (n == name) {
      found = *die;
      have = true;
    }
    return false;
  });
  if (!have || !frame.module() || !frame.module()->types)
    throw LookupError(fmt::format("no variable '{}' in frame #{}", name, frame.index()));
  const ObjectEnv& env = ctx.object_env();
  const CodeModule& mod = *frame.module();
  QualifiedType type = mod.types->type_of(&found);
  uint64_t file_pc = frame.lookup_pc() - mod.bias;

  Dwarf_Attribute attr;
  if (!dwarf_attr(&found, DW_AT_location, &attr)) {
    if (!dwarf_attr_integrate(&found, DW_AT_const_value, &attr)) return absent(env, type, "optimized out");
    return const_value_object(env, type, &attr);
  }
  Dwarf_Op* ops = nullptr;
  size_t nops = 0;
  int n = dwarf_getlocation_addr(&attr, file_pc, &ops, &nops, 1);
  if (n <= 0 || nops == 0) return absent(env, type, "optimized out");

  ExpressionContext ec;
  ec.regs = &frame.registers();
  ec.memory = &ctx.memory();
  ec.cfa = frame.cfa();
  ec.address_bias = mod.bias;
  // The frame base of the real function this frame belongs to.
  ec.frame_base = frame_base(frame, file_pc, ec);
  ec.entry_register = entry;
  ec.attr = &attr;
  std::optional<DwarfLocation> loc;
  try {
    loc = evaluate_location(ops, nops, ec);
  } catch (const FaultError& e) {
    return absent(env, type, e.what());
  }
  if (!loc) return absent(env, type, ec.why);
  uint64_t size = type.type ? type.type->size() : 0;
  if (loc->pieces.size() == 1 && loc->pieces[0].size_bits == 0) {
    const LocationPiece& p = loc->pieces[0];
    switch (p.kind) {
      case LocationPiece::Kind::Memory:
        return Object::reference(env, type, p.address);
      case LocationPiece::Kind::Register: {
        auto v = frame.registers().get(p.reg);
        if (!v) return absent(env, type, fmt::format("register {} unknown", register_name(p.reg)));
        uint8_t bytes[8];
        std::memcpy(bytes, &*v, 8);
        if (size > 8) return absent(env, type, "value larger than its register");
        return Object::from_bytes(env, type, bytes, 8);
      }
      case LocationPiece::Kind::Value: {
        uint8_t bytes[8];
        std::memcpy(bytes, &p.value, 8);
        if (size > 8) return absent(env, type, "value larger than a stack value");
        return Object::from_bytes(env, type, bytes, 8);
      }
      case LocationPiece::Kind::Implicit:
        if (p.bytes.size() < size) return absent(env, type, "implicit value too short");
        return Object::from_bytes(env, type, p.bytes.data(), p.bytes.size());
      case LocationPiece::Kind::Absent:
        return absent(env, type, "optimized out");
    }
  }
  // Pieces: assemble the bytes (byte-granular pieces only).
  std::vector<uint8_t> buf(size, 0);
  size_t off = 0;
  for (const LocationPiece& p : loc->pieces) {
    if (p.size_bits % 8) return absent(env, type, "bit pieces are not supported");
    size_t len = p.size_bits ? p.size_bits / 8 : size - off;
    if (off + len > size) return absent(env, type, "pieces larger than the object");
    uint8_t tmp[8];
    switch (p.kind) {
      case LocationPiece::Kind::Memory:
        try {
          ctx.memory().read(p.address, buf.data() + off, len);
        } catch (const FaultError& e) {
          return absent(env, type, e.what());
        }
        break;
      case LocationPiece::Kind::Register: {
        auto v = frame.registers().get(p.reg);
        if (!v || len > 8) return absent(env, type, "piece in an unknown register");
        std::memcpy(tmp, &*v, 8);
        std::memcpy(buf.data() + off, tmp, len);
        break;
      }
      case LocationPiece::Kind::Value:
        if (len > 8) return absent(env, type, "piece too large");
        std::memcpy(tmp, &p.value, 8);
        std::memcpy(buf.data() + off, tmp, len);
        break;
      case LocationPiece::Kind::Implicit:
        if (p.bytes.size() < len) return absent(env, type, "implicit piece too short");
        std::memcpy(buf.data() + off, p.bytes.data(), len);
        break;
      case LocationPiece::Kind::Absent:
        return absent(env, type, "partly optimized out");
    }
    off += len;
  }
  return Object::from_bytes(env, type, buf.data(), buf.size());
}

}  // namespace

}  // namespace kdive
