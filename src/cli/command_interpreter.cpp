// CommandInterpreter implementation: splitting a line into command and argument and
// calling the library; output formats follow drgn (objects, types) and crash (`rd`-like
// hex dumps).
#include "cli/command_interpreter.h"

#include <algorithm>
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "kdive/error.h"
#include "lang/value.h"
#include "object/object_formatter.h"
#include "program/program_builtins.h"
#include "types/type_layout.h"
#include "types/type_printer.h"

namespace kdive {

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits "TYPE, REST" at the last top-level comma (type names may contain commas only
// inside parentheses: function pointer parameter lists).
std::pair<std::string_view, std::string_view> split_last_comma(std::string_view s) {
  int depth = 0;
  for (size_t i = s.size(); i-- > 0;) {
    char c = s[i];
    if (c == ')' || c == ']') ++depth;
    else if (c == '(' || c == '[') --depth;
    else if (c == ',' && depth == 0) return {trim(s.substr(0, i)), trim(s.substr(i + 1))};
  }
  return {s, {}};
}

const std::vector<std::pair<std::string, std::string>>& command_table() {
  static const std::vector<std::pair<std::string, std::string>> t = {
      {"print", "print EXPR            evaluate a C expression and print it (also: p, or just EXPR)"},
      {"p", ""},
      {"ptype", "ptype TYPE|EXPR       print a type's definition"},
      {"sizeof", "sizeof TYPE|EXPR      size in bytes"},
      {"offsetof", "offsetof TYPE, MEMBER  offset of a (nested) member in bytes, e.g. offsetof struct task_struct, pi_lock.raw_lock"},
      {"member-at", "member-at TYPE, OFFSET which member lies at a byte offset"},
      {"read", "read ADDR, SIZE        hex and ASCII dump of memory"},
      {"info", "info                  the dump: format, kernel release, build IDs, KASLR offset, CPUs"},
      {"help", "help                  this list"},
      {"bt", "bt                    stack traces (not implemented yet)"},
      {"dmesg", "dmesg                 the kernel log (not implemented yet)"},
      {"ps", "ps                    tasks (not implemented yet)"},
  };
  return t;
}
}  // namespace

CommandInterpreter::CommandInterpreter(Program& program, std::ostream& out, bool json)
    : program_(program), out_(out), json_(json) {
  register_program_builtins(builtins_, program_);
  evaluator_ = std::make_unique<Evaluator>(program_, builtins_);
}

const std::vector<std::string>& CommandInterpreter::command_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (auto& [n, h] : command_table()) v.push_back(n);
    return v;
  }();
  return names;
}

bool CommandInterpreter::is_command(std::string_view word) {
  const auto& n = command_names();
  return std::find(n.begin(), n.end(), word) != n.end();
}

void CommandInterpreter::run_line(std::string_view line) {
  line = trim(line);
  if (line.empty() || line.front() == '#') return;
  size_t sp = line.find_first_of(" \t");
  std::string_view word = line.substr(0, sp);
  std::string_view arg = sp == std::string_view::npos ? std::string_view() : trim(line.substr(sp));
  // A command word followed by an operator is an expression ("sizeof(int)", "p->x").
  bool command = is_command(word) && (arg.empty() || sp != std::string_view::npos);
  if (!command || (word == "sizeof" && !arg.empty() && arg.front() == '(' && line[word.size()] == '(')) {
    print_expression(line);
    return;
  }
  if (word == "print" || word == "p") {
    if (arg.empty()) throw UsageError("print: expected an expression");
    print_expression(arg);
  } else if (word == "ptype") {
    cmd_ptype(arg);
  } else if (word == "sizeof") {
    cmd_sizeof(arg);
  } else if (word == "offsetof") {
    cmd_offsetof(arg);
  } else if (word == "member-at") {
    cmd_member_at(arg);
  } else if (word == "read") {
    cmd_read(arg);
  } else if (word == "info") {
    cmd_info();
  } else if (word == "help") {
    cmd_help();
  } else {
    throw UsageError(fmt::format("{}: not implemented yet", word));
  }
}

void CommandInterpreter::print_expression(std::string_view expr) {
  Value v = evaluator_->evaluate(expr);
  if (json_ && v.is_object()) {
    nlohmann::json j;
    j["expression"] = std::string(expr);
    j["type"] = type_name(v.object().type());
    j["text"] = format_value(v);
    out_ << j.dump() << "\n";
    return;
  }
  out_ << format_value(v) << "\n";
}

QualifiedType CommandInterpreter::type_or_expression_type(std::string_view arg) {
  if (arg.empty()) throw UsageError("expected a type name or an expression");
  try {
    return program_.find_type(arg);
  } catch (const SyntaxError&) {
  } catch (const LookupError&) {
    // Not a type name: maybe an expression ("init_task", "$x->field").
    std::string_view first = arg.substr(0, arg.find_first_of(" *(["));
    if (first == "struct" || first == "union" || first == "enum") throw;
  }
  Value v = evaluator_->evaluate(arg);
  return v.object().type();
}

void CommandInterpreter::cmd_ptype(std::string_view arg) {
  out_ << type_definition(type_or_expression_type(arg)) << "\n";
}

