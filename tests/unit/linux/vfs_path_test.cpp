// path_lookup, d_path, the page-cache reader and the fd table over a crafted
// filesystem in a byte buffer: mount crossings, "." and "..", negative dentries,
// symlinks, and corrupted data (a child list with a garbage pointer, a d_parent cycle,
// a mnt_parent cycle, a negative i_size, an absurd max_fds) that must stop with an
// error, never hang.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/file_page_cache.h"
#include "linux/memory_model.h"
#include "linux/target_words.h"
#include "linux/task_files.h"
#include "linux/vfs_layout.h"
#include "linux/vfs_path.h"
#include "unit/linux/byte_buffer_memory.h"

namespace kdive {
namespace {

using testing::ByteBufferMemory;

// The crafted layout: dentries, inodes and mounts of 0x100 bytes each.
VfsLayout test_layout() {
  VfsLayout v;
  v.d_parent = 0x00;
  v.d_name = 0x08;  // qstr: len at +0, name at +8
  v.qstr_len = 0;
  v.qstr_name = 8;
  v.d_inode = 0x18;
  v.d_sb = 0x20;
  v.d_children = 0x30;
  v.d_sibling = 0x40;
  v.i_mode = 0x00;
  v.i_size = 0x08;
  v.i_mapping = 0x10;
  v.a_pages = 0x00;
  v.mnt_parent = 0x00;
  v.mnt_mountpoint = 0x08;
  v.mnt = 0x10;  // vfsmount: mnt_root at +0, mnt_sb at +8
  v.vfs_root = 0;
  v.vfs_sb = 8;
  v.mnt_mounts = 0x30;
  v.mnt_child = 0x40;
  v.mnt_devname = 0x50;
  v.mnt_list = 0x60;
  v.path_mnt = 0;
  v.path_dentry = 8;
  v.f_path = 0x10;
  v.f_inode = 0x20;
  v.task_fs = 0x00;
  v.task_files = 0x08;
  v.fs_root = 0x00;
  v.fs_pwd = 0x10;
  v.files_fdt = 0x00;
  v.fdt_max_fds = 0x00;
  v.fdt_fd = 0x08;
  return v;
}

constexpr uint64_t kArena = 0x100000;

struct FakeFs {
  ByteBufferMemory mem;
  VfsLayout lay = test_layout();
  uint64_t next = kArena;
  FakeFs() { mem.map(kArena, 0x100000); }

