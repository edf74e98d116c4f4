// Finding a kernel's debug files: vmlinux and module .ko files from the -s paths (files
// or directories) and the usual places of Debian/Fedora-style debug packages, and then,
// by build ID, from debuginfod for whatever is still missing or lacks DWARF.
//
//   KernelDebugFiles f = find_kernel_debug_files({"/tmp/dbg"}, "6.1.0-56-cloud-amd64");
//   f.vmlinux;   // "" when none was found; f.searched says where we looked
//   for (auto& w : fetch_missing_kernel_debug_files(dfd, f, dump_build_id, {})) warn(w);
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "debuginfo/debuginfod_client.h"
#include "program/module_build_id.h"

namespace kdive {

struct KernelDebugFiles {
  std::string vmlinux;
  std::string symbol_pack;           // the first *.kdsym of a directory; vmlinux when none was found
  std::vector<std::string> modules;  // .ko / .ko.debug files
  std::string searched;              // the places looked in, for error messages
  // Module debug files fetched by build ID, by module name: debuginfod's cache names a
  // file after its build ID ("<cache>/<id>/debuginfo"), not after the module.
  std::map<std::string, std::string, std::less<>> modules_by_name;

  // The debug file for the loaded module `name`: modules_by_name first, else the first
  // of `modules` whose file name is the module's (kernel_module_name_of_file); "" when none.
  std::string module_file(std::string_view name) const;
};

KernelDebugFiles find_kernel_debug_files(const std::vector<std::string>& paths,
                                         const std::string& release);

// The module name a .ko file is for: "nf_conntrack" for ".../nf-conntrack.ko.debug"
// (kbuild's module names use '_' where file names may use '-').
std::string kernel_module_name_of_file(const std::string& path);

// Fetches from debuginfod, in parallel, what `files` lacks and stores the paths in it:
// - vmlinux, when files.vmlinux is "" or has no DWARF and `vmlinux_build_id` (the dump's
//   VMCOREINFO BUILD-ID) is known: files.vmlinux becomes the cached file;
// - each module of `modules` with a build ID whose file (files.module_file) is missing,
//   has no DWARF or has another build ID: files.modules_by_name[name] becomes the file.
// Call it twice when the module build IDs need the vmlinux's types: first with no
// modules (for vmlinux), then with loaded_module_build_ids(...). Returns one line per
// failure or notable event, for the program's warnings (DebuginfodClient's error
// texts; "module X: FILE has build ID A, the loaded module B" for a stale local file
// that could not be replaced). Does nothing when !client.enabled().
std::vector<std::string> fetch_missing_kernel_debug_files(const DebuginfodClient& client, KernelDebugFiles& files,
                                                          const std::string& vmlinux_build_id,
                                                          const std::vector<ModuleBuildId>& modules);

}  // namespace kdive
