// Kernel debug-file discovery. Directories are walked to a bounded depth so a wrong -s
// (say, /) cannot make opening a dump take minutes.
#include "program/kernel_debug_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

namespace kdive {

namespace {
namespace fs = std::filesystem;

// ELF e_type of a file (ET_EXEC, ET_REL, ...), or -1 when it is not a 64-bit ELF file.
int elf_type(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  unsigned char h[18];
  ssize_t n = ::pread(fd, h, sizeof h, 0);
  ::close(fd);
  if (n != sizeof h || std::memcmp(h, "\x7f" "ELF", 4) != 0) return -1;
  return h[16] | (h[17] << 8);
}

void consider(const std::string& path, KernelDebugFiles& out) {
  int t = elf_type(path);
  std::string name = fs::path(path).filename().string();
  if (t == 2 /* ET_EXEC */ && out.vmlinux.empty() && name.rfind("vmlinux", 0) == 0) out.vmlinux = path;
  else if (t == 1 /* ET_REL */ && (name.ends_with(".ko") || name.ends_with(".ko.debug"))) out.modules.push_back(path);
}
}  // namespace

KernelDebugFiles find_kernel_debug_files(const std::vector<std::string>& paths, const std::string& release) {
  KernelDebugFiles out;
  std::error_code ec;
  for (const std::string& p : paths) {
    if (!out.searched.empty()) out.searched += ", ";
    out.searched += p;
    if (fs::is_directory(p, ec)) {
      int visited = 0;
      for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
           it != fs::recursive_directory_iterator() && visited < 200000; it.increment(ec), ++visited) {
        if (ec) break;
        if (it.depth() > 6) { it.disable_recursion_pending(); continue; }
        if (it->is_regular_file(ec)) consider(it->path().string(), out);
      }
    } else {
      int t = elf_type(p);
      if (t == 2 && out.vmlinux.empty()) out.vmlinux = p;
      else if (t == 1) out.modules.push_back(p);
      else if (t < 0) out.searched += fs::exists(p, ec) ? " (not an ELF file)" : " (no such file)";
    }
  }
  auto note_searched = [&out](const std::string& p) { out.searched += (out.searched.empty() ? "" : ", ") + p; };
  if (out.vmlinux.empty() && !release.empty()) {
    for (std::string c : {"/usr/lib/debug/boot/vmlinux-" + release, "/usr/lib/debug/lib/modules/" + release + "/vmlinux",
                          "/boot/vmlinux-" + release, "/lib/modules/" + release + "/build/vmlinux"}) {
      note_searched(c);
      if (elf_type(c) == 2) { out.vmlinux = c; break; }
    }
  }
  // Modules: when -s named none, the installed ones of this release (Debian's -dbg
  // package puts unstripped copies under /usr/lib/debug; stripped .ko files still carry
  // their symbols).
  if (out.modules.empty() && !release.empty()) {
    for (std::string dir : {"/usr/lib/debug/lib/modules/" + release, "/lib/modules/" + release + "/kernel",
                            "/lib/modules/" + release + "/updates", "/lib/modules/" + release + "/extra"}) {
      if (!fs::is_directory(dir, ec)) continue;
      int visited = 0;
      for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
           it != fs::recursive_directory_iterator() && visited < 200000; it.increment(ec), ++visited) {
        if (ec) break;
        if (it.depth() > 8) { it.disable_recursion_pending(); continue; }
        std::string name = it->path().filename().string();
        if ((name.ends_with(".ko") || name.ends_with(".ko.debug")) && it->is_regular_file(ec))
          consider(it->path().string(), out);
      }
      if (!out.modules.empty()) break;
    }
  }
  return out;
}

}  // namespace kdive
