// libFuzzer target for frame-name demangling: the input is a symbol as a console log
// prints it (untrusted). The Rust decoders and the Itanium path must not throw, crash,
// hang or trip a sanitizer, and whatever they print stays bounded. The input is also
// tried behind the "_R" and "_ZN" prefixes so that mutations reach the decoders. The
// unit test tests/unit/oops/symbol_demangler_test.cpp replays seeds through this entry.
//
//   cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang -DKDIVE_FUZZ=ON
//   ninja -C build/fuzz symbol_demangler_fuzz && build/fuzz/tests/fuzz/symbol_demangler_fuzz -max_len=512
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "oops/rust_demangler.h"
#include "oops/symbol_demangler.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  for (std::string_view prefix : {"", "_R", "_ZN"}) {
    std::string symbol = std::string(prefix) + std::string(raw);
    std::string name = kdive::demangle_frame_name(symbol);
    if (name.size() > 8192) __builtin_trap();
    if (auto v0 = kdive::demangle_rust_v0(symbol); v0 && v0->size() > 8192) __builtin_trap();
    if (auto legacy = kdive::demangle_rust_legacy(symbol); legacy && legacy->size() > 8192) __builtin_trap();
    (void)kdive::strip_function_signature(symbol);
  }
  return 0;
}
