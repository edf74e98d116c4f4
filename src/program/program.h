// Program: one opened target — a core dump (kernel or user space) with its debug info —
// composed from owned subsystems: the CoreDump (target/), the memory view (kernel
// virtual memory through the page tables, or the core's own segments), DebugInfo
// (debuginfo/), the TypeArena and the ObjectEnv. It implements the expression
// language's EvalEnvironment and TypeFinder, so lang/ never sees the Program itself.
//
//   ProgramOptions opts; opts.debug_paths = {"vmlinux"};
//   auto prog = Program::open("vmcore", opts);
//   Object t = *prog->find_object("init_task");
//   QualifiedType ts = prog->find_type("struct task_struct *");
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "debuginfo/debug_info.h"
#include "kdive/type.h"
#include "lang/eval_environment.h"
#include "debuginfo/debuginfod_client.h"
#include "program/kernel_debug_files.h"
#include "program/loaded_kernel_modules.h"
#include "object/object.h"
#include "target/core_dump.h"
#include "target/vmcoreinfo.h"
#include "types/type_name_parser.h"

namespace kdive {

class KernelVirtualMemory;

struct ProgramOptions {
  // -s arguments: vmlinux, .ko files, executables, or directories to search.
  std::vector<std::string> debug_paths;
  // Open even when vmlinux's build ID differs from the dump's.
  bool allow_build_id_mismatch = false;
  // --no-debug-info: ignore any vmlinux and answer from the dump alone (kallsyms, BTF,
  // ORC in kernel memory). Also chosen automatically when no vmlinux is found.
  bool no_debug_info = false;
  // --no-debuginfod: never ask $DEBUGINFOD_URLS for missing debug files.
  bool use_debuginfod = true;
  // A progress line on stderr for long steps (downloads), when it is a terminal; -q: none.
  bool show_progress = true;
};

// Which kinds of global a lookup accepts (bit mask; drgn's FindObjectFlags values).
enum GlobalKinds : uint8_t { kGlobalConstant = 1, kGlobalFunction = 2, kGlobalVariable = 4, kGlobalAny = 7 };

class Program : public EvalEnvironment, public TypeFinder {
 public:
  // Opens a dump and its debug info. Throws OsError / BadDataError for unreadable or
  // malformed files, MissingDebugInfoError when no vmlinux matches a kernel dump.
  static std::unique_ptr<Program> open(const std::string& core_path, const ProgramOptions& options);
  // Debug info without a dump (`kdive -s vmlinux layout task_struct`, `kdive oops`):
  // types, symbols, line tables and functions' addresses (unrelocated) are there; every
  // memory read fails with a FaultError that says no dump was given.
  static std::unique_ptr<Program> open_debug_info(const ProgramOptions& options);
  // A running process, read through /proc/PID/mem: globals, types and memory (no stack
  // traces: those need a core). Debug info from `options` or else /proc/PID/exe, placed
  // with the process's AT_ENTRY. Throws OsError when the process cannot be read.
  static std::unique_ptr<Program> open_live_process(int pid, const ProgramOptions& options);
  ~Program() override;

  bool has_core() const { return core_ != nullptr; }
  // Throws UsageError when there is no dump (see open_debug_info).
  const CoreDump& core() const;
  bool is_kernel() const { return core_ ? core_->is_kernel() : debug_is_kernel_; }
  DebugInfo& debug_info() { return *debug_info_; }
  TypeArena& types() { return *arena_; }
  const MemoryReader& memory() const { return *memory_; }
  // Kernel dumps: virtual memory through the page tables; null otherwise.
  const KernelVirtualMemory* kernel_memory() const { return kernel_memory_.get(); }
  // Kernel dumps: VMCOREINFO and where it came from ("ELF note", "kdump header",
  // "found by scanning memory").
  const Vmcoreinfo* vmcoreinfo() const { return vmcoreinfo_ ? &*vmcoreinfo_ : nullptr; }
  const std::string& vmcoreinfo_source() const { return vmcoreinfo_source_; }
  uint64_t kaslr_offset() const { return kaslr_offset_; }
  std::string kernel_release() const;
  const std::vector<std::string>& warnings() const { return warnings_; }
  // The warnings a user must see when the dump opens (the CLI prints them on stderr):
  // where debug info came from when it was not the files given, and why.
  const std::vector<std::string>& notices() const { return notices_; }
  // Kernel modules loaded in the dump, and those for which no .ko was found.
  const std::vector<LoadedKernelModule>& loaded_modules() const { return loaded_modules_; }
  const std::vector<std::string>& modules_without_debug_info() const { return missing_module_debug_info_; }

  // A type by C type name ("struct task_struct *", "u64", "int (*)(void)").
  QualifiedType find_type(std::string_view type_name);

  // EvalEnvironment
  const ObjectEnv& object_env() const override { return env_; }
  TypeFinder& type_finder() override { return *this; }
  std::optional<Object> find_object(std::string_view name) override;
  // The same, limited to the kinds of global in `kinds` (drgn's FindObjectFlags:
  // enumerators are constants).
  std::optional<Object> find_object(std::string_view name, GlobalKinds kinds);

  // TypeFinder
  QualifiedType find_type(TypeKind kind, std::string_view name) override;

 private:
  Program() = default;
  void setup_kernel();
  void setup_user(const ProgramOptions& options);
  void load_kernel_debug_info(const ProgramOptions& options);
  void load_kernel_module_debug_info(KernelDebugFiles& files, const DebuginfodClient* debuginfod);
  void load_kernel_dump_debug_info(const std::string& why);
  // A debug file without DWARF that has .symtab and .BTF (a symbol pack, symbol_pack.h):
  // its symbols and types stand in for the dump's kallsyms and BTF.
  void load_kernel_pack_debug_info(const std::string& path, const ProgramOptions& options);
  void check_kernel_build_id(const std::string& path, const std::string& file_id, const ProgramOptions& options);
  // Installs the dump-style debug info, then each loaded module's from the dump.
  void install_dump_debug_info(std::unique_ptr<DumpDebugInfo> dump);
  void setup_object_env();
  std::optional<Object> object_from_die(const GlobalDie& g);
  std::optional<Object> thread_local_object(const DebugModule& m, QualifiedType type, uint64_t offset);

  std::unique_ptr<CoreDump> core_;
  std::unique_ptr<TypeArena> arena_;
  std::unique_ptr<DebugInfo> debug_info_;
  std::unique_ptr<KernelVirtualMemory> kernel_memory_;
  std::unique_ptr<MemoryReader> owned_memory_;  // no dump, or a live process
  bool debug_is_kernel_ = false;
  const MemoryReader* memory_ = nullptr;
  std::optional<Vmcoreinfo> vmcoreinfo_;
  std::string vmcoreinfo_source_;
  uint64_t kaslr_offset_ = 0;
  ObjectEnv env_;
  std::vector<std::string> warnings_;
  std::vector<std::string> notices_;
  std::vector<LoadedKernelModule> loaded_modules_;
  std::vector<std::string> missing_module_debug_info_;
};

}  // namespace kdive
