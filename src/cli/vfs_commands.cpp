// The commands for files and paths, thin calls into src/linux/ (vfs_path.h, mounts.h,
// file_page_cache.h, task_files.h):
//   mount [--json]        the mounts of init's namespace, as crash's `mount`
//   files PID [--json]    a task's open files, as crash's `files`
//   path PATH [--json]    what path_lookup finds: mount, dentry, inode, type, size
//   cat PATH              a file's cached bytes, raw on stdout; each run of pages the dump
//                         lacks is named on stderr (and written as zeros so later bytes
//                         keep their offsets), and the command then fails
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command_interpreter.h"
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

namespace kdive {

namespace {

// Words of the argument; --json sets ctx.json and is dropped.
std::vector<std::string> words(CommandContext& ctx, std::string_view arg) {
  std::vector<std::string> out;
  for (std::string& w : split_words(arg)) {
    if (w == "--json") ctx.json = true;
    else out.push_back(std::move(w));
  }
  return out;
}

void require_kernel(CommandContext& ctx, const char* name) {
  if (!ctx.program.is_kernel()) throw UsageError(fmt::format("{}: needs a kernel dump", name));
}

std::string hex(uint64_t v) { return fmt::format("{:#x}", v); }

void mount_command(CommandContext& ctx, std::string_view arg) {
  require_kernel(ctx, "mount");
  if (!words(ctx, arg).empty()) throw UsageError("mount: takes no arguments (but --json)");
  KernelLayout layout(ctx.program);
  VfsLayout lay = VfsLayout::of(layout);
  WalkStatus st;
  std::vector<MountInfo> mounts = list_mounts(ctx.program, lay, 0, &st);
  if (ctx.json) {
    for (const MountInfo& m : mounts) {
      nlohmann::json j{{"mount", hex(m.mount)}, {"super_block", hex(m.super_block)}, {"fs_type", m.fs_type},
                       {"dev_name", m.dev_name}, {"dir_name", m.dir_name}};
      if (!m.error.empty()) j["error"] = m.error;
      ctx.out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    }
  } else {
    ctx.out << format_mounts(mounts);
  }
  st.throw_if_problem();
}

void files_command(CommandContext& ctx, std::string_view arg) {
  require_kernel(ctx, "files");
  std::vector<std::string> w = words(ctx, arg);
  if (w.size() != 1) throw UsageError("files: expected PID");
  char* end = nullptr;
  uint64_t pid = std::strtoull(w[0].c_str(), &end, 0);
  if (!end || *end) throw UsageError(fmt::format("files: '{}' is not a PID", w[0]));
  Tasks tasks(ctx.program);
  std::optional<uint64_t> task = tasks.find_task(pid);
  if (!task) throw LookupError(fmt::format("no task with PID {}", pid));
  VfsLayout lay = VfsLayout::of(tasks.layout());
  TaskFiles tf = task_files(ctx.program.memory(), lay, *task);
  if (ctx.json) {
    for (const OpenFile& f : tf.files) {
      nlohmann::json j{{"fd", f.fd}, {"file", hex(f.file)}, {"dentry", hex(f.dentry)}, {"inode", hex(f.inode)},
                       {"type", f.type}, {"path", f.path}};
      if (!f.error.empty()) j["error"] = f.error;
      ctx.out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    }
    return;
  }
  ctx.out << fmt::format("PID: {:<7} TASK: {:x}  CPU: {:<3} COMMAND: \"{}\"\n", tasks.pid(*task), *task,
                         tasks.cpu(*task), tasks.comm(*task));
  ctx.out << format_task_files(tf);
}

// The path argument of path/cat: the rest of the line (paths may not hold spaces here).
std::string path_word(CommandContext& ctx, std::string_view arg, const char* name) {
  std::vector<std::string> w = words(ctx, arg);
  if (w.size() != 1) throw UsageError(fmt::format("{}: expected PATH", name));
  return w[0];
}

void path_command(CommandContext& ctx, std::string_view arg) {
  require_kernel(ctx, "path");
  std::string path = path_word(ctx, arg, "path");
  KernelLayout layout(ctx.program);
  VfsLayout lay = VfsLayout::of(layout);
  const MemoryReader& mem = ctx.program.memory();
  VfsPath p = path_lookup(mem, lay, init_fs_root(ctx.program, lay), path);
  uint64_t inode = dentry_inode(mem, lay, p.dentry);
  uint32_t mode = read_u16(mem, inode + lay.i_mode);
  int64_t size = static_cast<int64_t>(read_u64(mem, inode + lay.i_size));
  std::string full = d_path(mem, lay, p);
  uint64_t mount = real_mount(lay, p.mnt);
  if (ctx.json) {
    ctx.out << nlohmann::json{{"lookup", path}, {"path", full}, {"mount", hex(mount)}, {"vfsmount", hex(p.mnt)},
                              {"dentry", hex(p.dentry)}, {"inode", hex(inode)}, {"type", file_type_name(mode)},
                              {"mode", fmt::format("{:o}", mode)}, {"size", size}}
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
            << "\n";
    return;
  }
  ctx.out << fmt::format("{:^16} {:^16} {:^16} {:<4} {:>10} {}\n", "MOUNT", "DENTRY", "INODE", "TYPE", "SIZE", "PATH");
  ctx.out << fmt::format("{:016x} {:016x} {:016x} {:<4} {:>10} {}\n", mount, p.dentry, inode, file_type_name(mode),
                         size, full);
}

void cat_command(CommandContext& ctx, std::string_view arg) {
  require_kernel(ctx, "cat");
  std::string path = path_word(ctx, arg, "cat");
  KernelLayout layout(ctx.program);
  VfsLayout lay = VfsLayout::of(layout);
  const MemoryReader& mem = ctx.program.memory();
  VfsPath p = path_lookup(mem, lay, init_fs_root(ctx.program, lay), path);
  uint64_t inode = dentry_inode(mem, lay, p.dentry);
  uint32_t mode = read_u16(mem, inode + lay.i_mode);
  if ((mode & kModeTypeMask) != kModeRegular)
    throw TypeError(fmt::format("cat: '{}' is not a regular file ({})", path, file_type_name(mode)));
  MemoryModel model(ctx.program);
  const uint64_t page_size = model.page_size();
  FilePageCache cache(model, lay, XArrayLayout::of(layout));
  uint64_t first_missing = 0;
  bool any_missing = false;
  std::string zeros(page_size, '\0');
  uint64_t size = cache.inode_size(inode);
  PageCacheReport r = cache.read(
      inode,
      [&](uint64_t, std::span<const uint8_t> b) { ctx.out.write(reinterpret_cast<const char*>(b.data()), b.size()); },
      [&](const MissingPages& m) {
        if (!any_missing) first_missing = m.address;
        any_missing = true;
        uint64_t from = m.first * page_size, to = std::min(size, (m.first + m.count) * page_size);
        std::cerr << fmt::format("kdive: cat {}: bytes {}-{} (page{} {}{}) missing: {}{}\n", path, from, to - 1,
                                 m.count > 1 ? "s" : "", m.first,
                                 m.count > 1 ? fmt::format("-{}", m.first + m.count - 1) : "", m.reason,
                                 m.address ? fmt::format(" at {:#x}", m.address) : "");
        for (uint64_t off = from; off < to; off += page_size)
          ctx.out.write(zeros.data(), static_cast<std::streamsize>(std::min<uint64_t>(page_size, to - off)));
      });
  ctx.out.flush();
  if (!r.complete())
    throw FaultError(first_missing, fmt::format("cat {}: {} of {} pages are missing from the dump (written as zeros)",
                                                path, r.missing_pages, r.pages));
}

}  // namespace

void register_vfs_commands(CommandTable& t) {
  add_command(t, "mount", "mount [--json]", "the mounts of init's mount namespace: MOUNT SUPERBLK TYPE DEVNAME DIRNAME",
      mount_command);
  add_command(t, "files", "files PID [--json]", "a task's open files: FD FILE DENTRY INODE TYPE PATH", files_command);
  add_command(t, "path", "path PATH [--json]", "look a path up in the dentry cache: mount, dentry, inode, type, size",
      path_command);
  add_command(t, "cat", "cat PATH",
      "a cached file's bytes, raw; pages the dump lacks are reported on stderr (as zeros in the output) and fail", cat_command);
}

}  // namespace kdive
