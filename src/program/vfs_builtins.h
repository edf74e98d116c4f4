// The expression built-ins for the VFS (src/linux/vfs_path.h, mounts.h), registered
// for kernel dumps only:
//   path_lookup(path[, root])  (struct path) of a path string in the dentry cache,
//                              from init's root or from `root` (a struct path)
//   d_path(path)               (char [N]) the full path of a struct path / struct file
//   d_path(mnt, dentry)        ... of a vfsmount and dentry
//   d_path(dentry)             ... of a dentry, through the first mount of init's
//                              namespace that shows it (as newer drgn's d_path(dentry))
//   dentry_path(dentry)        (char [N]) the path within the dentry's own filesystem
// Arguments naming a struct (init_task.fs->root) are taken by address, like pointers.
//
//   BuiltinRegistry reg;  register_vfs_builtins(reg, *prog);
//   evaluator.evaluate("path_lookup(\"/init\").dentry->d_inode->i_size");
#pragma once

#include "lang/builtin_registry.h"
#include "program/program.h"

namespace kdive {

void register_vfs_builtins(BuiltinRegistry& registry, Program& program);

}  // namespace kdive
