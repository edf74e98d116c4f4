// The VFS helpers on every kernel fixture dump (every format of every scenario):
// path_lookup and d_path of the files truth.json names and of mount points (crossing
// into proc, sysfs, devtmpfs and tracefs), the mount list, the files PID 1 holds open,
// and the page-cache contents of /data/known.txt and /data/numbers.txt, whose sha256
// must equal truth.json's — or, on dumps filtered at -d 31 (page cache excluded),
// whose every page must be reported missing with the dump's reason. Errors name the
// component that was not found. A missing manifest is a failure.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../fixture_manifest.h"
#include "kdive/error.h"
#include "linux/file_page_cache.h"
#include "linux/kernel_layout.h"
#include "linux/memory_model.h"
#include "linux/mounts.h"
#include "linux/target_words.h"
#include "linux/task_files.h"
#include "linux/tasks.h"
#include "linux/vfs_layout.h"
#include "linux/vfs_path.h"
#include "linux/xarray.h"
#include "program/program.h"

namespace kdive {
namespace {

using json = nlohmann::json;
using kdive::testing::fixture_dumps;
using kdive::testing::load_json_file;

// sha256 of `bytes`, by the coreutils tool (the tests need a digest, not a library).
std::string sha256(const std::vector<uint8_t>& bytes) {
  char name[] = "/tmp/kdive_vfs_test_XXXXXX";
  int fd = mkstemp(name);
  if (fd < 0) return "mkstemp failed";
  FILE* f = fdopen(fd, "wb");
  fwrite(bytes.data(), 1, bytes.size(), f);
  fclose(f);
  std::string cmd = std::string("sha256sum ") + name;
  FILE* p = popen(cmd.c_str(), "r");
  char out[65] = {0};
  if (p) {
    if (fread(out, 1, 64, p) != 64) out[0] = 0;
    pclose(p);
  }
  unlink(name);
  return out;
}

struct Vfs {
  std::unique_ptr<Program> program;
  std::unique_ptr<KernelLayout> layout;
  VfsLayout lay;
  VfsPath root;
  json entry, truth;
  const MemoryReader& mem() const { return program->memory(); }
};

Vfs open_vfs(const json& d) {
  Vfs v;
  v.entry = d;
  v.truth = load_json_file(d["truth"]);
  ProgramOptions opts;
  opts.debug_paths.push_back(d["vmlinux"]);
  for (const json& m : d["modules"]) opts.debug_paths.push_back(m);
  v.program = Program::open(d["path"], opts);
  v.layout = std::make_unique<KernelLayout>(*v.program);
  v.lay = VfsLayout::of(*v.layout);
  v.root = init_fs_root(*v.program, v.lay);
  return v;
}

class VfsFixture : public ::testing::TestWithParam<json> {};

TEST(VfsFixtures, ManifestHasKernelDumps) { ASSERT_FALSE(fixture_dumps("kernel").empty()); }

TEST_P(VfsFixture, PathLookupAndDPath) {
  Vfs v = open_vfs(GetParam());
  // Up to 6.7 dentry children are the d_subdirs list (then the d_children hlist);
  // up to 6.7 a namespace keeps a mount list (then an rbtree of mounts).
  EXPECT_EQ(v.lay.hlist_children, !v.layout->has_member("struct dentry", "d_subdirs"));
  EXPECT_EQ(v.lay.ns_rbtree, !v.layout->has_member("struct mnt_namespace", "list"));
  EXPECT_EQ(d_path(v.mem(), v.lay, v.root), "/");
  for (const char* key : {"known", "numbers"}) {
    const json& f = v.truth["file"][key];
    std::string path = f["path"];
    VfsPath p = path_lookup(v.mem(), v.lay, v.root, path);
    EXPECT_EQ(d_path(v.mem(), v.lay, p), path);
    EXPECT_EQ(dentry_path(v.mem(), v.lay, p.dentry), path);  // /data is on the root filesystem
    EXPECT_EQ(p.mnt, v.root.mnt);
    uint64_t inode = dentry_inode(v.mem(), v.lay, p.dentry);
    ASSERT_NE(inode, 0u);
    EXPECT_EQ(read_u64(v.mem(), inode + v.lay.i_size), f["size"].get<uint64_t>());
    EXPECT_EQ(read_u16(v.mem(), inode + v.lay.i_mode) & kModeTypeMask, kModeRegular);
    // The same file through "." and ".." and a mount crossing and back.
    EXPECT_EQ(path_lookup(v.mem(), v.lay, v.root, "/proc/../." + path), p);
    EXPECT_EQ(path_lookup(v.mem(), v.lay, v.root, "/sys/kernel/tracing/../../.." + path), p);
    EXPECT_EQ(path_lookup(v.mem(), v.lay, v.root, "//" + path.substr(1)), p);
    // Relative to /data.
    VfsPath data = path_lookup(v.mem(), v.lay, v.root, "/data");
    EXPECT_EQ(path_lookup(v.mem(), v.lay, data, path.substr(std::string("/data/").size())), p);
    // A dentry alone finds its mount in init's namespace.
    EXPECT_EQ(path_of_dentry(v.mem(), v.lay, init_mount_namespace(*v.program, v.lay), p.dentry), p);
  }
  // ".." at the root stays at the root.
  EXPECT_EQ(path_lookup(v.mem(), v.lay, v.root, "/../.."), v.root);
  // Mount crossings: the path's mount is the one mounted there, with its own root.
  std::map<std::string, std::string> fs_of = {{"/proc", "proc"}, {"/sys", "sysfs"}, {"/dev", "devtmpfs"},
                                              {"/sys/kernel/tracing", "tracefs"}};
  for (const auto& [dir, fs] : fs_of) {
    VfsPath p = path_lookup(v.mem(), v.lay, v.root, dir);
    EXPECT_NE(p.mnt, v.root.mnt) << dir;
    MountInfo m = mount_info(v.mem(), v.lay, real_mount(v.lay, p.mnt));
    EXPECT_EQ(m.fs_type, fs) << dir;
    EXPECT_EQ(m.dir_name, dir);
    EXPECT_EQ(m.root, p.dentry) << dir;
    EXPECT_EQ(d_path(v.mem(), v.lay, p), dir);
    EXPECT_EQ(dentry_path(v.mem(), v.lay, p.dentry), "/") << dir;
  }
  VfsPath console = path_lookup(v.mem(), v.lay, v.root, "/dev/console");
  EXPECT_EQ(d_path(v.mem(), v.lay, console), "/dev/console");
  EXPECT_EQ(dentry_path(v.mem(), v.lay, console.dentry), "/console");
  // Errors name the path up to the component that failed.
  try {
    path_lookup(v.mem(), v.lay, v.root, "/data/no-such-file");
    ADD_FAILURE() << "no LookupError";
  } catch (const LookupError& e) {
    EXPECT_STREQ(e.what(), "could not find '/data/no-such-file' in the dentry cache");
  }
  try {
    path_lookup(v.mem(), v.lay, v.root, "/data/known.txt/x");
    ADD_FAILURE() << "no LookupError";
  } catch (const LookupError& e) {
    EXPECT_STREQ(e.what(), "path_lookup(): '/data/known.txt' is not a directory");
  }
}

TEST_P(VfsFixture, MountsOfInitNamespace) {
  Vfs v = open_vfs(GetParam());
  WalkStatus st;
  std::vector<MountInfo> mounts = list_mounts(*v.program, v.lay, 0, &st);
  ASSERT_TRUE(st.ok()) << st.message();
  // The fixture's /init mounts these, in this order, on the initramfs rootfs; since
  // 7.0 rootfs itself is mounted on an immutable nullfs root ("fs: add immutable
  // rootfs"), which kernels with nullfs list first.
  std::vector<std::vector<std::string>> want = {{"rootfs", "rootfs", "/"},
                                                {"proc", "proc", "/proc"},
                                                {"sysfs", "sysfs", "/sys"},
                                                {"devtmpfs", "devtmpfs", "/dev"},
                                                {"tracefs", "tracefs", "/sys/kernel/tracing"}};
  if (v.program->find_object("nullfs_fs_type"))
    want.insert(want.begin(), {"nullfs", "nullfs", "/"});
  ASSERT_EQ(mounts.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(mounts[i].fs_type, want[i][0]);
    EXPECT_EQ(mounts[i].dev_name, want[i][1]);
    EXPECT_EQ(mounts[i].dir_name, want[i][2]);
    EXPECT_TRUE(mounts[i].error.empty()) << mounts[i].error;
    EXPECT_EQ(read_u64(v.mem(), mounts[i].root + v.lay.d_sb), mounts[i].super_block);
  }
  // init's root is the rootfs mount.
  auto rootfs = std::find_if(mounts.begin(), mounts.end(), [](const MountInfo& m) { return m.fs_type == "rootfs"; });
  ASSERT_NE(rootfs, mounts.end());
  EXPECT_EQ(vfsmount_of(v.lay, rootfs->mount), v.root.mnt);
  std::string table = format_mounts(mounts);
  EXPECT_NE(table.find("tracefs  tracefs  /sys/kernel/tracing\n"), std::string::npos) << table;
}

TEST_P(VfsFixture, OpenFilesOfInit) {
  Vfs v = open_vfs(GetParam());
  Tasks tasks(*v.program);
  std::optional<uint64_t> init = tasks.find_task(1);
  ASSERT_TRUE(init);
  TaskFiles tf = task_files(v.mem(), v.lay, *init);
  EXPECT_EQ(tf.root, "/");
  EXPECT_EQ(tf.cwd, "/");
  // busybox sh runs /init with the console on 0-2 and the script itself open.
  std::map<uint64_t, std::string> want = {{0, "/dev/console"}, {1, "/dev/console"}, {2, "/dev/console"}, {10, "/init"}};
  ASSERT_EQ(tf.files.size(), want.size());
  for (const OpenFile& f : tf.files) {
    ASSERT_TRUE(want.count(f.fd)) << f.fd;
    EXPECT_EQ(f.path, want[f.fd]);
    EXPECT_EQ(f.type, f.fd == 10 ? "REG" : "CHR");
    EXPECT_TRUE(f.error.empty()) << f.error;
  }
  VfsPath script = path_lookup(v.mem(), v.lay, v.root, "/init");
  EXPECT_EQ(tf.files.back().dentry, script.dentry);
  EXPECT_EQ(tf.files.back().inode, dentry_inode(v.mem(), v.lay, script.dentry));
}

TEST_P(VfsFixture, PageCacheContents) {
  Vfs v = open_vfs(GetParam());
  bool filtered = GetParam()["dump_level"].is_number() && GetParam()["dump_level"].get<int>() == 31;
  FilePageCache cache(MemoryModel(*v.program), v.lay, XArrayLayout::of(*v.layout));
  for (const char* key : {"known", "numbers"}) {
    const json& f = v.truth["file"][key];
    VfsPath p = path_lookup(v.mem(), v.lay, v.root, f["path"].get<std::string>());
    uint64_t inode = dentry_inode(v.mem(), v.lay, p.dentry);
    std::vector<uint8_t> bytes;
    std::vector<MissingPages> missing;
    PageCacheReport r = cache.read(
        inode,
        [&](uint64_t off, std::span<const uint8_t> b) {
          // In file order; a page makedumpfile dropped (any of them: which ones is
          // incidental) leaves a gap.
          EXPECT_GE(off, bytes.size());
          if (off > bytes.size()) {
            EXPECT_TRUE(filtered) << "gap at " << bytes.size() << " in a complete dump";
            bytes.resize(off);
          }
          bytes.insert(bytes.end(), b.begin(), b.end());
        },
        [&](const MissingPages& m) { missing.push_back(m); });
    uint64_t size = f["size"];
    EXPECT_EQ(r.size, size);
    EXPECT_EQ(r.pages, (size + 4095) / 4096);
    EXPECT_EQ(r.cached_pages + r.missing_pages, r.pages);
    if (filtered && !r.complete()) {
      // makedumpfile -d 31 drops page-cache pages (not always all of them: the ELF
      // capture kept numbers.txt): what is missing is reported with the dump's reason.
      ASSERT_FALSE(missing.empty());
      uint64_t reported = 0;
      for (const MissingPages& m : missing) {
        EXPECT_EQ(m.reason, "page filtered out by makedumpfile");
        EXPECT_NE(m.address, 0u);
        reported += m.count;
      }
      EXPECT_EQ(reported, r.missing_pages);
      if (std::string(key) == "known") {
        EXPECT_EQ(r.cached_pages, 0u);
      }
    } else {
      EXPECT_TRUE(r.complete()) << (missing.empty() ? r.walk_problem : missing[0].reason);
      EXPECT_EQ(r.cached_pages, r.pages);
      EXPECT_EQ(bytes.size(), size);
      EXPECT_EQ(sha256(bytes), f["sha256"].get<std::string>()) << key;
    }
  }
}

std::string param_name(const ::testing::TestParamInfo<json>& info) {
  std::string n = info.param["name"];
  for (char& c : n)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Dumps, VfsFixture, ::testing::ValuesIn(fixture_dumps("kernel")), param_name);

}  // namespace
}  // namespace kdive
