// Rust symbol demangling for crash-report frames: the v0 scheme ("_R...", RFC 2603) and
// the legacy scheme ("_ZN...17h<16 hex digits>E"), printed the way syzkaller's report
// parser prints them (it filters every frame through github.com/ianlancetaylor/demangle
// without options): crate disambiguators and legacy hashes are dropped, generic
// arguments, closures ("{closure#0}") and impl paths ("<T as Trait>") are kept.
//
//   demangle_rust_v0("_RNvNtCs1234_4core9panicking9panic_fmt")  == "core::panicking::panic_fmt"
//   demangle_rust_legacy("_ZN4core3ptr13drop_in_place17h0123456789abcdefE")
//                                                             == "core::ptr::drop_in_place"
//
// Both read untrusted text (a console log); malformed input gives nullopt, never a
// crash, and the work is bounded (nesting depth, backreference chains, output size).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kdive {

// A v0 symbol ("_R" followed by the path, an optional instantiating crate and an
// optional ".suffix", which is dropped). nullopt when it does not parse.
std::optional<std::string> demangle_rust_v0(std::string_view symbol);

// A legacy symbol: "_ZN", length-prefixed identifiers, "17h" + 16 hex digits (at least
// 5 distinct) + "E", then an optional ".suffix". nullopt when it is not one (it may
// still be a C++ name).
std::optional<std::string> demangle_rust_legacy(std::string_view symbol);

}  // namespace kdive
