// libFuzzer target for the DWARF index cache reader: the input is an index image as it
// could be found on disk (truncated, stale, damaged). FlatNameIndex must refuse it with
// BadDataError or answer lookups — never crash, hang or read outside the image.
//
//   cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang -DKDIVE_FUZZ=ON
//   ninja -C build/fuzz flat_name_index_fuzz && build/fuzz/tests/fuzz/flat_name_index_fuzz
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "debuginfo/flat_name_index.h"
#include "kdive/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The reader requires 8-byte alignment (mmap gives it); the key is taken from the
  // header itself so that the checks past it are reached.
  std::vector<uint64_t> words((size + 7) / 8);
  if (size) std::memcpy(words.data(), data, size);
  const auto* bytes = reinterpret_cast<const uint8_t*>(words.data());
  kdive::FlatIndexKey key;
  if (size >= 88) {
    std::memcpy(&key.file_size, bytes + 16, 8);
    std::memcpy(&key.debug_info_size, bytes + 24, 8);
    std::memcpy(&key.mtime_ns, bytes + 80, 8);
  }
  try {
    kdive::FlatNameIndex index(std::span<const uint8_t>(bytes, size), "fuzz", key);
    for (const char* name : {"task_struct", "init_task", "", "a", "jiffies"}) (void)index.find(name);
    size_t n = 0;
    index.for_each([&](std::string_view name, std::span<const kdive::IndexEntry> e) {
      (void)index.find(name);
      n += e.size();
    });
  } catch (const kdive::BadDataError&) {
  }
  return 0;
}
