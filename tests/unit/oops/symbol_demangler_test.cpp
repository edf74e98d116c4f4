// Frame-name demangling: Rust v0 and legacy symbols and Itanium C++ names must come out
// as syzkaller's report parser prints them (its demangler's Filter with NoParams), and
// malformed symbols must come back unchanged. Also replays seeds, cut and mutated,
// through the libFuzzer entry of tests/fuzz/symbol_demangler_fuzz.cpp.
#include "oops/symbol_demangler.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "oops/rust_demangler.h"

// The fuzz entry under its own name (the oops fuzz replay test defines the libFuzzer one).
#define LLVMFuzzerTestOneInput SymbolDemanglerFuzzOne
#include "fuzz/symbol_demangler_fuzz.cpp"
#undef LLVMFuzzerTestOneInput

namespace kdive {
namespace {

TEST(RustDemangler, V0Paths) {
  // Crate roots drop their disambiguator; nested paths join with "::".
  EXPECT_EQ(demangle_frame_name("_RNvCs5QSdWC790r4_7___rustc17rust_begin_unwind"), "__rustc::rust_begin_unwind");
  EXPECT_EQ(demangle_frame_name("_RNvNtCs1xq9Yz3LmB7_4core9panicking9panic_fmt"), "core::panicking::panic_fmt");
  // Inherent impl (M) with a backreference (B5_ = offset 6 after "_R") to the module.
  EXPECT_EQ(demangle_frame_name("_RNvMs0_NtCs8aX2lQ3bWz9_11rust_binder7processNtB5_7Process10update_ref"),
            "<rust_binder::process::Process>::update_ref");
  // Trait impl (X) of a generic type with a placeholder argument.
  EXPECT_EQ(demangle_frame_name(
                "_RNvXs_NtNtCs4kPq7Rz2Tn1_6kernel4sync3arcINtB4_3ArcpENtNtNtCs1xq9Yz3LmB7_4core3ops4drop4Drop4drop"),
            "<kernel::sync::arc::Arc<_> as core::ops::drop::Drop>::drop");
  // A closure inside a method, followed by an instantiating crate (not printed).
  EXPECT_EQ(demangle_frame_name("_RNCNvMs_NtCs8aX2lQ3bWz9_11rust_binder4nodeNtB6_4Node7release0B8_"),
            "<rust_binder::node::Node>::release::{closure#0}");
  // Generic arguments of the symbol's own path are printed with "::<".
  EXPECT_EQ(demangle_frame_name("_RINvNtC3std3mem8align_ofdE"), "std::mem::align_of::<f64>");
  // A ".llvm.NNN" suffix is dropped.
  EXPECT_EQ(demangle_frame_name("_RNvNtCs1xq9Yz3LmB7_4core9panicking5panic.llvm.123"), "core::panicking::panic");
}

TEST(RustDemangler, V0TypesAndConstants) {
  EXPECT_EQ(demangle_rust_v0("_RMCs4fqI2P2rA04_13const_genericINtB0_6SignedKanb_E"), "<const_generic::Signed<-11>>");
  EXPECT_EQ(demangle_rust_v0("_RMCs4fqI2P2rA04_13const_genericINtB0_4CharKc2202_E"),
            "<const_generic::Char<'\\u{2202}'>>");
  EXPECT_EQ(demangle_rust_v0("_RMCs4fqI2P2rA04_13const_genericINtB0_4BoolKb1_E"), "<const_generic::Bool<true>>");
  EXPECT_EQ(demangle_rust_v0("_RNvMC0INtC8arrayvec8ArrayVechKj7b_E3new"), "<arrayvec::ArrayVec<u8, 123>>::new");
  // dyn trait with an associated-type binding, inside generic arguments.
  EXPECT_EQ(demangle_rust_v0("_RINbNbCskIICzLVDPPb_5alloc5alloc8box_freeDINbNiB4_5boxed5FnBoxuEp6OutputuEL_"
                             "ECs1iopQbuBiw2_3std"),
            "alloc::alloc::box_free::<dyn alloc::boxed::FnBox<(), Output = ()>>");
  // Punycode identifier.
  EXPECT_EQ(demangle_rust_v0("_RNqCs4fqI2P2rA04_11utf8_identsu30____7hkackfecea1cbdathfdh9hlq6y"),
            "utf8_idents::\u10e1\u10d0\u10ed\u10db\u10d4\u10da\u10d0\u10d3_\u10d2\u10d4\u10db\u10e0\u10d8\u10d4"
            "\u10da\u10d8_\u10e1\u10d0\u10d3\u10d8\u10da\u10d8");
}

TEST(RustDemangler, V0Malformed) {
  for (const char* bad : {"_R", "_RNvCsfoo", "_R1NvC3foo3bar", "_RNvC3foo3ba", "_RNvB0_3foo", "_RNvC3fooE",
                          "_RINvC3foo3bar", "_RNvC3foo3bar_extra", "_RNvMC3fooB_3bar"}) {
    EXPECT_EQ(demangle_rust_v0(bad), std::nullopt) << bad;
    EXPECT_EQ(demangle_frame_name(bad), bad);
  }
  // Empty generic arguments are well-formed.
  EXPECT_EQ(demangle_rust_v0("_RINvC3foo3barE"), "foo::bar::<>");
  // A backreference must point before itself; nesting is bounded.
  EXPECT_EQ(demangle_rust_v0("_RNvB2_3foo"), std::nullopt);
  std::string deep = "_R";
  for (int i = 0; i < 5000; ++i) deep += "NvNv";
  EXPECT_EQ(demangle_rust_v0(deep), std::nullopt);
}

TEST(RustDemangler, Legacy) {
  EXPECT_EQ(demangle_frame_name("_ZN4core3ptr13drop_in_place17h0123456789abcdefE"), "core::ptr::drop_in_place");
  EXPECT_EQ(demangle_frame_name("_ZN11rust_binder6thread6Thread12push_work_if17h2c4f1e5a6b7d8c9eE"),
            "rust_binder::thread::Thread::push_work_if");
  // "$LT$"-style escapes and ".." separators; a suffix after the final "E" is ignored.
  EXPECT_EQ(demangle_rust_legacy("_ZN56_$LT$kernel..str..CStr$u20$as$u20$core..fmt..Display$GT$3fmt"
                                 "17h1a2b3c4d5e6f7081E.llvm.42"),
            "<kernel::str::CStr as core::fmt::Display>::fmt");
  // Fewer than 5 distinct hash digits: not Rust, so the C++ reading applies.
  EXPECT_EQ(demangle_rust_legacy("_ZN6kernel4test17h0000000000000000E"), std::nullopt);
  EXPECT_EQ(demangle_frame_name("_ZN6kernel4test17h0000000000000000E"), "kernel::test::h0000000000000000");
  EXPECT_EQ(demangle_rust_legacy("_ZN4core3ptr17h0123456789abcdefE"), "core::ptr");
  EXPECT_EQ(demangle_rust_legacy("_ZN4core3ptr17h0123456789abcdeE"), std::nullopt);  // 15 digits
  EXPECT_EQ(demangle_rust_legacy("_ZN9core3ptr17h0123456789abcdefE"), std::nullopt);  // length past the end
}

TEST(SymbolDemangler, ItaniumWithoutParameters) {
  EXPECT_EQ(demangle_frame_name("_Z8fakeNameiii"), "fakeName");
  EXPECT_EQ(demangle_frame_name("_ZN3net6Socket5closeEv"), "net::Socket::close");
  EXPECT_EQ(demangle_frame_name("_ZN5arena5ArenaIiE8allocateEm"), "arena::Arena<int>::allocate");
  EXPECT_EQ(demangle_frame_name("_ZN2ns5ClassC2Ev"), "ns::Class::Class");
  EXPECT_EQ(demangle_frame_name("_ZNK3foo3Bar4sizeEv"), "foo::Bar::size");  // const method
  EXPECT_EQ(demangle_frame_name("_Z4swapIiEvRT_S1_"), "swap<int>");          // return type cut
  EXPECT_EQ(demangle_frame_name("_ZN12_GLOBAL__N_16helperEv"), "(anonymous namespace)::helper");
  EXPECT_EQ(demangle_frame_name("_ZltI1AEbRKT_S2_"), "operator< <A>");
  EXPECT_EQ(demangle_frame_name("_ZngILi42EEvN1AIXplT_Li2EEE1TE"), "operator-<42>");
  EXPECT_EQ(demangle_frame_name("_ZN3FoocviEv"), "Foo::operator int");
  EXPECT_EQ(demangle_frame_name("_Znwm"), "operator new");
  EXPECT_EQ(demangle_frame_name("_ZZ3fooiE3bar"), "foo(int)::bar");  // a local: the enclosing parameters stay
  EXPECT_EQ(demangle_frame_name("_ZTV3Foo"), "vtable for Foo");
  // Not mangled, or not demangleable: unchanged.
  EXPECT_EQ(demangle_frame_name("tcp_sendmsg"), "tcp_sendmsg");
  EXPECT_EQ(demangle_frame_name("_Z"), "_Z");
  EXPECT_EQ(demangle_frame_name("_Zfoo"), "_Zfoo");
  EXPECT_EQ(demangle_frame_name("__x64_sys_ioctl"), "__x64_sys_ioctl");
}

TEST(SymbolDemangler, StripFunctionSignature) {
  EXPECT_EQ(strip_function_signature("ns::f(int (*)(char), long)"), "ns::f");
  EXPECT_EQ(strip_function_signature("A::operator()(int) const &"), "A::operator()");
  EXPECT_EQ(strip_function_signature("unsigned int ns::g<unsigned int>(unsigned int)"), "ns::g<unsigned int>");
  EXPECT_EQ(strip_function_signature("ns::data"), "ns::data");
  EXPECT_EQ(strip_function_signature("non-virtual thunk to A::f(int)"), "non-virtual thunk to A::f(int)");
  EXPECT_EQ(strip_function_signature("f(int) [clone .cold]"), "f");
}

TEST(SymbolDemangler, FuzzSeedsReplay) {
  std::vector<std::string> seeds = {
      "_RNvMs0_NtCs8aX2lQ3bWz9_11rust_binder7processNtB5_7Process10update_ref",
      "_RINbNbCskIICzLVDPPb_5alloc5alloc8box_freeDINbNiB4_5boxed5FnBoxuEp6OutputuEL_ECs1iopQbuBiw2_3std",
      "_RNqCs4fqI2P2rA04_11utf8_identsu30____7hkackfecea1cbdathfdh9hlq6y",
      "_RMCs4fqI2P2rA04_13const_genericINtB0_4CharKc2202_E",
      "_ZN56_$LT$kernel..str..CStr$u20$as$u20$core..fmt..Display$GT$3fmt17h1a2b3c4d5e6f7081E",
      "_Z4swapIiEvRT_S1_",
      "_ZngILi42EEvN1AIXplT_Li2EEE1TE",
      "NvMs0_NtCs8aX2lQ3bWz9_11rust_binder7processNtB5_7Process10update_ref",
  };
  auto run = [](const std::string& s) {
    SymbolDemanglerFuzzOne(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  uint32_t x = 7;
  size_t runs = 0;
  for (const std::string& s : seeds) {
    run(s);
    for (size_t cut = 1; cut < s.size(); cut += 3) run(s.substr(0, cut));
    for (int k = 0; k < 200; ++k) {
      std::string m = s;
      for (int flips = 0; flips < 3; ++flips) {
        x = x * 1664525 + 1013904223;
        m[x % m.size()] = "_RNIMXYBCsE0123456789abzKLGDFpuT$."[(x >> 24) % 34];
      }
      run(m);
      ++runs;
    }
  }
  EXPECT_EQ(runs, 1600u);
}

}  // namespace
}  // namespace kdive
