// The mounts of a mount namespace (init's by default), as crash's `mount` and drgn's
// for_each_mount() show them: the struct mount, its super_block, filesystem type
// (s_type->name, ".subtype" for FUSE-style subtypes), device name (mnt_devname) and
// the directory it is mounted on (d_path of its mount point in the parent mount).
// The namespace's mounts are a list (mnt_namespace.list / mount.mnt_list) or, on 6.8+,
// an rbtree (mnt_namespace.mounts / mount.mnt_node): chosen by presence (vfs_layout.h).
// Walks are bounded; the status reports a corrupted list.
//
//   VfsLayout lay = VfsLayout::of(layout);
//   WalkStatus st;
//   for (const MountInfo& m : list_mounts(program, lay, 0, &st)) fmt::print("{}\n", m.dir_name);
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "kdive/memory_reader.h"
#include "linux/vfs_layout.h"
#include "linux/vfs_path.h"
#include "linux/walk_status.h"

namespace kdive {

class Program;

struct MountInfo {
  uint64_t mount = 0;        // struct mount *
  uint64_t super_block = 0;  // struct super_block *
  uint64_t root = 0;         // mnt.mnt_root (struct dentry *)
  std::string fs_type;       // "ext4", "fuse.sshfs"
  std::string dev_name;      // mnt_devname
  std::string dir_name;      // where it is mounted, from the global root
  std::string error;         // a field that could not be read (the rest may be empty)
};

// init_task.nsproxy->mnt_ns: the initial mount namespace.
uint64_t init_mount_namespace(Program& program, const VfsLayout& lay);

// Every struct mount of the namespace `mnt_ns`, in the namespace's order.
WalkStatus for_each_mount(const MemoryReader& mem, const VfsLayout& lay, uint64_t mnt_ns,
                          const std::function<bool(uint64_t mount)>& visit, const WalkLimits& limits = {});

// One mount's fields (never throws for unreadable fields: sets `error`).
MountInfo mount_info(const MemoryReader& mem, const VfsLayout& lay, uint64_t mount);
// s_type->name of a super block, with ".s_subtype" appended when there is one.
std::string super_block_fs_type(const MemoryReader& mem, const VfsLayout& lay, uint64_t sb);

// The mounts of `mnt_ns` (0: init's namespace). `status` receives how the walk ended
// (a corrupted list stops it; without `status` the problem is thrown as BadDataError).
std::vector<MountInfo> list_mounts(Program& program, const VfsLayout& lay, uint64_t mnt_ns = 0,
                                   WalkStatus* status = nullptr);

// A path for a dentry known without its mount (drgn's d_path(dentry)): the first mount
// of `mnt_ns` on the dentry's super block whose root is the dentry or one of its
// ancestors. LookupError when no mount of the namespace shows the dentry.
VfsPath path_of_dentry(const MemoryReader& mem, const VfsLayout& lay, uint64_t mnt_ns, uint64_t dentry);

// crash's table: MOUNT SUPERBLK TYPE DEVNAME DIRNAME.
std::string format_mounts(const std::vector<MountInfo>& mounts);

}  // namespace kdive
