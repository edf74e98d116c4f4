// libFuzzer target for the trace buffer decoders, whose inputs are dump bytes: the
// first input byte picks one (and, bit 7, the vbin_printf packing), the rest is split
// at the first NUL into text and bytes.
//   0: decode_trace_page over the bytes (a data page of that commit length);
//   1: format_binary_printf(text as a trace_printk format, bytes as vbin_printf args);
//   2: evaluate_print_fmt(text as a print_fmt, bytes as a record with fixed fields).
// Each must return or throw kdive::Error, never crash, hang or trip a sanitizer.
//
//   cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang -DKDIVE_FUZZ=ON
//   ninja -C build/fuzz trace_record_fuzz && build/fuzz/tests/fuzz/trace_record_fuzz
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kdive/error.h"
#include "linux/trace_print_fmt.h"
#include "linux/trace_printf.h"
#include "linux/trace_ring_buffer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kdive;
  if (size < 1) return 0;
  const uint8_t mode = data[0] % 3;
  const BinaryPrintfLayout layout{(data[0] & 0x80) != 0};  // both vbin_printf packings
  ++data;
  --size;
  size_t nul = 0;
  while (nul < size && data[nul]) ++nul;
  std::string text(reinterpret_cast<const char*>(data), nul);
  std::vector<uint8_t> bytes(data + std::min(size, nul + 1), data + size);
  auto symbols = [](uint64_t a, bool off) { return (a & 1) ? std::string(off ? "f+0x1/0x10" : "f") : std::string(); };
  try {
    if (mode == 0) {
      std::vector<uint8_t> page(data, data + size);
      std::vector<RawTraceEvent> out;
      (void)decode_trace_page(page.data(), page.size(), size ? data[0] % 64 : 0, 1000, 0, 0x1000, out);
    } else if (mode == 1) {
      (void)format_binary_printf(text, bytes, symbols, layout);
    } else {
      std::vector<TraceEventField> fields = {{"a", "int", 8, 4, true},
                                             {"s", "char[8]", 12, 8, false},
                                             {"d", "__data_loc char[]", 20, 4, false},
                                             {"p", "void *", 24, 8, false}};
      (void)evaluate_print_fmt(text, bytes, fields, symbols);
    }
  } catch (const Error&) {
  }
  return 0;
}
