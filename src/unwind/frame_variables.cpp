// FrameVariables: DIE walk over the frame's scopes and location evaluation. Variables
// in registers become values (a register has no address); those in memory become
// references; DW_OP_piece compositions are assembled byte by byte.
#include "unwind/frame_variables.h"

#include <dwarf.h>

#include <cstring>

#include <fmt/format.h>

#include "kdive/error.h"
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

std::vector<std::string> frame_locals(const StackFrame& frame) {
  std::vector<std::string> out;
  for_each_variable(frame, [&](Dwarf_Die*, const std::string& name) {
    out.push_back(name);
    return false;
  });
  return out;
}

Object frame_variable(FrameContext& ctx, const StackFrame& frame, std::string_view name) {
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
    Dwarf_Block block;
    if (dwarf_formblock(&attr, &block) == 0) return Object::from_bytes(env, type, block.data, block.length);
    Dwarf_Sword s;
    if (dwarf_formsdata(&attr, &s) == 0) return Object::signed_value(env, type, s);
    return absent(env, type, "unsupported DW_AT_const_value");
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
  if (const FrameScope* fn = frame.outer_function()) {
    Dwarf_Die fdie = fn->function;
    Dwarf_Attribute fb;
    if (dwarf_attr_integrate(&fdie, DW_AT_frame_base, &fb)) {
      Dwarf_Op* fops = nullptr;
      size_t fn_ops = 0;
      if (dwarf_getlocation_addr(&fb, file_pc, &fops, &fn_ops, 1) > 0) {
        ExpressionContext fc = ec;
        if (auto v = evaluate_value(fops, fn_ops, fc)) ec.frame_base = *v;
      }
    }
  }
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

}  // namespace kdive
