// The registry of built-in functions and argument helpers (builtin_registry.h).
#include "lang/builtin_registry.h"

#include <fmt/format.h>

#include "kdive/error.h"
#include "object/object_operators.h"

namespace kdive {

void BuiltinRegistry::add(Builtin builtin) {
  std::string name = builtin.name;
  builtins_.insert_or_assign(std::move(name), std::move(builtin));
}

const Builtin* BuiltinRegistry::find(std::string_view name) const {
  auto it = builtins_.find(name);
  return it == builtins_.end() ? nullptr : &it->second;
}

std::vector<const Builtin*> BuiltinRegistry::list() const {
  std::vector<const Builtin*> out;
  out.reserve(builtins_.size());
  for (const auto& [name, b] : builtins_) out.push_back(&b);
  return out;
}

Value BuiltinRegistry::call(BuiltinContext& ctx, std::span<const Value> args) const {
  const Builtin* b = find(ctx.name);
  if (!b) throw LookupError(fmt::format("could not find built-in function '{}'", ctx.name));
  if (args.size() < b->min_args || args.size() > b->max_args) {
    std::string expected =
        b->min_args == b->max_args
            ? fmt::format("{} argument{}", b->min_args, b->min_args == 1 ? "" : "s")
            : fmt::format("{} to {} arguments", b->min_args, b->max_args);
    throw TypeError(fmt::format("{}() takes {} ({} given)", b->name, expected, args.size()));
  }
  return b->function(ctx, args);
}

const Object& builtin_object_arg(const BuiltinContext& ctx, std::span<const Value> args, size_t i) {
  if (!args[i].is_object()) {
    throw TypeError(fmt::format("{}() argument {} must be a C object, not a {}", ctx.name, i + 1,
                                args[i].extension().kind_name()));
  }
  return args[i].object();
}

uint64_t builtin_integer_arg(const BuiltinContext& ctx, std::span<const Value> args, size_t i) {
  const Object& o = builtin_object_arg(ctx, args, i);
  if (!is_integer_like_type(o.type())) {
    throw TypeError(fmt::format("{}() argument {} must be an integer", ctx.name, i + 1));
  }
  return o.as_unsigned();
}

uint64_t builtin_address_arg(const BuiltinContext& ctx, std::span<const Value> args, size_t i) {
  const Object& o = builtin_object_arg(ctx, args, i);
  TypeKind kind = o.underlying().type ? o.underlying().type->kind() : TypeKind::Void;
  if (is_integer_like_type(o.type()) || kind == TypeKind::Pointer) return o.as_unsigned();
  if ((kind == TypeKind::Array || kind == TypeKind::Function) && o.is_reference()) return o.address();
  throw TypeError(fmt::format("{}() argument {} must be an address", ctx.name, i + 1));
}

}  // namespace kdive
