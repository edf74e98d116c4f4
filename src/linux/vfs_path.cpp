// path_lookup, d_path and dentry_path over the dentry cache (vfs_path.h).
#include "linux/vfs_path.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/list_walk.h"
#include "linux/target_words.h"
#include "program/program.h"

namespace kdive {

std::string dentry_name(const MemoryReader& mem, const VfsLayout& lay, uint64_t dentry) {
  uint64_t qstr = dentry + lay.d_name;
  uint32_t len = read_u32(mem, qstr + lay.qstr_len);
  if (len > kMaxNameLength)
    throw BadDataError(fmt::format("dentry {:#x}: name length {} is beyond {}", dentry, len, kMaxNameLength));
  uint64_t name = read_u64(mem, qstr + lay.qstr_name);
  std::string out(len, '\0');
  if (len) mem.read(name, out.data(), len);
  return out;
}

uint64_t dentry_inode(const MemoryReader& mem, const VfsLayout& lay, uint64_t dentry) {
  return read_u64(mem, dentry + lay.d_inode);
}

namespace {

std::string join_reversed(const std::vector<std::string>& names) {
  std::string out;
  for (auto it = names.rbegin(); it != names.rend(); ++it) out += "/" + *it;
  return out.empty() ? "/" : out;
}

[[noreturn]] void too_deep(uint64_t dentry) {
  throw BadDataError(fmt::format("dentry {:#x}: no root within {} parents (a cycle in d_parent or mnt_parent?)",
                                 dentry, kMaxPathComponents));
}

}  // namespace

std::string d_path(const MemoryReader& mem, const VfsLayout& lay, const VfsPath& p) {
  std::vector<std::string> names;
  uint64_t mount = real_mount(lay, p.mnt), dentry = p.dentry;
  for (uint64_t steps = 0;; ++steps) {
    if (steps > kMaxPathComponents) too_deep(p.dentry);
    if (dentry == read_u64(mem, vfsmount_of(lay, mount) + lay.vfs_root)) {
      uint64_t parent = read_u64(mem, mount + lay.mnt_parent);
      if (parent == mount || parent == 0) break;
      dentry = read_u64(mem, mount + lay.mnt_mountpoint);
      mount = parent;
      continue;
    }
    uint64_t parent = read_u64(mem, dentry + lay.d_parent);
    if (parent == dentry || parent == 0) break;
    names.push_back(dentry_name(mem, lay, dentry));
    dentry = parent;
  }
  return join_reversed(names);
}

std::string dentry_path(const MemoryReader& mem, const VfsLayout& lay, uint64_t dentry) {
  std::vector<std::string> names;
  for (uint64_t d = dentry, steps = 0;; ++steps) {
    if (steps > kMaxPathComponents) too_deep(dentry);
    uint64_t parent = read_u64(mem, d + lay.d_parent);
    if (parent == d || parent == 0) break;
    names.push_back(dentry_name(mem, lay, d));
    d = parent;
  }
  return join_reversed(names);
}

uint64_t mounted_on(const MemoryReader& mem, const VfsLayout& lay, uint64_t mount, uint64_t dentry,
                    const WalkLimits& limits) {
  uint64_t found = 0;
  WalkStatus st = walk_list(mem, lay.list, mount + lay.mnt_mounts, [&](uint64_t node) {
    uint64_t child = node - lay.mnt_child;
    if (read_u64(mem, child + lay.mnt_mountpoint) == dentry) found = child;
    return true;
  }, limits);
  if (!st.ok() && !found) throw BadDataError(fmt::format("mounts under {:#x}: {}", mount, st.message()));
  return found;
}

namespace {

// The child of `dir` named `name`; a positive dentry is preferred over a negative one
// (a name can have an unhashed negative dentry beside the live one). 0 when none.
uint64_t find_child(const MemoryReader& mem, const VfsLayout& lay, uint64_t dir, std::string_view name,
                    const WalkLimits& limits) {
  uint64_t positive = 0, negative = 0;
  std::string buf;
  auto visit = [&](uint64_t node) {
    uint64_t child = node - lay.d_sibling;
    uint64_t qstr = child + lay.d_name;
    uint32_t len = read_u32(mem, qstr + lay.qstr_len);
    if (len != name.size()) return true;
    buf.resize(len);
    if (len) mem.read(read_u64(mem, qstr + lay.qstr_name), buf.data(), len);
    if (buf != name) return true;
    if (dentry_inode(mem, lay, child)) {
      positive = child;
      return false;
    }
    if (!negative) negative = child;
    return true;
  };
  uint64_t head = dir + lay.d_children;
  WalkStatus st = lay.hlist_children ? walk_hlist(mem, lay.hlist, head, visit, limits)
                                     : walk_list(mem, lay.list, head, visit, limits);
  if (!st.ok() && !positive)
    throw BadDataError(fmt::format("children of dentry {:#x}: {}", dir, st.message()));
  return positive ? positive : negative;
}

// Follows the mounts stacked on `p.dentry`: the root of the topmost one.
VfsPath follow_mounts(const MemoryReader& mem, const VfsLayout& lay, VfsPath p, const WalkLimits& limits) {
  for (uint64_t n = 0; n < kMaxStackedMounts; ++n) {
    uint64_t child = mounted_on(mem, lay, real_mount(lay, p.mnt), p.dentry, limits);
    if (!child) return p;
    p = {vfsmount_of(lay, child), read_u64(mem, vfsmount_of(lay, child) + lay.vfs_root)};
  }
  throw BadDataError(fmt::format("dentry {:#x}: more than {} mounts stacked on it", p.dentry, kMaxStackedMounts));
}

uint32_t inode_mode(const MemoryReader& mem, const VfsLayout& lay, uint64_t inode) {
  return read_u16(mem, inode + lay.i_mode);
}

}  // namespace

VfsPath path_lookup(const MemoryReader& mem, const VfsLayout& lay, const VfsPath& root, std::string_view path,
                    const WalkLimits& limits) {
  const VfsPath top = follow_mounts(mem, lay, root, limits);
  VfsPath cur = top;
  std::string so_far;
  size_t pos = 0;
  uint64_t components = 0;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view comp = path.substr(pos, end - pos);
    pos = end + 1;
    if (comp.empty() || comp == ".") continue;
    if (++components > kMaxPathComponents) throw LookupError(fmt::format("path_lookup(): path too long"));
    so_far += "/";
    so_far += comp;
    if (comp == "..") {
      for (uint64_t steps = 0;; ++steps) {
        if (steps > kMaxStackedMounts) too_deep(cur.dentry);
        if (cur == root || cur == top) break;
        uint64_t mount = real_mount(lay, cur.mnt);
        if (cur.dentry != read_u64(mem, cur.mnt + lay.vfs_root)) {
          cur.dentry = read_u64(mem, cur.dentry + lay.d_parent);
          break;
        }
        uint64_t parent = read_u64(mem, mount + lay.mnt_parent);
        if (parent == mount || parent == 0) break;
        cur = {vfsmount_of(lay, parent), read_u64(mem, mount + lay.mnt_mountpoint)};
      }
      continue;
    }
    uint64_t inode = dentry_inode(mem, lay, cur.dentry);
    uint32_t mode = inode ? inode_mode(mem, lay, inode) : 0;
    if ((mode & kModeTypeMask) == kModeSymlink)
      throw LookupError(fmt::format("path_lookup(): '{}' is a symbolic link: links are not followed",
                                    so_far.substr(0, so_far.size() - comp.size() - 1)));
    if (!inode || (mode & kModeTypeMask) != kModeDirectory)
      throw LookupError(fmt::format("path_lookup(): '{}' is not a directory",
                                    so_far.substr(0, so_far.size() - comp.size() - 1)));
    uint64_t child = find_child(mem, lay, cur.dentry, comp, limits);
    if (!child || !dentry_inode(mem, lay, child))
      throw LookupError(fmt::format("could not find '{}' in the dentry cache", so_far));
    cur = follow_mounts(mem, lay, {cur.mnt, child}, limits);
  }
  return cur;
}

VfsPath read_path(const MemoryReader& mem, const VfsLayout& lay, uint64_t address) {
  return {read_u64(mem, address + lay.path_mnt), read_u64(mem, address + lay.path_dentry)};
}

namespace {

uint64_t task_fs(const MemoryReader& mem, const VfsLayout& lay, uint64_t task) {
  uint64_t fs = read_u64(mem, task + lay.task_fs);
  if (!fs) throw LookupError(fmt::format("task {:#x} has no fs_struct", task));
  return fs;
}

}  // namespace

VfsPath task_fs_root(const MemoryReader& mem, const VfsLayout& lay, uint64_t task) {
  return read_path(mem, lay, task_fs(mem, lay, task) + lay.fs_root);
}

VfsPath task_fs_pwd(const MemoryReader& mem, const VfsLayout& lay, uint64_t task) {
  return read_path(mem, lay, task_fs(mem, lay, task) + lay.fs_pwd);
}

VfsPath init_fs_root(Program& program, const VfsLayout& lay) {
  std::optional<Object> init = program.find_object("init_task");
  if (!init) throw LookupError("could not find 'init_task'");
  return task_fs_root(program.memory(), lay, init->address());
}

}  // namespace kdive
