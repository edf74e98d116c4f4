// A loaded kernel module's own symbol table, read from its `struct module` in the dump
// (the copy the kernel keeps for /proc/kallsyms): module symbols without the module's
// .ko, for the no-debuginfo mode (issue 15).
//
// Layouts come from the debug info's types, told apart by member presence (mod->kallsyms
// since 4.6, the fields on struct module before; typetab since 5.2, the type letter
// written over an Elf_Sym field before). The Elf_Sym entries are read as raw bytes in their standard layout,
// since Elf64_Sym may be missing from the debug info (BTF lists only what code uses).
//
//   Object mod = Object::reference(env.object_env(), module_type, m.address);
//   for (const KallsymsSymbol& s : read_module_kallsyms(mod).symbols) ...
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "debuginfo/kallsyms_table.h"
#include "object/object.h"

namespace kdive {

// One loaded module's own symbol table, from struct module's kallsyms (core_kallsyms
// copy: mod->kallsyms, an RCU pointer to struct mod_kallsyms {Elf_Sym *symtab; unsigned
// int num_symtab; char *strtab; char *typetab;}), as /proc/kallsyms lists them.
struct ModuleSymbols {
  std::string module;                   // its name
  std::vector<KallsymsSymbol> symbols;  // sorted by address; type letter from typetab
                                        // (or st_info / st_size when typetab is absent,
                                        // older kernels)
};

// More symbols than a module has (the largest, amdgpu, has ~30,000): a num_symtab past
// this is garbage.
inline constexpr uint64_t kMaxModuleSymbols = uint64_t{1} << 20;

// `module` is a `struct module` Object (a reference; a pointer to one is followed).
// Reads at most kMaxModuleSymbols symbols (a larger num_symtab is a BadDataError naming
// the module), skips the undefined and empty-name entries as /proc/kallsyms does.
// Memory errors are FaultErrors; a kernel without CONFIG_KALLSYMS (no kallsyms members
// in struct module) is a LookupError.
ModuleSymbols read_module_kallsyms(const Object& module);

}  // namespace kdive
