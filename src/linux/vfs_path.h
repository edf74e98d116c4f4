// Paths in the dentry cache: path_lookup (a path string → the mount and dentry it
// names, crossing mount points, with "." and ".."), d_path (a mount and dentry → the
// full path string across mounts, as drgn's d_path() builds it: dentry names up to
// each mount's root, then on through the mount point in the parent mount) and
// dentry_path (up to the root of the dentry's own filesystem). Only dentries in the
// cache can be found: this is a dump, there is no filesystem to ask. Symbolic links are
// not followed (a link in the middle of a path is an error that says so; a link at the
// end is returned itself, as lstat() would). Every walk is bounded: a child list by
// WalkLimits and its back-link checks, a parent chain by kMaxPathComponents, stacked
// mounts by kMaxStackedMounts.
//
//   VfsLayout lay = VfsLayout::of(layout);
//   VfsPath p = path_lookup(mem, lay, init_fs_root(program, lay), "/data/known.txt");
//   std::string s = d_path(mem, lay, p);      // "/data/known.txt"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "kdive/memory_reader.h"
#include "linux/vfs_layout.h"
#include "linux/walk_status.h"

namespace kdive {

class Program;

// A struct path: the struct vfsmount * and struct dentry *.
struct VfsPath {
  uint64_t mnt = 0;     // struct vfsmount * (inside a struct mount, at VfsLayout::mnt)
  uint64_t dentry = 0;  // struct dentry *
  bool operator==(const VfsPath&) const = default;
};

inline constexpr uint64_t kMaxPathComponents = 4096;  // PATH_MAX / 1: no real path is deeper
inline constexpr uint64_t kMaxStackedMounts = 1024;
inline constexpr uint64_t kMaxNameLength = 4096;

// The struct mount containing the vfsmount at `vfsmount`, and back.
inline uint64_t real_mount(const VfsLayout& lay, uint64_t vfsmount) { return vfsmount - lay.mnt; }
inline uint64_t vfsmount_of(const VfsLayout& lay, uint64_t mount) { return mount + lay.mnt; }

// d_name of a dentry (BadDataError when longer than kMaxNameLength).
std::string dentry_name(const MemoryReader& mem, const VfsLayout& lay, uint64_t dentry);
// The inode of a dentry (0 for a negative dentry).
uint64_t dentry_inode(const MemoryReader& mem, const VfsLayout& lay, uint64_t dentry);

// The path of `p` from the global root, across mounts ("/" for the root itself).
// BadDataError when the parent chain does not end within kMaxPathComponents.
std::string d_path(const MemoryReader& mem, const VfsLayout& lay, const VfsPath& p);
// The path of `dentry` from the root of its own filesystem (no mount crossing).
std::string dentry_path(const MemoryReader& mem, const VfsLayout& lay, uint64_t dentry);

// Looks `path` up from `root` (relative paths too: from `root`), following mounts.
// LookupError "could not find '/data/x' in the dentry cache" naming the path up to the
// missing component; LookupError for a symlink or non-directory in the middle;
// BadDataError when a child list is corrupt before the name was found.
VfsPath path_lookup(const MemoryReader& mem, const VfsLayout& lay, const VfsPath& root, std::string_view path,
                    const WalkLimits& limits = {});

// The mount mounted on `dentry` inside the mount `mount` (a struct mount *), the last
// one when several are stacked; 0 when none.
uint64_t mounted_on(const MemoryReader& mem, const VfsLayout& lay, uint64_t mount, uint64_t dentry,
                    const WalkLimits& limits = {});

// init_task.fs->root: the root path lookups start from (as drgn's path_lookup(prog, ...)).
VfsPath init_fs_root(Program& program, const VfsLayout& lay);
// A task's fs->root / fs->pwd. LookupError when the task has no fs (an exiting task).
VfsPath task_fs_root(const MemoryReader& mem, const VfsLayout& lay, uint64_t task);
VfsPath task_fs_pwd(const MemoryReader& mem, const VfsLayout& lay, uint64_t task);
// The struct path at `address`.
VfsPath read_path(const MemoryReader& mem, const VfsLayout& lay, uint64_t address);

}  // namespace kdive
