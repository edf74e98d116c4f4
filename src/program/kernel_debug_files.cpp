// Kernel debug-file discovery. Directories are walked to a bounded depth so a wrong -s
// (say, /) cannot make opening a dump take minutes. Files found locally are probed
// (build ID, DWARF) before debuginfod is asked, so only what is really missing is fetched.
#include "program/kernel_debug_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "debuginfo/debug_file_probe.h"

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
  // A symbol pack (`kdive symbols --export`) serves when no vmlinux is found.
  else if (t == 2 && name.ends_with(".kdsym") && out.symbol_pack.empty()) out.symbol_pack = path;
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
  if (out.vmlinux.empty()) out.vmlinux = out.symbol_pack;
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

std::string kernel_module_name_of_file(const std::string& path) {
  std::string name = fs::path(path).filename().string();
  for (const char* ext : {".ko.debug", ".ko"}) {
    if (name.ends_with(ext)) {
      name.resize(name.size() - std::strlen(ext));
      break;
    }
  }
  for (char& c : name)
    if (c == '-') c = '_';
  return name;
}

std::string KernelDebugFiles::module_file(std::string_view name) const {
  if (auto it = modules_by_name.find(name); it != modules_by_name.end()) return it->second;
  for (const std::string& f : modules)
    if (kernel_module_name_of_file(f) == name) return f;
  return "";
}

std::vector<std::string> fetch_missing_kernel_debug_files(const DebuginfodClient& client, KernelDebugFiles& files,
                                                          const std::string& vmlinux_build_id,
                                                          const std::vector<ModuleBuildId>& modules) {
  std::vector<std::string> warnings;
  if (!client.enabled()) return warnings;
  std::vector<std::string> ids, descriptions;
  std::vector<const ModuleBuildId*> wanted;  // nullptr: vmlinux
  if (!vmlinux_build_id.empty() && (files.vmlinux.empty() || !probe_debug_file(files.vmlinux).has_dwarf)) {
    ids.push_back(vmlinux_build_id);
    descriptions.push_back("vmlinux");
    wanted.push_back(nullptr);
  }
  // A local module file that is another build (a rebuilt .ko beside an old dump) is
  // replaced when debuginfod has the right one, and reported when it has not.
  std::map<std::string, std::string> stale;
  for (const ModuleBuildId& m : modules) {
    if (m.build_id.empty()) continue;
    std::string local = files.module_file(m.name);
    if (!local.empty()) {
      DebugFileProbe p = probe_debug_file(local);
      if (p.error.empty() && p.has_dwarf && (p.build_id.empty() || p.build_id == m.build_id)) continue;
      if (p.error.empty() && !p.build_id.empty() && p.build_id != m.build_id)
        stale[m.name] = fmt::format("module {}: {} has build ID {}, the loaded module {}", m.name, local,
                                    p.build_id, m.build_id);
    }
    ids.push_back(m.build_id);
    descriptions.push_back("module " + m.name);
    wanted.push_back(&m);
  }
  if (ids.empty()) return warnings;
  std::vector<DebuginfodResult> results = client.fetch_debuginfo(ids, descriptions);
  for (size_t i = 0; i < results.size(); ++i) {
    const DebuginfodResult& r = results[i];
    const ModuleBuildId* m = wanted[i];
    if (r.path.empty()) {
      warnings.push_back(r.error);
      if (m)
        if (auto it = stale.find(m->name); it != stale.end()) warnings.push_back(it->second);
      continue;
    }
    if (m)
      files.modules_by_name[m->name] = r.path;
    else
      files.vmlinux = r.path;
  }
  return warnings;
}

}  // namespace kdive
