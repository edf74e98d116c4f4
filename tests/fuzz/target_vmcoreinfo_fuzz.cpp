// libFuzzer target: VMCOREINFO text parsing and typed lookups, and the ELF note
// parser on raw bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kdive/error.h"
#include "target/core_notes.h"
#include "target/elf_notes.h"
#include "target/vmcoreinfo.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kdive;
  Vmcoreinfo vi = Vmcoreinfo::parse(std::string_view(reinterpret_cast<const char*>(data), size));
  (void)vi.symbol("swapper_pg_dir");
  (void)vi.number("phys_base");
  (void)vi.kernel_offset();
  (void)vi.offset("task_struct.tasks");
  try {
    CoreNotes notes = decode_core_notes(parse_elf_notes({data, size}, "fuzz", 0), "fuzz");
    (void)notes;
  } catch (const Error&) {
  }
  return 0;
}
