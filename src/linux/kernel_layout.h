// KernelLayout: the dumped kernel's struct layouts as its DWARF states them — member
// offsets, sizes, presence — looked up by name and cached, so that no walker in linux/
// hard-codes an offset or tests a version number (DESIGN §2.1: detect by presence).
//
//   KernelLayout layout(program);
//   uint64_t off = layout.offset("struct task_struct", "tasks");       // LookupError if absent
//   if (layout.has_member("struct task_struct", "__state")) ...
//   uint64_t index = layout.first_offset("struct page", {"index", "__folio_index"});
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "kdive/type.h"

namespace kdive {

class Program;

class KernelLayout {
 public:
  explicit KernelLayout(Program& program) : program_(program) {}

  Program& program() const { return program_; }
  // The type named `type_name` ("struct list_head"); LookupError when the debug info
  // lacks it.
  QualifiedType type(std::string_view type_name);
  // Byte offset of `designator` ("tasks", "pi_lock.raw_lock", "pid_links[0]") in the
  // type; LookupError when the member does not exist.
  uint64_t offset(std::string_view type_name, std::string_view designator);
  // Same, nullopt when the member (or the type) does not exist.
  std::optional<uint64_t> find_offset(std::string_view type_name, std::string_view designator);
  bool has_member(std::string_view type_name, std::string_view designator) {
    return find_offset(type_name, designator).has_value();
  }
  // For a member renamed between kernels: the first of `designators` the type has
  // ({"index", "__folio_index"}), and its offset. LookupError naming the kernel, the
  // type and every designator ("kernel 6.1.0-9-amd64: 'struct page' has no member
  // 'index' or '__folio_index'") when it has none of them.
  std::string_view first_member(std::string_view type_name, std::initializer_list<std::string_view> designators);
  uint64_t first_offset(std::string_view type_name, std::initializer_list<std::string_view> designators) {
    return offset(type_name, first_member(type_name, designators));
  }
  uint64_t size_of(std::string_view type_name);
  // Size of a member's type, e.g. member_size("struct task_struct", "comm") == 16.
  uint64_t member_size(std::string_view type_name, std::string_view designator);
  // Number of elements of an array member (its DWARF upper bound + 1).
  uint64_t array_length(std::string_view type_name, std::string_view designator);

 private:
  Program& program_;
  std::map<std::string, QualifiedType, std::less<>> types_;
  std::map<std::string, std::optional<uint64_t>, std::less<>> offsets_;
};

}  // namespace kdive
