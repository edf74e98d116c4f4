// Function entries (function_entries.h): the file side through TextImage (relocated as
// the kernel would have), the dump side read directly; ftrace sites from
// read_ftrace_records().
#include "linux/function_entries.h"

#include <fmt/format.h>

#include "base/progress_line.h"
#include "kdive/error.h"
#include "linux/ftrace_records.h"
#include "linux/text_image.h"
#include "oops/instruction_decoder.h"
#include "program/program.h"

namespace kdive {

namespace {

constexpr size_t kMaxInstruction = 15;

EntryInstruction decode_at(Program& program, const FtraceRecords& ftrace, const InstructionDecoder& dec,
                           const std::vector<uint8_t>& window, uint64_t address) {
  EntryInstruction e;
  e.address = address;
  std::vector<Instruction> ins = dec.decode(window, address, 1);
  if (ins.empty()) return e;
  e.bytes = ins.front().bytes;
  e.text = ins.front().text();
  if ((ins.front().is_call || ins.front().is_jump) && ins.front().operands.starts_with("0x")) {
    uint64_t target = std::stoull(ins.front().operands, nullptr, 16);
    if (std::optional<SymbolInfo> s = program.debug_info().symbolize(target))
      e.text += target == s->address ? " <" + s->name + ">" : fmt::format(" <{}+{:#x}>", s->name, target - s->address);
    else if (const FtraceOps* o = ftrace.trampoline_owner(target))
      e.text += fmt::format(" <ftrace trampoline of {}>", o->name.empty() ? fmt::format("ops {:#x}", o->address) : o->name);
  }
  e.encoding = decode_encoding(window);
  return e;
}

EntryInstruction from_memory(Program& program, const FtraceRecords& ftrace, const InstructionDecoder& dec,
                             uint64_t address, uint64_t limit) {
  std::vector<uint8_t> window(std::min<uint64_t>(kMaxInstruction, limit));
  try {
    program.memory().read(address, window.data(), window.size());
  } catch (const FaultError& e) {
    EntryInstruction out;
    out.address = address;
    out.problem = e.what();
    return out;
  }
  return decode_at(program, ftrace, dec, window, address);
}

EntryInstruction from_file(Program& program, const FtraceRecords& ftrace, const TextImage& img,
                           const InstructionDecoder& dec, uint64_t address, uint64_t limit) {
  std::vector<uint8_t> window;
  if (!img.read(address, std::min<uint64_t>(kMaxInstruction, limit), window)) {
    EntryInstruction out;
    out.address = address;
    out.problem = fmt::format("not in {}'s text", img.name());
    return out;
  }
  return decode_at(program, ftrace, dec, window, address);
}

}  // namespace

FunctionEntries function_entries(Program& program, std::string_view glob) {
  FunctionEntries out;
  FtraceRecords ftrace;
  try {
    ftrace = read_ftrace_records(program);
  } catch (const Error& e) {
    out.problems.push_back(fmt::format("ftrace records: {}", e.what()));
  }
  for (const std::string& p : ftrace.problems) out.problems.push_back("ftrace records: " + p);
  std::vector<TextImage> images = kernel_text_images(program);
  InstructionDecoder dec;
  std::vector<TextFunction> functions = text_functions(images, glob);
  ProgressLine progress("reading function entries", functions.size(), "functions");
  for (const TextFunction& f : functions) {
    progress.advance();
    FunctionEntry e;
    e.name = std::string(f.name);
    e.module = f.image->name();
    e.address = f.address;
    e.size = f.size;
    e.memory = from_memory(program, ftrace, dec, f.address, f.size);
    e.disk = from_file(program, ftrace, *f.image, dec, f.address, f.size);
    if (const FtraceRecord* rec = ftrace.first_in(f.address, f.address + f.size)) {
      e.ftrace_ip = rec->ip;
      e.ftrace_flags = rec->flags;
      e.ftrace_flag_names = ftrace.flag_names(rec->flags);
      e.ftrace_refs = ftrace.ref_count(rec->flags);
      if (rec->ip != f.address) {
        uint64_t left = f.address + f.size - rec->ip;
        e.ftrace_memory = from_memory(program, ftrace, dec, rec->ip, left);
        e.ftrace_disk = from_file(program, ftrace, *f.image, dec, rec->ip, left);
      }
    }
    out.entries.push_back(std::move(e));
  }
  return out;
}

}  // namespace kdive
