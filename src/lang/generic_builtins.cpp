// Generic built-in functions (generic_builtins.h): per-CPU address translation as the
// kernel's per_cpu()/per_cpu_ptr() macros do (address + __per_cpu_offset[cpu]), raw
// memory reads, and C strings.
#include "lang/generic_builtins.h"

#include <memory>

#include <fmt/format.h>

#include "kdive/error.h"
#include "object/object_operators.h"

namespace kdive {
namespace {

uint64_t cpu_offset(const GenericBuiltinHooks& hooks, const BuiltinContext& ctx,
                    std::span<const Value> args) {
  uint64_t cpu = builtin_integer_arg(ctx, args, 1);
  if (!hooks.per_cpu_offset) throw LookupError("per-CPU data is not available");
  return hooks.per_cpu_offset(cpu);
}

}  // namespace

void register_generic_builtins(BuiltinRegistry& registry, GenericBuiltinHooks hooks) {
  auto shared = std::make_shared<GenericBuiltinHooks>(std::move(hooks));

  registry.add({"per_cpu", 2, 2, "per_cpu(var, cpu)", "the per-CPU variable var of CPU cpu",
                [shared](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                  const Object& var = builtin_object_arg(ctx, args, 0);
                  if (!var.is_reference()) {
                    throw TypeError("per_cpu() argument 1 must be a per-CPU variable");
                  }
                  uint64_t offset = cpu_offset(*shared, ctx, args);
                  return Object::reference(var.env(), var.type(), var.address() + offset,
                                           var.bit_offset(), var.bit_field_size());
                }});

  registry.add({"per_cpu_ptr", 2, 2, "per_cpu_ptr(ptr, cpu)",
                "a per-CPU pointer translated for CPU cpu",
                [shared](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                  Object ptr = builtin_object_arg(ctx, args, 0);
                  QualifiedType u = ptr.underlying();
                  if (!u.type || u.type->kind() != TypeKind::Pointer) {
                    throw TypeError("per_cpu_ptr() argument 1 must be a pointer");
                  }
                  uint64_t offset = cpu_offset(*shared, ctx, args);
                  return Object::unsigned_value(ptr.env(), ptr.type(), ptr.as_unsigned() + offset);
                }});

  registry.add({"read", 2, 2, "read(addr, size)", "size bytes of memory at addr",
                [](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                  uint64_t address = builtin_address_arg(ctx, args, 0);
                  uint64_t size = builtin_integer_arg(ctx, args, 1);
                  if (size == 0 || size > kMaxBuiltinReadSize) {
                    throw TypeError(fmt::format("read() size must be between 1 and {}",
                                                kMaxBuiltinReadSize));
                  }
                  const ObjectEnv& oe = ctx.env.object_env();
                  if (!oe.memory) throw FaultError(address, "no memory to read from");
                  std::vector<uint8_t> bytes(size);
                  oe.memory->read(address, bytes.data(), bytes.size());
                  const Type* arr = oe.types->array_of({oe.prim.unsigned_char_type, 0}, size);
                  return Object::from_bytes(oe, {arr, 0}, bytes.data(), bytes.size());
                }});

  registry.add({"string", 1, 2, "string(expr[, limit])",
                "the NUL-terminated string a char pointer or array holds",
                [](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                  const Object& o = builtin_object_arg(ctx, args, 0);
                  uint64_t limit = args.size() > 1 ? builtin_integer_arg(ctx, args, 1)
                                                   : kMaxBuiltinReadSize;
                  if (limit > kMaxBuiltinReadSize) {
                    throw TypeError(fmt::format("string() limit must be at most {}",
                                                kMaxBuiltinReadSize));
                  }
                  std::string s = o.read_c_string(limit);
                  const ObjectEnv& oe = ctx.env.object_env();
                  std::vector<uint8_t> bytes(s.begin(), s.end());
                  bytes.push_back(0);
                  const Type* arr = oe.types->array_of({oe.prim.char_type, 0}, bytes.size());
                  return Object::from_bytes(oe, {arr, 0}, bytes.data(), bytes.size());
                }});
}

}  // namespace kdive
