// The C formatter: drgn's str(Object) / Object.format_() byte for byte. Scalars as
// "(type)value", references to compounds as "*(type *)0x... = {...}", members with
// tab indentation, arrays with trailing zeros dropped, char arrays as strings,
// enums by enumerator name, pointers symbolized ("(void *)jiffies+0x0 = 0x...").
//
//   std::string s = format_object(obj);                       // == str(obj) in drgn
//   std::string t = format_object(obj, FormatOptions{.type_name = false});
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "object/object.h"

namespace kdive {

// drgn's Object.format_() keyword arguments, with drgn's defaults.
struct FormatOptions {
  // Width for wrapping arrays and structs. str() in drgn uses SIZE_MAX (arrays stay on
  // one line); drgn's interactive display uses the terminal width.
  size_t columns = SIZE_MAX;
  bool dereference = true;        // a reference to a compound prints "*(T *)0x... = {...}"
  bool symbolize = true;          // pointers print "symbol+0x... = 0x..." when known
  bool string = true;             // char arrays and char pointers as strings
  bool chars = false;             // char values as 'c' ... (drgn's "char" option)
  bool type_name = true;          // "(type)" prefix
  bool member_type_names = true;  // "(type)" before each member value
  bool element_type_names = false;
  bool members_same_line = false;
  bool elements_same_line = true;
  bool member_names = true;
  bool element_indices = false;
  bool implicit_members = true;   // print members whose value is zero
  bool implicit_elements = false; // print trailing zero elements of arrays
};

std::string format_object(const Object& obj, const FormatOptions& options = {});

// C escaping of a string's bytes as drgn prints char arrays (\n, \t, \", \\, \ooo ...).
std::string escape_c_string(const std::string& bytes);

}  // namespace kdive
