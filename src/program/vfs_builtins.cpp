// VFS built-ins (vfs_builtins.h): thin wrappers over src/linux/vfs_path.h and
// mounts.h. One VfsLayout per registry, resolved on first use, is shared by the lambdas.
#include "program/vfs_builtins.h"

#include <memory>
#include <optional>

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/kernel_layout.h"
#include "linux/mounts.h"
#include "linux/target_words.h"
#include "linux/vfs_layout.h"
#include "linux/vfs_path.h"
#include "types/type_printer.h"

namespace kdive {

namespace {

struct VfsState {
  explicit VfsState(Program& p) : program(p), layout(p) {}
  Program& program;
  KernelLayout layout;
  std::optional<VfsLayout> vfs_;
  const VfsLayout& vfs() {
    if (!vfs_) vfs_ = VfsLayout::of(layout);
    return *vfs_;
  }
};

// The struct name an argument points to or is ("struct dentry"), and its address.
std::pair<std::string, uint64_t> struct_arg(const BuiltinContext& ctx, std::span<const Value> args, size_t i) {
  const Object& o = builtin_object_arg(ctx, args, i);
  QualifiedType u = o.underlying();
  if (u.type && u.type->kind() == TypeKind::Pointer) {
    QualifiedType target = underlying_type(u.type->target());
    return {type_name(QualifiedType{target.type, 0}), o.read().as_unsigned()};
  }
  if (u.type && u.type->is_compound() && o.is_reference()) return {type_name(QualifiedType{u.type, 0}), o.address()};
  return {"", builtin_address_arg(ctx, args, i)};
}

// A string argument: a string literal (char array value) or a char pointer / array in memory.
std::string string_arg(const BuiltinContext& ctx, std::span<const Value> args, size_t i) {
  const Object& o = builtin_object_arg(ctx, args, i);
  QualifiedType u = o.underlying();
  if (!u.type || (u.type->kind() != TypeKind::Array && u.type->kind() != TypeKind::Pointer))
    throw TypeError(fmt::format("{}() argument {} must be a string", ctx.name, i + 1));
  return o.read_c_string(4096);
}

Object char_array(Program& p, const std::string& s) {
  const ObjectEnv& env = p.object_env();
  std::vector<uint8_t> bytes(s.begin(), s.end());
  bytes.push_back(0);
  QualifiedType arr{env.types->array_of({env.prim.char_type, 0}, bytes.size())};
  return Object::from_bytes(env, arr, bytes.data(), bytes.size());
}

Object path_value(VfsState& st, const VfsPath& p) {
  QualifiedType t = st.program.find_type("struct path");
  const VfsLayout& lay = st.vfs();
  std::vector<uint8_t> bytes(st.layout.size_of("struct path"), 0);
  auto put = [&](uint64_t off, uint64_t v) {
    for (int b = 0; b < 8; ++b) bytes.at(off + b) = static_cast<uint8_t>(v >> (8 * b));
  };
  put(lay.path_mnt, p.mnt);
  put(lay.path_dentry, p.dentry);
  return Object::from_bytes(st.program.object_env(), t, bytes.data(), bytes.size());
}

// A struct path from an argument: a struct path (value, reference or pointer) or a
// struct file (its f_path).
VfsPath path_arg(VfsState& st, const BuiltinContext& ctx, std::span<const Value> args, size_t i) {
  const Object& o = builtin_object_arg(ctx, args, i);
  const VfsLayout& lay = st.vfs();
  QualifiedType u = o.underlying();
  if (o.is_value() && u.type && u.type->is_compound() && type_name(QualifiedType{u.type, 0}) == "struct path") {
    return {o.member("mnt").as_unsigned(), o.member("dentry").as_unsigned()};
  }
  auto [type, addr] = struct_arg(ctx, args, i);
  const MemoryReader& mem = st.program.memory();
  if (type == "struct path") return read_path(mem, lay, addr);
  if (type == "struct file") return read_path(mem, lay, addr + lay.f_path);
  throw TypeError(fmt::format("{}() argument {} must be a struct path or struct file, not '{}'", ctx.name, i + 1,
                              type.empty() ? "an integer" : type));
}

}  // namespace

void register_vfs_builtins(BuiltinRegistry& registry, Program& program) {
  if (!program.is_kernel()) return;
  auto st = std::make_shared<VfsState>(program);

  registry.add({"path_lookup", 1, 2, "path_lookup(path[, root])",
                "the struct path of a path in the dentry cache (from init's root, or root), across mounts",
                [st](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                  std::string path = string_arg(ctx, args, 0);
                  const VfsLayout& lay = st->vfs();
                  VfsPath root = args.size() > 1 ? path_arg(*st, ctx, args, 1) : init_fs_root(st->program, lay);
                  return path_value(*st, path_lookup(st->program.memory(), lay, root, path));
                }});
  registry.add({"d_path", 1, 2, "d_path(path | file | dentry | mnt, dentry)",
                "the full path of a struct path, a struct file, a vfsmount and dentry, or a dentry",
                [st](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                  const VfsLayout& lay = st->vfs();
                  const MemoryReader& mem = st->program.memory();
                  if (args.size() == 2) {
                    VfsPath p{struct_arg(ctx, args, 0).second, struct_arg(ctx, args, 1).second};
                    return char_array(st->program, d_path(mem, lay, p));
                  }
                  const Object& o = builtin_object_arg(ctx, args, 0);
                  auto [type, addr] = o.is_value() && o.underlying().type && o.underlying().type->is_compound()
                                          ? std::pair<std::string, uint64_t>{"", 0}
                                          : struct_arg(ctx, args, 0);
                  if (type == "struct dentry") {
                    VfsPath p = path_of_dentry(mem, lay, init_mount_namespace(st->program, lay), addr);
                    return char_array(st->program, d_path(mem, lay, p));
                  }
                  return char_array(st->program, d_path(mem, lay, path_arg(*st, ctx, args, 0)));
                }});
  registry.add({"dentry_path", 1, 1, "dentry_path(dentry)", "the path of a dentry within its own filesystem",
                [st](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                  uint64_t dentry = struct_arg(ctx, args, 0).second;
                  return char_array(st->program, dentry_path(st->program.memory(), st->vfs(), dentry));
                }});
}

}  // namespace kdive
