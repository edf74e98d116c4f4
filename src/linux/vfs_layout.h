// VfsLayout: where the VFS keeps what path lookup, d_path, the mount list, the page
// cache and open files need — member offsets of dentry, qstr, inode, mount, vfsmount,
// super_block, mnt_namespace, file, fs_struct, the fd table and struct page's file
// index — taken from DWARF and chosen by presence where kernels differ (DESIGN §2.1):
//   dentry children: d_subdirs/d_child list_heads (up to 6.7) or d_children/d_sib
//                    hlists (6.8+);
//   namespace mounts: mnt_namespace.list + mount.mnt_list (up to 6.7) or the
//                    mnt_namespace.mounts rbtree + mount.mnt_node (6.8+).
// A plain struct so that unit tests can describe crafted dentries and mounts.
//
//   VfsLayout lay = VfsLayout::of(layout);
//   uint64_t parent = read_u64(mem, dentry + lay.d_parent);
#pragma once

#include <cstdint>

#include "linux/list_walk.h"
#include "linux/rbtree.h"

namespace kdive {

class KernelLayout;

struct VfsLayout {
  // struct dentry
  uint64_t d_parent = 0, d_name = 0, d_inode = 0, d_sb = 0;
  uint64_t qstr_len = 0, qstr_name = 0;  // in struct qstr
  bool hlist_children = false;           // d_children/d_sib instead of d_subdirs/d_child
  uint64_t d_children = 0;               // d_subdirs (list_head) or d_children (hlist_head)
  uint64_t d_sibling = 0;                // d_child (list_head) or d_sib (hlist_node)
  // struct inode
  uint64_t i_mode = 0, i_size = 0, i_ino = 0, i_mapping = 0, i_sb = 0;
  uint64_t a_pages = 0;  // address_space.i_pages (an xarray)
  uint64_t page_index = 0;  // struct page.index (__folio_index since 6.x): a cached page's index in its file
  // struct mount and the struct vfsmount embedded in it
  uint64_t mnt = 0;  // offsetof(struct mount, mnt)
  uint64_t mnt_parent = 0, mnt_mountpoint = 0, mnt_mounts = 0, mnt_child = 0, mnt_devname = 0;
  uint64_t mnt_list = 0;           // mount.mnt_list (namespace list kernels)
  uint64_t mnt_node = 0;           // mount.mnt_node (namespace rbtree kernels)
  uint64_t vfs_root = 0, vfs_sb = 0;  // vfsmount.mnt_root, mnt_sb
  // struct super_block, struct file_system_type
  uint64_t s_type = 0, s_subtype = 0, s_id = 0, s_id_size = 32, fst_name = 0;
  bool has_subtype = false;
  // struct mnt_namespace
  bool ns_rbtree = false;  // mounts (rb_root) instead of list
  uint64_t ns_mounts = 0;  // offset of list or mounts
  // struct path
  uint64_t path_mnt = 0, path_dentry = 8;
  // struct file
  uint64_t f_path = 0, f_inode = 0, f_pos = 0;
  // struct fs_struct
  uint64_t fs_root = 0, fs_pwd = 0;
  // task_struct.fs, files, nsproxy; nsproxy.mnt_ns
  uint64_t task_fs = 0, task_files = 0, task_nsproxy = 0, nsproxy_mnt_ns = 0;
  // files_struct.fdt; fdtable.max_fds, fd
  uint64_t files_fdt = 0, fdt_max_fds = 0, fdt_fd = 0;

  ListLayout list;
  HlistLayout hlist;
  RbLayout rb;

  // LookupError naming the first member the debug info lacks.
  static VfsLayout of(KernelLayout& layout);
};

// S_IFMT and the file-type bits of i_mode: POSIX <sys/stat.h> values, part of the
// kernel's user ABI (stat(2)), so not in DWARF as constants.
inline constexpr uint32_t kModeTypeMask = 0170000;
inline constexpr uint32_t kModeSocket = 0140000, kModeSymlink = 0120000, kModeRegular = 0100000,
                          kModeBlock = 0060000, kModeDirectory = 0040000, kModeChar = 0020000,
                          kModeFifo = 0010000;

}  // namespace kdive
