// The open files of a task, as crash's `files` shows them: for each used descriptor of
// task->files->fdt (struct file *fd[max_fds]), the struct file, its dentry and inode,
// the file type from i_mode (REG, DIR, CHR, BLK, FIFO, SOCK, LNK) and the path (d_path
// of file->f_path, as drgn's for_each_file() and d_path() give it). The descriptor table
// is read whole, bounded by max_fds (itself capped by kMaxFds against garbage).
//
//   VfsLayout lay = VfsLayout::of(layout);
//   TaskFiles f = task_files(mem, lay, task);
//   fmt::print("{}", format_task_files(f, ...));
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kdive/memory_reader.h"
#include "linux/vfs_layout.h"

namespace kdive {

inline constexpr uint64_t kMaxFds = uint64_t(1) << 20;  // fs.nr_open's ceiling

struct OpenFile {
  uint64_t fd = 0;
  uint64_t file = 0;    // struct file *
  uint64_t dentry = 0;  // file->f_path.dentry
  uint64_t inode = 0;   // file->f_inode
  uint32_t mode = 0;    // inode->i_mode
  std::string type;     // "REG", "DIR", ... ("?" when unknown)
  std::string path;     // d_path(&file->f_path)
  std::string error;    // a field that could not be read
};

struct TaskFiles {
  uint64_t task = 0;
  std::string root, cwd;  // d_path of fs->root and fs->pwd ("" when no fs)
  uint64_t max_fds = 0;
  std::vector<OpenFile> files;
};

// crash's name for an i_mode's file type.
std::string file_type_name(uint32_t mode);

// The task's open files. LookupError when the task has no files_struct (it exited);
// BadDataError for a max_fds beyond kMaxFds; FaultError when the table is unreadable.
TaskFiles task_files(const MemoryReader& mem, const VfsLayout& lay, uint64_t task);

// crash's `files` table (after a "PID: ... TASK: ... CPU: ... COMMAND: ..." line that
// the caller prints): ROOT/CWD then FD FILE DENTRY INODE TYPE PATH.
std::string format_task_files(const TaskFiles& files);

}  // namespace kdive
