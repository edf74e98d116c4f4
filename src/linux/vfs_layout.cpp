// VfsLayout from DWARF (vfs_layout.h).
#include "linux/vfs_layout.h"

#include "linux/kernel_layout.h"

namespace kdive {

VfsLayout VfsLayout::of(KernelLayout& k) {
  VfsLayout v;
  const char* d = "struct dentry";
  v.d_parent = k.offset(d, "d_parent");
  v.d_name = k.offset(d, "d_name");
  v.d_inode = k.offset(d, "d_inode");
  v.d_sb = k.offset(d, "d_sb");
  v.qstr_len = k.offset("struct qstr", "len");
  v.qstr_name = k.offset("struct qstr", "name");
  if (auto children = k.find_offset(d, "d_subdirs")) {
    v.d_children = *children;
    v.d_sibling = k.offset(d, "d_child");
  } else {
    v.hlist_children = true;
    v.d_children = k.offset(d, "d_children");
    v.d_sibling = k.offset(d, "d_sib");
  }
  const char* i = "struct inode";
  v.i_mode = k.offset(i, "i_mode");
  v.i_size = k.offset(i, "i_size");
  v.i_ino = k.offset(i, "i_ino");
  v.i_mapping = k.offset(i, "i_mapping");
  v.i_sb = k.offset(i, "i_sb");
  v.a_pages = k.offset("struct address_space", "i_pages");
  // page->index is __folio_index since "mm: rename page->index to page->__folio_index".
  v.page_index = k.first_offset("struct page", {"index", "__folio_index"});

  const char* m = "struct mount";
  v.mnt = k.offset(m, "mnt");
  v.mnt_parent = k.offset(m, "mnt_parent");
  v.mnt_mountpoint = k.offset(m, "mnt_mountpoint");
  v.mnt_mounts = k.offset(m, "mnt_mounts");
  v.mnt_child = k.offset(m, "mnt_child");
  v.mnt_devname = k.offset(m, "mnt_devname");
  v.vfs_root = k.offset("struct vfsmount", "mnt_root");
  v.vfs_sb = k.offset("struct vfsmount", "mnt_sb");
  if (auto list = k.find_offset("struct mnt_namespace", "list")) {
    v.ns_mounts = *list;
    v.mnt_list = k.offset(m, "mnt_list");
  } else {
    v.ns_rbtree = true;
    v.ns_mounts = k.offset("struct mnt_namespace", "mounts");
    v.mnt_node = k.offset(m, "mnt_node");
  }
  const char* sb = "struct super_block";
  v.s_type = k.offset(sb, "s_type");
  v.s_id = k.offset(sb, "s_id");
  v.s_id_size = k.member_size(sb, "s_id");
  if (auto sub = k.find_offset(sb, "s_subtype")) {
    v.has_subtype = true;
    v.s_subtype = *sub;
  }
  v.fst_name = k.offset("struct file_system_type", "name");

  v.path_mnt = k.offset("struct path", "mnt");
  v.path_dentry = k.offset("struct path", "dentry");
  v.f_path = k.offset("struct file", "f_path");
  v.f_inode = k.offset("struct file", "f_inode");
  v.f_pos = k.offset("struct file", "f_pos");
  v.fs_root = k.offset("struct fs_struct", "root");
  v.fs_pwd = k.offset("struct fs_struct", "pwd");
  v.task_fs = k.offset("struct task_struct", "fs");
  v.task_files = k.offset("struct task_struct", "files");
  v.task_nsproxy = k.offset("struct task_struct", "nsproxy");
  v.nsproxy_mnt_ns = k.offset("struct nsproxy", "mnt_ns");
  v.files_fdt = k.offset("struct files_struct", "fdt");
  v.fdt_max_fds = k.offset("struct fdtable", "max_fds");
  v.fdt_fd = k.offset("struct fdtable", "fd");

  v.list = ListLayout::of(k);
  v.hlist = HlistLayout::of(k);
  v.rb = RbLayout::of(k);
  return v;
}

}  // namespace kdive
