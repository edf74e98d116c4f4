// ElfFunctionFinder: the function binutils' addr2line names when no DWARF function
// covers an address — bfd's elf_find_function rule over the ELF symbol table (the
// nearest code symbol at or below the address in the same section) and the source file
// it names from the STT_FILE symbols around it ("wakeup_64.o:?").
//
//   ElfFunctionFinder finder(module.elf());
//   if (auto f = finder.find(file_address)) print(f->name, f->file);
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <gelf.h>

namespace kdive {

class ElfFile;

struct ElfFunction {
  std::string_view name;  // points into the file's string table
  std::string_view file;  // the STT_FILE name binutils pairs with it; "" when none
  uint64_t address = 0;   // file address (a relocatable file's offline section address + st_value)
};

class ElfFunctionFinder {
 public:
  // The ElfFile must outlive the finder. Reads .symtab once (a file without one finds
  // nothing).
  explicit ElfFunctionFinder(const ElfFile& file);

  // The symbol bfd's elf_find_function picks for `file_address`, or nullopt.
  std::optional<ElfFunction> find(uint64_t file_address) const;

 private:
  struct Candidate {
    uint64_t address;
    uint64_t size;   // st_size, or 1 for a sizeless symbol (bfd never uses 0)
    uint32_t index;  // position in .symtab: the first of equal candidates wins
    ElfFunction function;
  };
  struct Section {
    uint64_t start = 0, end = 0;
    std::vector<Candidate> candidates;  // by address; at one address the winner first
  };
  std::vector<Section> sections_;  // allocated sections with candidates, by start
};

}  // namespace kdive
