// libFuzzer target: ELF core parsing (ELF header, program headers, notes and their
// decoding) and reads through the segments it registers. Any kdive::Error is a clean
// rejection; crashes, hangs and sanitizer reports are bugs.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "kdive/error.h"
#include "target/elf_core_file.h"
#include "target/memory_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kdive;
  try {
    auto src = std::make_shared<MemorySource>(std::vector<uint8_t>(data, data + size), "fuzz");
    ElfCoreFile core(src);
    (void)core.description();
    uint8_t buf[64];
    for (const ElfLoadSegment& s : core.load_segments()) {
      for (uint64_t off : {uint64_t{0}, s.memsz / 2, s.memsz ? s.memsz - 1 : 0}) {
        try {
          if (core.physical_memory()) core.physical_memory()->read(s.paddr + off, buf, sizeof buf);
          if (core.virtual_segments()) core.virtual_segments()->read(s.vaddr + off, buf, sizeof buf);
        } catch (const FaultError&) {
        }
      }
    }
  } catch (const Error&) {
  }
  return 0;
}