  uint64_t alloc() {
    uint64_t a = next;
    next += 0x100;
    return a;
  }
  void list_init(uint64_t head) {
    mem.put64(head, head);
    mem.put64(head + 8, head);
  }
  void list_add_tail(uint64_t node, uint64_t head) {
    uint64_t prev = read(head + 8);
    mem.put64(node, head);
    mem.put64(node + 8, prev);
    mem.put64(prev, node);
    mem.put64(head + 8, node);
  }
  uint64_t read(uint64_t a) const { return read_u64(mem, a); }
  // A dentry named `name` under `parent` (0: a root) with an inode of `mode` (0: negative).
  uint64_t dentry(uint64_t parent, const std::string& name, uint32_t mode, int64_t size = 0) {
    uint64_t d = alloc();
    mem.put64(d + lay.d_parent, parent ? parent : d);
    mem.put64(d + lay.d_name + lay.qstr_len, name.size());
    mem.write(d + 0x80, name.data(), name.size());
    mem.put64(d + lay.d_name + lay.qstr_name, d + 0x80);
    if (mode) {
      uint64_t inode = alloc();
      mem.put64(inode + lay.i_mode, mode);
      mem.put64(inode + lay.i_size, static_cast<uint64_t>(size));
      mem.put64(inode + lay.i_mapping, inode + 0x80);  // address_space inside the inode's block
      mem.put64(d + lay.d_inode, inode);
    }
    list_init(d + lay.d_children);
    if (parent) list_add_tail(d + lay.d_sibling, parent + lay.d_children);
    return d;
  }
  uint64_t dir(uint64_t parent, const std::string& name) { return dentry(parent, name, kModeDirectory | 0755); }
  // A mount of the filesystem rooted at `root` on `mountpoint` in `parent` (0: the root mount).
  uint64_t mount(uint64_t parent, uint64_t mountpoint, uint64_t root) {
    uint64_t m = alloc();
    mem.put64(m + lay.mnt_parent, parent ? parent : m);
    mem.put64(m + lay.mnt_mountpoint, mountpoint ? mountpoint : root);
    mem.put64(m + lay.mnt + lay.vfs_root, root);
    list_init(m + lay.mnt_mounts);
    if (parent) list_add_tail(m + lay.mnt_child, parent + lay.mnt_mounts);
    return m;
  }
  VfsPath path(uint64_t mount, uint64_t dentry) const { return {vfsmount_of(lay, mount), dentry}; }
};

// / (rootfs) with /data/known.txt, /init, a symlink /bin, a negative /gone, and /proc
// with a second filesystem mounted on it holding /proc/self/status.
struct Tree : FakeFs {
  uint64_t root, data, known, init, bin, gone, proc, proc_root, self, status, m_root, m_proc;
  Tree() {
    root = dir(0, "/");
    data = dir(root, "data");
    known = dentry(data, "known.txt", kModeRegular | 0644, 5000);
    init = dentry(root, "init", kModeRegular | 0755);
    bin = dentry(root, "bin", kModeSymlink | 0777);
    gone = dentry(root, "gone", 0);
    proc = dir(root, "proc");
    proc_root = dir(0, "/");
    self = dir(proc_root, "self");
    status = dentry(self, "status", kModeRegular | 0444);
    m_root = mount(0, 0, root);
    m_proc = mount(m_root, proc, proc_root);
  }
  VfsPath top() const { return path(m_root, root); }
};

TEST(VfsPath, LookupAndDPathAcrossMounts) {
  Tree t;
  VfsPath k = path_lookup(t.mem, t.lay, t.top(), "/data/known.txt");
  EXPECT_EQ(k, t.path(t.m_root, t.known));
  EXPECT_EQ(d_path(t.mem, t.lay, k), "/data/known.txt");
  VfsPath s = path_lookup(t.mem, t.lay, t.top(), "/proc/self/status");
  EXPECT_EQ(s, t.path(t.m_proc, t.status));
  EXPECT_EQ(d_path(t.mem, t.lay, s), "/proc/self/status");
  EXPECT_EQ(dentry_path(t.mem, t.lay, t.status), "/self/status");
  // The mount point itself resolves to the mounted filesystem's root.
  EXPECT_EQ(path_lookup(t.mem, t.lay, t.top(), "/proc"), t.path(t.m_proc, t.proc_root));
  EXPECT_EQ(d_path(t.mem, t.lay, t.path(t.m_proc, t.proc_root)), "/proc");
  EXPECT_EQ(mounted_on(t.mem, t.lay, t.m_root, t.proc), t.m_proc);
  EXPECT_EQ(mounted_on(t.mem, t.lay, t.m_root, t.data), 0u);
  EXPECT_EQ(d_path(t.mem, t.lay, t.top()), "/");
  EXPECT_EQ(dentry_name(t.mem, t.lay, t.known), "known.txt");
}

TEST(VfsPath, DotDotCrossesBackAndStopsAtRoot) {
  Tree t;
  EXPECT_EQ(path_lookup(t.mem, t.lay, t.top(), "/proc/self/../.."), t.top());
  EXPECT_EQ(path_lookup(t.mem, t.lay, t.top(), "/proc/.."), t.top());
  EXPECT_EQ(path_lookup(t.mem, t.lay, t.top(), "/../../data/./known.txt"), t.path(t.m_root, t.known));
  EXPECT_EQ(path_lookup(t.mem, t.lay, t.top(), "proc/self/../self/status"), t.path(t.m_proc, t.status));
  // Relative to a directory; ".." stops at the given root.
  VfsPath data = t.path(t.m_root, t.data);
  EXPECT_EQ(path_lookup(t.mem, t.lay, data, "known.txt"), t.path(t.m_root, t.known));
  EXPECT_EQ(path_lookup(t.mem, t.lay, data, ".."), data);
  EXPECT_EQ(path_lookup(t.mem, t.lay, t.top(), ""), t.top());
}

TEST(VfsPath, ErrorsNameTheComponent) {
  Tree t;
  auto message = [&](const std::string& p) -> std::string {
    try {
      path_lookup(t.mem, t.lay, t.top(), p);
    } catch (const LookupError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(message("/data/nope/x"), "could not find '/data/nope' in the dentry cache");
  EXPECT_EQ(message("/gone"), "could not find '/gone' in the dentry cache");  // negative dentry
  EXPECT_EQ(message("/init/x"), "path_lookup(): '/init' is not a directory");
  EXPECT_EQ(message("/bin/sh"), "path_lookup(): '/bin' is a symbolic link: links are not followed");
  // A link at the end is the link itself.
  EXPECT_EQ(path_lookup(t.mem, t.lay, t.top(), "/bin"), t.path(t.m_root, t.bin));
}

TEST(VfsPath, PositiveDentryPreferredOverNegative) {
  Tree t;
  uint64_t neg = t.dentry(t.data, "twice", 0);
  uint64_t pos = t.dentry(t.data, "twice", kModeRegular | 0644);
  (void)neg;
  EXPECT_EQ(path_lookup(t.mem, t.lay, t.top(), "/data/twice").dentry, pos);
}

TEST(VfsPath, StackedMountsFollowTheTopmost) {
  Tree t;
  uint64_t second_root = t.dir(0, "/");
  t.dentry(second_root, "only-here", kModeRegular | 0644);
  uint64_t m2 = t.mount(t.m_proc, t.proc_root, second_root);  // mounted over /proc again
  EXPECT_EQ(path_lookup(t.mem, t.lay, t.top(), "/proc"), t.path(m2, second_root));
  EXPECT_EQ(d_path(t.mem, t.lay, path_lookup(t.mem, t.lay, t.top(), "/proc/only-here")), "/proc/only-here");
  EXPECT_THROW(path_lookup(t.mem, t.lay, t.top(), "/proc/self"), LookupError);
}

TEST(VfsPath, CorruptChildListStopsWithError) {
  Tree t;
  // The last child of / now points at unmapped memory instead of back to the head.
  t.mem.put64(t.proc + t.lay.d_sibling, 0xdead0000);
  // Names before the break are still found.
  EXPECT_EQ(path_lookup(t.mem, t.lay, t.top(), "/data/known.txt").dentry, t.known);
  EXPECT_THROW(path_lookup(t.mem, t.lay, t.top(), "/nothere"), BadDataError);
  // A cycle that skips the head: the back-link check stops it.
  Tree c;
  c.mem.put64(c.proc + c.lay.d_sibling, c.data + c.lay.d_sibling);
  EXPECT_THROW(path_lookup(c.mem, c.lay, c.top(), "/nothere"), BadDataError);
}

TEST(VfsPath, ParentCyclesAreBounded) {
  Tree t;
  // data <-> known: d_parent never reaches a root.
  t.mem.put64(t.data + t.lay.d_parent, t.known);
  EXPECT_THROW(d_path(t.mem, t.lay, t.path(t.m_root, t.known)), BadDataError);
  EXPECT_THROW(dentry_path(t.mem, t.lay, t.known), BadDataError);
  // Two mounts that are each other's parent, each mounted on the other's root.
  Tree m;
  m.mem.put64(m.m_root + m.lay.mnt_parent, m.m_proc);
  m.mem.put64(m.m_root + m.lay.mnt_mountpoint, m.proc_root);
  m.mem.put64(m.m_proc + m.lay.mnt_mountpoint, m.root);
  EXPECT_THROW(d_path(m.mem, m.lay, m.path(m.m_proc, m.status)), BadDataError);
}

// Page cache: a file of 5000 bytes (2 pages) whose xarray holds only page 0 (the
// xa_head itself holds index 0's entry).
struct PageFs : Tree {
  // 256 frames: vmemmap at 0x400000 (64-byte struct pages), the direct map at 0x800000.
  MemoryModel::Geometry geometry{.page_offset = 0x800000, .vmemmap = 0x400000, .max_pfn = 256};
  XArrayLayout xa;
  uint64_t inode;
  PageFs() {
    lay.page_index = 8;
    mem.map(geometry.vmemmap, 0x1000);
    mem.map(geometry.page_offset, 0x10000);
    xa.head = 0;
    inode = read(known + lay.d_inode);
  }
  uint64_t page(uint64_t pfn, char fill, uint64_t index) {
    uint64_t p = geometry.vmemmap + pfn * 64;
    mem.put64(p + lay.page_index, index);
    std::string bytes(4096, fill);
    mem.write(geometry.page_offset + pfn * 4096, bytes.data(), bytes.size());
    return p;
  }
  void set_head(uint64_t entry) { mem.put64(read(inode + lay.i_mapping) + lay.a_pages + xa.head, entry); }
  FilePageCache cache() const { return FilePageCache(MemoryModel(mem, geometry), lay, xa); }
};

TEST(FilePageCache, ReadsCachedPagesAndReportsTheRest) {
  PageFs f;
  f.set_head(f.page(3, 'a', 0));
  std::string data;
  std::vector<MissingPages> missing;
  PageCacheReport r = f.cache().read(
      f.inode, [&](uint64_t off, std::span<const uint8_t> b) {
        EXPECT_EQ(off, data.size());
        data.append(b.begin(), b.end());
      },
      [&](const MissingPages& m) { missing.push_back(m); });
  EXPECT_EQ(r.size, 5000u);
  EXPECT_EQ(r.pages, 2u);
  EXPECT_EQ(r.cached_pages, 1u);
  EXPECT_EQ(r.missing_pages, 1u);
  EXPECT_FALSE(r.complete());
  EXPECT_EQ(data, std::string(4096, 'a'));
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].first, 1u);
  EXPECT_EQ(missing[0].count, 1u);
  EXPECT_EQ(missing[0].reason, "not in the page cache");
}

TEST(FilePageCache, ShadowEntriesAndUnreadablePages) {
  PageFs f;
  f.set_head((12345 << 1) | 1);  // a value entry: the page was evicted
  std::vector<MissingPages> missing;
  PageCacheReport r = f.cache().read(f.inode, [](uint64_t, std::span<const uint8_t>) { ADD_FAILURE(); },
                                     [&](const MissingPages& m) { missing.push_back(m); });
  EXPECT_EQ(r.missing_pages, 2u);
  ASSERT_EQ(missing.size(), 2u);
  EXPECT_EQ(missing[0].reason, "evicted (shadow entry)");
  EXPECT_EQ(missing[1].reason, "not in the page cache");
  // A struct page whose frame is outside memory: the read's fault is the reason.
  PageFs g;
  g.set_head(g.geometry.vmemmap + 200 * 64);
  missing.clear();
  r = g.cache().read(g.inode, [](uint64_t, std::span<const uint8_t>) { ADD_FAILURE(); },
                     [&](const MissingPages& m) { missing.push_back(m); });
  ASSERT_FALSE(missing.empty());
  EXPECT_EQ(missing[0].reason, "not in test memory");
  EXPECT_EQ(missing[0].address, g.geometry.vmemmap + 200 * 64 + 8);
  // A negative i_size is bad data.
  PageFs h;
  h.mem.put64(h.inode + h.lay.i_size, static_cast<uint64_t>(-5));
  EXPECT_THROW(h.cache().read(h.inode, {}, {}), BadDataError);
}

TEST(TaskFiles, DescriptorTableAndBounds) {
  Tree t;
  uint64_t task = t.alloc(), fs = t.alloc(), files = t.alloc(), fdt = t.alloc(), fds = t.alloc();
  uint64_t file0 = t.alloc(), file2 = t.alloc();
  t.mem.put64(task + t.lay.task_fs, fs);
  t.mem.put64(fs + t.lay.fs_root, vfsmount_of(t.lay, t.m_root));
  t.mem.put64(fs + t.lay.fs_root + 8, t.root);
  t.mem.put64(fs + t.lay.fs_pwd, vfsmount_of(t.lay, t.m_root));
  t.mem.put64(fs + t.lay.fs_pwd + 8, t.data);
  t.mem.put64(task + t.lay.task_files, files);
  t.mem.put64(files + t.lay.files_fdt, fdt);
  t.mem.put64(fdt + t.lay.fdt_max_fds, 4);
  t.mem.put64(fdt + t.lay.fdt_fd, fds);
  t.mem.put64(fds + 0, file0);
  t.mem.put64(fds + 16, file2);
  t.mem.put64(file0 + t.lay.f_path, vfsmount_of(t.lay, t.m_root));
  t.mem.put64(file0 + t.lay.f_path + 8, t.known);
  t.mem.put64(file0 + t.lay.f_inode, t.read(t.known + t.lay.d_inode));
  t.mem.put64(file2 + t.lay.f_path, vfsmount_of(t.lay, t.m_proc));
  t.mem.put64(file2 + t.lay.f_path + 8, t.self);
  t.mem.put64(file2 + t.lay.f_inode, t.read(t.self + t.lay.d_inode));
  TaskFiles tf = task_files(t.mem, t.lay, task);
  EXPECT_EQ(tf.root, "/");
  EXPECT_EQ(tf.cwd, "/data");
  EXPECT_EQ(tf.max_fds, 4u);
  ASSERT_EQ(tf.files.size(), 2u);
  EXPECT_EQ(tf.files[0].fd, 0u);
  EXPECT_EQ(tf.files[0].type, "REG");
  EXPECT_EQ(tf.files[0].path, "/data/known.txt");
  EXPECT_EQ(tf.files[1].fd, 2u);
  EXPECT_EQ(tf.files[1].type, "DIR");
  EXPECT_EQ(tf.files[1].path, "/proc/self");
  std::string table = format_task_files(tf);
  EXPECT_NE(table.find(fmt::format("  2 {:016x} {:016x} ", file2, t.self)), std::string::npos) << table;
  // An absurd max_fds is refused before anything is allocated.
  t.mem.put64(fdt + t.lay.fdt_max_fds, 0x7fffffff);
  EXPECT_THROW(task_files(t.mem, t.lay, task), BadDataError);
  EXPECT_EQ(file_type_name(kModeFifo | 0600), "FIFO");
  EXPECT_EQ(file_type_name(kModeSocket), "SOCK");
  EXPECT_EQ(file_type_name(0), "?");
}

}  // namespace
}  // namespace kdive
