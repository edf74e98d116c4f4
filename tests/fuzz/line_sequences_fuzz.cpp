// libFuzzer target for the .debug_line sequence reader: the input is a .debug_line
// section as a damaged or hostile file could hold it. LineSequenceIndex::read_sequences
// must return what it could read — never crash, hang or allocate without bound.
//
//   cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang -DKDIVE_FUZZ=ON
//   ninja -C build/fuzz line_sequences_fuzz && build/fuzz/tests/fuzz/line_sequences_fuzz
#include <cstddef>
#include <cstdint>

#include "unwind/line_sequence_index.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto seqs = kdive::LineSequenceIndex::read_sequences(std::span<const uint8_t>(data, size), "fuzz");
  // Each sequence costs at least its end_sequence opcode (3 bytes).
  if (seqs.size() > size / 3 + 1) __builtin_trap();
  return 0;
}
