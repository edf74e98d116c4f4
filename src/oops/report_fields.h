// Field extraction from one crash report's lines: RIP, registers, CR2, Code: bytes,
// call trace frames with their stack sections, modules, CPU/PID/comm, release, taint,
// Kernel Offset, and the faulting access (page fault, KASAN, KFENCE). Hand-written
// line parsers: the kernel's formats are fixed strings from arch/x86/kernel/dumpstack.c,
// kernel/panic.c, mm/kasan/report.c and friends.
//
//   extract_fields(lines, &report);   // fills report.rip, report.frames, ...
#pragma once

#include <string_view>
#include <vector>

#include "oops/oops_report.h"

namespace kdive {

// One line of the report region as printed after its console prefix, including lines
// of unreliable frames (which keep their " ? ").
void extract_fields(const std::vector<std::string_view>& lines, OopsReport* report);

// Parses "func+0x1f/0x80 [module]" at the start of `text`; nullopt if it is not one.
std::optional<CodeLocation> parse_code_location(std::string_view text);

// The kind of report a title names.
ReportKind kind_of_title(const CrashTitle& title, std::string_view first_line);

}  // namespace kdive
