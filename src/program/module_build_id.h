// The GNU build ID of a kernel module loaded in a dump, read from the module's ELF notes
// as the kernel keeps them in memory — what a debuginfod server is asked for when the
// module's .ko is not at hand. Layouts are told apart by member presence (DWARF or BTF).
//
//   Object mod = Object::reference(env, struct_module, m.address);
//   std::string id = module_build_id(mod, &m.sections);   // "9a30670b..." or ""
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "debuginfo/elf_file.h"
#include "kdive/memory_reader.h"
#include "lang/eval_environment.h"
#include "object/object.h"
#include "program/loaded_kernel_modules.h"

namespace kdive {

// Note sections larger than this are not read (a build-ID note is 36 bytes; the
// kernel's own notes of a module are a few hundred).
inline constexpr uint64_t kMaxModuleNoteSection = 64 * 1024;

// `module` is a `struct module` (a reference). The notes come from mod->notes_attrs
// (every SHT_NOTE section as loaded: attrs[i].private → bytes, .size; counted by
// ->notes up to 6.13, by the NULL-terminated ->grp.bin_attrs from 6.14). When the kernel
// has no notes_attrs (CONFIG_SYSFS or CONFIG_KALLSYMS off), it is NULL or its notes hold
// no build ID, the section ".note.gnu.build-id" of `sections` (LoadedKernelModule::
// sections) is read instead.
// Returns "" when the module has no build-ID note. Throws FaultError when the notes are
// unreadable, BadDataError when they are malformed.
std::string module_build_id(const Object& module, const SectionAddresses* sections = nullptr);

// The build ID in the ELF notes at [address, address + size) of `memory` ("" when none);
// size 0 reads one note whose header says how long it is. `where` names it in errors.
std::string build_id_in_memory_notes(const MemoryReader& memory, uint64_t address, uint64_t size,
                                     const std::string& where);

// A loaded module's name and build ID ("" when it has none or it was unreadable).
struct ModuleBuildId {
  std::string name;
  std::string build_id;
};

// The build IDs of `modules` (as loaded_kernel_modules() lists them), in their order;
// a module whose notes cannot be read gets "" and a line in `warnings`.
std::vector<ModuleBuildId> loaded_module_build_ids(EvalEnvironment& env, const std::vector<LoadedKernelModule>& modules,
                                                   std::vector<std::string>& warnings);

}  // namespace kdive