void CommandInterpreter::cmd_sizeof(std::string_view arg) {
  out_ << type_sizeof(type_or_expression_type(arg)) << "\n";
}

void CommandInterpreter::cmd_offsetof(std::string_view arg) {
  auto [type, member] = split_last_comma(arg);
  if (member.empty()) throw UsageError("offsetof: expected TYPE, MEMBER");
  out_ << offset_of(program_.find_type(type), member) << "\n";
}

void CommandInterpreter::cmd_member_at(std::string_view arg) {
  auto [type, offset] = split_last_comma(arg);
  if (offset.empty()) throw UsageError("member-at: expected TYPE, OFFSET");
  out_ << member_at_offset(program_.find_type(type), eval_unsigned(offset)) << "\n";
}

uint64_t CommandInterpreter::eval_unsigned(std::string_view expr) {
  Value v = evaluator_->evaluate(expr);
  const Object& o = v.object();
  QualifiedType u = o.underlying();
  if (u.type->kind() == TypeKind::Pointer) return o.read().as_unsigned();
  return o.as_unsigned();
}

void CommandInterpreter::cmd_read(std::string_view arg) {
  auto [addr_expr, size_expr] = split_last_comma(arg);
  if (size_expr.empty()) throw UsageError("read: expected ADDR, SIZE");
  uint64_t addr = eval_unsigned(addr_expr);
  uint64_t size = eval_unsigned(size_expr);
  if (size > (1u << 20)) throw UsageError("read: at most 1 MiB at a time");
  std::vector<uint8_t> buf(size);
  program_.memory().read(addr, buf.data(), buf.size());
  for (uint64_t i = 0; i < size; i += 16) {
    std::string hex, ascii;
    for (uint64_t j = i; j < i + 16; ++j) {
      if (j < size) {
        hex += fmt::format("{:02x} ", buf[j]);
        ascii += (buf[j] >= 0x20 && buf[j] < 0x7f) ? static_cast<char>(buf[j]) : '.';
      } else {
        hex += "   ";
      }
      if (j == i + 7) hex += ' ';
    }
    out_ << fmt::format("{:016x}:  {} {}\n", addr + i, hex, ascii);
  }
}

void CommandInterpreter::cmd_info() {
  const CoreDump& core = program_.core();
  nlohmann::json j;
  j["file"] = core.path();
  j["format"] = core_format_name(core.format());
  j["description"] = core.description();
  j["kernel"] = program_.is_kernel();
  if (program_.is_kernel()) {
    j["release"] = program_.kernel_release();
    j["kaslr_offset"] = fmt::format("{:#x}", program_.kaslr_offset());
    if (const Vmcoreinfo* vi = program_.vmcoreinfo()) {
      j["build_id"] = vi->build_id();
      j["vmcoreinfo"] = program_.vmcoreinfo_source();
    }
  }
  j["cpus"] = core.notes().prstatus.size() ? core.notes().prstatus.size() : core.notes().qemu_cpus.size();
  nlohmann::json files = nlohmann::json::array();
  for (const auto& m : program_.debug_info().modules()) {
    files.push_back({{"name", m->name()}, {"path", m->elf().path()}, {"build_id", m->elf().build_id()},
                     {"dwarf", m->has_dwarf()}, {"bias", fmt::format("{:#x}", m->bias())}});
  }
  j["debug_files"] = files;
  j["warnings"] = program_.warnings();
  if (json_) {
    out_ << j.dump(2) << "\n";
    return;
  }
  out_ << fmt::format("file:          {}\n", core.path());
  out_ << fmt::format("format:        {} ({})\n", core_format_name(core.format()), core.description());
  if (program_.is_kernel()) {
    out_ << fmt::format("kernel:        {}\n", program_.kernel_release());
    out_ << fmt::format("KASLR offset:  {:#x}\n", program_.kaslr_offset());
    if (j.contains("build_id")) out_ << fmt::format("build ID:      {}\n", j["build_id"].get<std::string>());
    if (j.contains("vmcoreinfo")) out_ << fmt::format("VMCOREINFO:    from {}\n", j["vmcoreinfo"].get<std::string>());
  }
  out_ << fmt::format("CPUs:          {}\n", j["cpus"].get<size_t>());
  for (const auto& m : program_.debug_info().modules()) {
    out_ << fmt::format("debug file:    {} {} (build ID {}{})\n", m->name(), m->elf().path(),
                        m->elf().build_id().empty() ? "none" : m->elf().build_id(),
                        m->has_dwarf() ? "" : ", no DWARF");
  }
  for (const std::string& w : program_.warnings()) out_ << "warning:       " << w << "\n";
}

void CommandInterpreter::cmd_help() {
  for (auto& [n, h] : command_table())
    if (!h.empty()) out_ << "  " << h << "\n";
  out_ << "Anything else is a C expression, e.g. init_task.comm, per_cpu(runqueues, 0).curr->pid,\n"
          "$t = &init_task, container_of(p, struct task_struct, tasks), sizeof(struct page).\n"
          "Built-in functions:\n";
  for (const Builtin* b : builtins_.list()) out_ << fmt::format("  {:22} {}\n", b->signature, b->help);
}

}  // namespace kdive
