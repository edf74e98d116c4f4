// libFuzzer target: a symbol pack's reader over arbitrary bytes — the input as a whole
// file (through a memfd, as ElfFile opens paths) for read_symbol_tables(), and as the
// text of a .kdive.pack section for parse_symbol_pack_info().
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "debuginfo/symbol_pack.h"
#include "kdive/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kdive;
  try {
    (void)parse_symbol_pack_info(std::span<const uint8_t>(data, size), "fuzz");
  } catch (const Error&) {
  }
  int fd = memfd_create("kdive-symbol-pack-fuzz", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (::write(fd, data, size) == static_cast<ssize_t>(size)) {
    try {
      ElfFile file("/proc/self/fd/" + std::to_string(fd));
      (void)is_symbol_pack(file);
      (void)has_symbol_tables(file);
      (void)read_symbol_tables(file);
    } catch (const Error&) {
    }
  }
  ::close(fd);
  return 0;
}
