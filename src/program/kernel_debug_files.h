// Finding a kernel's debug files: vmlinux and module .ko files from the -s paths (files
// or directories) and the usual places of Debian/Fedora-style debug packages.
//
//   KernelDebugFiles f = find_kernel_debug_files({"/tmp/dbg"}, "6.1.0-56-cloud-amd64");
//   f.vmlinux;   // "" when none was found; f.searched says where we looked
#pragma once

#include <string>
#include <vector>

namespace kdive {

struct KernelDebugFiles {
  std::string vmlinux;
  std::vector<std::string> modules;  // .ko / .ko.debug files
  std::string searched;              // the places looked in, for error messages
};

KernelDebugFiles find_kernel_debug_files(const std::vector<std::string>& paths,
                                         const std::string& release);

}  // namespace kdive
