// libFuzzer target for the `Code:` line reader and decoder: the input is one console
// line. parse_code_line must accept or refuse it, and what it accepts must decode and
// format in both syntaxes without crashing, hanging or tripping a sanitizer.
//
//   cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang -DKDIVE_FUZZ=ON
//   ninja -C build/fuzz oops_code_line_fuzz && build/fuzz/tests/fuzz/oops_code_line_fuzz
#include <cstddef>
#include <cstdint>
#include <string>

#include "kdive/error.h"
#include "oops/code_listing.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string line(reinterpret_cast<const char*>(data), size);
  std::optional<kdive::CodeBytes> code = kdive::parse_code_line(line);
  if (!code) return 0;
  for (kdive::AsmSyntax syntax : {kdive::AsmSyntax::Att, kdive::AsmSyntax::Intel}) {
    try {
      (void)kdive::decode_code_bytes(*code, syntax, 0xffffffff81000000ull);
      kdive::ListingOptions options;
      options.syntax = syntax;
      (void)kdive::format_decodecode(*code, options);
    } catch (const kdive::Error&) {
    }
  }
  return 0;
}
