// The mount list of a namespace (mounts.h).
#include "linux/mounts.h"

#include <algorithm>

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/list_walk.h"
#include "linux/rbtree.h"
#include "linux/target_words.h"
#include "program/program.h"

namespace kdive {

namespace {

// A C string of at most `limit` bytes at `address`, read in small chunks so a short
// string near the end of a mapped page does not fault.
std::string read_c_string(const MemoryReader& mem, uint64_t address, size_t limit = 4096) {
  std::string out;
  char chunk[64];
  while (out.size() < limit) {
    uint64_t a = address + out.size();
    size_t n = std::min<uint64_t>(sizeof chunk, 64 - (a & 63));
    mem.read(a, chunk, n);
    for (size_t i = 0; i < n; ++i) {
      if (!chunk[i]) return out;
      out.push_back(chunk[i]);
    }
  }
  return out;
}

}  // namespace

uint64_t init_mount_namespace(Program& program, const VfsLayout& lay) {
  std::optional<Object> init = program.find_object("init_task");
  if (!init) throw LookupError("could not find 'init_task'");
  const MemoryReader& mem = program.memory();
  uint64_t nsproxy = read_u64(mem, init->address() + lay.task_nsproxy);
  if (!nsproxy) throw LookupError("init_task has no nsproxy");
  return read_u64(mem, nsproxy + lay.nsproxy_mnt_ns);
}

WalkStatus for_each_mount(const MemoryReader& mem, const VfsLayout& lay, uint64_t mnt_ns,
                          const std::function<bool(uint64_t)>& visit, const WalkLimits& limits) {
  if (lay.ns_rbtree)
    return walk_rbtree(mem, lay.rb, mnt_ns + lay.ns_mounts,
                       [&](uint64_t node) { return visit(node - lay.mnt_node); }, limits);
  return walk_list(mem, lay.list, mnt_ns + lay.ns_mounts,
                   [&](uint64_t node) { return visit(node - lay.mnt_list); }, limits);
}

std::string super_block_fs_type(const MemoryReader& mem, const VfsLayout& lay, uint64_t sb) {
  uint64_t type = read_u64(mem, sb + lay.s_type);
  std::string name = type ? read_c_string(mem, read_u64(mem, type + lay.fst_name)) : "";
  if (lay.has_subtype) {
    uint64_t sub = read_u64(mem, sb + lay.s_subtype);
    if (sub) {
      std::string s = read_c_string(mem, sub);
      if (!s.empty()) name += "." + s;
    }
  }
  return name;
}

MountInfo mount_info(const MemoryReader& mem, const VfsLayout& lay, uint64_t mount) {
  MountInfo m;
  m.mount = mount;
  try {
    uint64_t vfs = vfsmount_of(lay, mount);
    m.super_block = read_u64(mem, vfs + lay.vfs_sb);
    m.root = read_u64(mem, vfs + lay.vfs_root);
    if (uint64_t dev = read_u64(mem, mount + lay.mnt_devname)) m.dev_name = read_c_string(mem, dev);
    m.fs_type = super_block_fs_type(mem, lay, m.super_block);
    uint64_t parent = read_u64(mem, mount + lay.mnt_parent);
    m.dir_name = d_path(mem, lay, {vfsmount_of(lay, parent), read_u64(mem, mount + lay.mnt_mountpoint)});
  } catch (const FaultError& e) {
    m.error = e.what();
  } catch (const BadDataError& e) {
    m.error = e.what();
  }
  return m;
}

std::vector<MountInfo> list_mounts(Program& program, const VfsLayout& lay, uint64_t mnt_ns, WalkStatus* status) {
  if (!mnt_ns) mnt_ns = init_mount_namespace(program, lay);
  const MemoryReader& mem = program.memory();
  std::vector<MountInfo> out;
  WalkStatus st;
  try {
    st = for_each_mount(mem, lay, mnt_ns, [&](uint64_t mount) {
      out.push_back(mount_info(mem, lay, mount));
      return true;
    });
  } catch (const FaultError& e) {
    st.problem = fmt::format("mount namespace {:#x}: {}", mnt_ns, e.what());
    st.problem_address = e.address();
  }
  if (status) *status = st;
  else st.throw_if_problem();
  return out;
}

VfsPath path_of_dentry(const MemoryReader& mem, const VfsLayout& lay, uint64_t mnt_ns, uint64_t dentry) {
  uint64_t sb = read_u64(mem, dentry + lay.d_sb);
  // The dentry's ancestors within its filesystem, itself first.
  std::vector<uint64_t> chain{dentry};
  for (uint64_t d = dentry; chain.size() <= kMaxPathComponents;) {
    uint64_t parent = read_u64(mem, d + lay.d_parent);
    if (parent == d || parent == 0) break;
    chain.push_back(parent);
    d = parent;
  }
  VfsPath found;
  WalkStatus st = for_each_mount(mem, lay, mnt_ns, [&](uint64_t mount) {
    uint64_t vfs = vfsmount_of(lay, mount);
    if (read_u64(mem, vfs + lay.vfs_sb) != sb) return true;
    uint64_t root = read_u64(mem, vfs + lay.vfs_root);
    if (std::find(chain.begin(), chain.end(), root) == chain.end()) return true;
    found = {vfs, dentry};
    return false;
  });
  if (!found.mnt) {
    if (!st.ok()) throw BadDataError(st.message());
    throw LookupError(fmt::format("dentry {:#x} is not under any mount of namespace {:#x}", dentry, mnt_ns));
  }
  return found;
}

std::string format_mounts(const std::vector<MountInfo>& mounts) {
  size_t wt = 4, wd = 7;
  for (const MountInfo& m : mounts) {
    wt = std::max(wt, m.fs_type.size());
    wd = std::max(wd, m.dev_name.size());
  }
  std::string out = fmt::format("{:^16} {:^16} {:<{}} {:<{}} {}\n", "MOUNT", "SUPERBLK", "TYPE", wt, "DEVNAME", wd,
                                "DIRNAME");
  for (const MountInfo& m : mounts) {
    out += fmt::format("{:016x} {:016x} {:<{}} {:<{}} {}", m.mount, m.super_block, m.fs_type, wt, m.dev_name, wd,
                       m.dir_name);
    if (!m.error.empty()) out += fmt::format("  <{}>", m.error);
    out += "\n";
  }
  return out;
}

}  // namespace kdive
