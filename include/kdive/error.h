// kdive's error types: one exception class per kind a user can act on, each with the
// payload that says where (address; file, offset; name; errno, path; column). They map
// one-to-one onto the Python exceptions of the binding (FaultError, LookupError, ...).
//
//   try { mem.read(VirtAddr{0x6fc}, buf); }
//   catch (const kdive::FaultError& e) { e.address(); e.what(); }
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace kdive {

enum class ErrorKind {
  Fault,             // a memory read failed
  Lookup,            // a name (symbol, type, member, task) was not found
  Type,              // an operation is not valid for the operand types
  BadData,           // a file or dump holds malformed bytes
  MissingDebugInfo,  // debug info needed for an answer is not loaded
  Syntax,            // an expression or command does not parse
  Os,                // a system call failed
  Usage,             // the caller asked for something meaningless
  ZeroDivision,      // integer division or remainder by zero (drgn: ZeroDivisionError)
};

const char* error_kind_name(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// A read of target memory failed. The message names the address and why
// ("address not in dump", "page filtered out by makedumpfile", "not mapped in page table").
class FaultError : public Error {
 public:
  FaultError(uint64_t address, const std::string& reason);
  uint64_t address() const { return address_; }
  const std::string& reason() const { return reason_; }

 private:
  uint64_t address_;
  std::string reason_;
};

class LookupError : public Error {
 public:
  explicit LookupError(const std::string& message) : Error(ErrorKind::Lookup, message) {}
};

class TypeError : public Error {
 public:
  explicit TypeError(const std::string& message) : Error(ErrorKind::Type, message) {}
};

class ZeroDivisionError : public Error {
 public:
  explicit ZeroDivisionError(const std::string& message) : Error(ErrorKind::ZeroDivision, message) {}
};

// Malformed bytes in a file: names the file, the part (section, header) and the offset.
class BadDataError : public Error {
 public:
  BadDataError(const std::string& file, const std::string& what, uint64_t offset);
  explicit BadDataError(const std::string& message) : Error(ErrorKind::BadData, message) {}
};

class MissingDebugInfoError : public Error {
 public:
  explicit MissingDebugInfoError(const std::string& message)
      : Error(ErrorKind::MissingDebugInfo, message) {}
};

// An expression or command failed to parse; column is 1-based, 0 when unknown.
class SyntaxError : public Error {
 public:
  SyntaxError(const std::string& message, size_t column);
  size_t column() const { return column_; }

 private:
  size_t column_;
};

class OsError : public Error {
 public:
  OsError(int errnum, const std::string& path);
  int errnum() const { return errnum_; }
  const std::string& path() const { return path_; }

 private:
  int errnum_;
  std::string path_;
};

class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message) : Error(ErrorKind::Usage, message) {}
};

}  // namespace kdive
