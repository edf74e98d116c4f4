// Message construction for kdive's error types (include/kdive/error.h).
#include "kdive/error.h"

#include <cstring>

#include <fmt/format.h>

namespace kdive {

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Fault: return "FaultError";
    case ErrorKind::Lookup: return "LookupError";
    case ErrorKind::Type: return "TypeError";
    case ErrorKind::BadData: return "BadDataError";
    case ErrorKind::MissingDebugInfo: return "MissingDebugInfoError";
    case ErrorKind::Syntax: return "SyntaxError";
    case ErrorKind::Os: return "OSError";
    case ErrorKind::Usage: return "UsageError";
    case ErrorKind::ZeroDivision: return "ZeroDivisionError";
  }
  return "Error";
}

FaultError::FaultError(uint64_t address, const std::string& reason)
    : Error(ErrorKind::Fault, fmt::format("{}: {:#x}", reason, address)),
      address_(address),
      reason_(reason) {}

BadDataError::BadDataError(const std::string& file, const std::string& what, uint64_t offset)
    : Error(ErrorKind::BadData, fmt::format("{}: {} at offset {:#x}", file, what, offset)) {}

SyntaxError::SyntaxError(const std::string& message, size_t column)
    : Error(ErrorKind::Syntax,
            column ? fmt::format("{} (column {})", message, column) : message),
      column_(column) {}

OsError::OsError(int errnum, const std::string& path)
    : Error(ErrorKind::Os, fmt::format("{}: {}", path, std::strerror(errnum))),
      errnum_(errnum),
      path_(path) {}

}  // namespace kdive
