// Open files of a task from its descriptor table (task_files.h).
#include "linux/task_files.h"

#include <fmt/format.h>

#include "base/byte_cursor.h"
#include "kdive/error.h"
#include "linux/target_words.h"
#include "linux/vfs_path.h"

namespace kdive {

std::string file_type_name(uint32_t mode) {
  switch (mode & kModeTypeMask) {
    case kModeRegular: return "REG";
    case kModeDirectory: return "DIR";
    case kModeChar: return "CHR";
    case kModeBlock: return "BLK";
    case kModeFifo: return "FIFO";
    case kModeSocket: return "SOCK";
    case kModeSymlink: return "LNK";
    default: return "?";
  }
}

TaskFiles task_files(const MemoryReader& mem, const VfsLayout& lay, uint64_t task) {
  TaskFiles out;
  out.task = task;
  try {
    out.root = d_path(mem, lay, task_fs_root(mem, lay, task));
    out.cwd = d_path(mem, lay, task_fs_pwd(mem, lay, task));
  } catch (const LookupError&) {
    // no fs_struct: an exiting task; crash leaves ROOT and CWD empty too
  }
  uint64_t files = read_u64(mem, task + lay.task_files);
  if (!files) throw LookupError(fmt::format("task {:#x} has no open files table (files is NULL)", task));
  uint64_t fdt = read_u64(mem, files + lay.files_fdt);
  out.max_fds = read_u32(mem, fdt + lay.fdt_max_fds);
  if (out.max_fds > kMaxFds)
    throw BadDataError(fmt::format("fdtable {:#x}: max_fds {} is beyond {}", fdt, out.max_fds, kMaxFds));
  uint64_t fd_array = read_u64(mem, fdt + lay.fdt_fd);
  std::vector<uint8_t> bytes(out.max_fds * 8);
  if (!bytes.empty()) mem.read(fd_array, bytes.data(), bytes.size());
  ByteCursor cur(bytes, "memory", "fd array", true, fd_array);
  for (uint64_t fd = 0; fd < out.max_fds; ++fd) {
    uint64_t file = cur.u64();
    if (!file) continue;
    OpenFile f;
    f.fd = fd;
    f.file = file;
    try {
      VfsPath p = read_path(mem, lay, file + lay.f_path);
      f.dentry = p.dentry;
      f.inode = read_u64(mem, file + lay.f_inode);
      if (f.inode) f.mode = read_u16(mem, f.inode + lay.i_mode);
      f.type = f.inode ? file_type_name(f.mode) : "?";
      f.path = d_path(mem, lay, p);
    } catch (const FaultError& e) {
      f.error = e.what();
    } catch (const BadDataError& e) {
      f.error = e.what();
    }
    out.files.push_back(std::move(f));
  }
  return out;
}

std::string format_task_files(const TaskFiles& t) {
  std::string out = fmt::format("ROOT: {}    CWD: {}\n", t.root, t.cwd);
  out += fmt::format("{:>3} {:^16} {:^16} {:^16} {:<4} {}\n", "FD", "FILE", "DENTRY", "INODE", "TYPE", "PATH");
  for (const OpenFile& f : t.files) {
    out += fmt::format("{:>3} {:016x} {:016x} {:016x} {:<4} {}", f.fd, f.file, f.dentry, f.inode, f.type, f.path);
    if (!f.error.empty()) out += fmt::format("  <{}>", f.error);
    out += "\n";
  }
  return out;
}

}  // namespace kdive
