// The function name a crash-report frame is titled by: mangled C++ (Itanium) and Rust
// symbols demangled the way syzkaller's report parser does it (it passes every stack
// frame through github.com/ianlancetaylor/demangle's Filter with NoParams before the
// skip lists see it): a function's parameter list, its cv/ref-qualifiers and a
// template function's return type are cut; a name that does not demangle is returned
// unchanged. Plain C names pass through untouched.
//
//   demangle_frame_name("_Z8fakeNameiii")                      == "fakeName"
//   demangle_frame_name("_ZN5arena5ArenaIiE8allocateEm")       == "arena::Arena<int>::allocate"
//   demangle_frame_name("_RNvNtCs1234_4core9panicking9panic_fmt") == "core::panicking::panic_fmt"
//   demangle_frame_name("tcp_sendmsg")                         == "tcp_sendmsg"
#pragma once

#include <string>
#include <string_view>

namespace kdive {

// Rust v0 ("_R..."), Rust legacy ("_ZN...17h<hash>E") and Itanium C++ ("_Z...").
std::string demangle_frame_name(std::string_view name);

// A demangled C++ name with its top-level function signature removed, as a demangler
// prints it without parameters: "void ns::swap<int>(int&, int&)" -> "ns::swap<int>",
// "foo::Bar::size() const" -> "foo::Bar::size". Names that are not functions, and
// special names ("vtable for X", thunks), are returned unchanged.
std::string strip_function_signature(std::string demangled);

}  // namespace kdive
