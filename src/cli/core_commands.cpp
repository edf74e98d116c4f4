// The core commands: print, ptype, sizeof, offsetof, member-at, read, info, help, and
// placeholders that say plainly which commands are not implemented yet.
#include <ostream>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command_interpreter.h"
#include "kdive/error.h"
#include "lang/value.h"
#include "linux/kernel_features.h"
#include "types/type_layout.h"
#include "types/type_printer.h"

namespace kdive {

namespace {

QualifiedType type_or_expression_type(CommandContext& ctx, std::string_view arg) {
  if (arg.empty()) throw UsageError("expected a type name or an expression");
  try {
    return ctx.program.find_type(arg);
  } catch (const SyntaxError&) {
  } catch (const LookupError&) {
    // Not a type name: maybe an expression ("init_task", "$x->field"); but an unknown
    // tagged type is an error about the type.
    std::string_view first = arg.substr(0, arg.find_first_of(" *(["));
    if (first == "struct" || first == "union" || first == "enum") throw;
  }
  return ctx.evaluator.evaluate(arg).object().type();
}

void hex_dump(std::ostream& out, uint64_t addr, const std::vector<uint8_t>& buf) {
  for (uint64_t i = 0; i < buf.size(); i += 16) {
    std::string hex, ascii;
    for (uint64_t j = i; j < i + 16; ++j) {
      if (j < buf.size()) {
        hex += fmt::format("{:02x} ", buf[j]);
        ascii += (buf[j] >= 0x20 && buf[j] < 0x7f) ? static_cast<char>(buf[j]) : '.';
      } else {
        hex += "   ";
      }
      if (j == i + 7) hex += ' ';
    }
    out << fmt::format("{:016x}:  {} {}\n", addr + i, hex, ascii);
  }
}

void info(CommandContext& ctx) {
  Program& program = ctx.program;
  const CoreDump& core = program.core();
  nlohmann::json j;
  j["file"] = core.path();
  j["format"] = core_format_name(core.format());
  j["description"] = core.description();
  j["kernel"] = program.is_kernel();
  std::vector<KernelFeature> features;
  if (program.is_kernel()) {
    j["release"] = program.kernel_release();
    j["kaslr_offset"] = fmt::format("{:#x}", program.kaslr_offset());
    if (const Vmcoreinfo* vi = program.vmcoreinfo()) {
      j["build_id"] = vi->build_id();
      j["vmcoreinfo"] = program.vmcoreinfo_source();
    }
    // What kdive detected about this kernel's layouts: a kernel no fixture saw still
    // shows which variant each walker took.
    features = detect_kernel_features(program);
    j["features"] = nlohmann::json::object();
    for (const KernelFeature& f : features) j["features"][f.name] = f.value;
  }
  j["cpus"] = core.notes().prstatus.size() ? core.notes().prstatus.size() : core.notes().qemu_cpus.size();
  nlohmann::json files = nlohmann::json::array();
  for (const auto& m : program.debug_info().modules()) {
    files.push_back({{"name", m->name()}, {"path", m->elf().path()}, {"build_id", m->elf().build_id()},
                     {"dwarf", m->has_dwarf()}, {"bias", fmt::format("{:#x}", m->bias())}});
  }
  j["debug_files"] = files;
  // No-debuginfo mode: which part of the dump answers what.
  const DumpDebugInfo* dump = program.debug_info().dump_debug_info();
  if (dump) {
    const KallsymsTable& ks = dump->kallsyms();
    j["dump_debug_info"] = {
        {"symbols", {{"source", ks.source()}, {"count", ks.size()}, {"encoding", to_string(ks.encoding())},
                     {"modules", dump->module_count()}, {"module_symbols", dump->module_symbol_count()}}},
        {"types", dump->btf() ? nlohmann::json{{"source", dump->btf()->source()},
                                               {"count", dump->btf()->type_count()},
                                               {"modules_with_btf", dump->modules_with_btf()}}
                              : nlohmann::json(nullptr)},
        {"unwinding", "ORC tables in kernel memory"},
        {"not_available", "source lines, inline frames, local variables (need DWARF)"}};
  }
  j["warnings"] = program.warnings();
  if (ctx.json) {
    ctx.out << j.dump(2) << "\n";
    return;
  }
  std::ostream& out = ctx.out;
  out << fmt::format("file:          {}\n", core.path());
  out << fmt::format("format:        {} ({})\n", core_format_name(core.format()), core.description());
  if (program.is_kernel()) {
    out << fmt::format("kernel:        {}\n", program.kernel_release());
    out << fmt::format("KASLR offset:  {:#x}\n", program.kaslr_offset());
    if (j.contains("build_id")) out << fmt::format("build ID:      {}\n", j["build_id"].get<std::string>());
    if (j.contains("vmcoreinfo")) out << fmt::format("VMCOREINFO:    from {}\n", j["vmcoreinfo"].get<std::string>());
    for (const KernelFeature& f : features) out << fmt::format("{:<15}{}\n", f.name + ":", f.value);
  }
  out << fmt::format("CPUs:          {}\n", j["cpus"].get<size_t>());
  for (const auto& m : program.debug_info().modules()) {
    out << fmt::format("debug file:    {} {} (build ID {}{})\n", m->name(), m->elf().path(),
                       m->elf().build_id().empty() ? "none" : m->elf().build_id(),
                       m->has_dwarf() ? "" : ", no DWARF");
  }
  if (dump) {
    const KallsymsTable& ks = dump->kallsyms();
    if (ks.encoding() == KallsymsTable::Encoding::SymbolFile)
      out << fmt::format("symbols:       from {}: {} symbols; {} more in {} modules (kallsyms from the dump)\n",
                         ks.source(), ks.size(), dump->module_symbol_count(), dump->module_count());
    else
      out << fmt::format("symbols:       kallsyms from the dump: {} symbols ({}), {} more in {} modules\n", ks.size(),
                         to_string(ks.encoding()), dump->module_symbol_count(), dump->module_count());
    if (dump->btf())
      out << fmt::format("types:         BTF{}: {} types ({}), split BTF of {} modules\n",
                         ks.encoding() == KallsymsTable::Encoding::SymbolFile ? "" : " from the dump",
                         dump->btf()->type_count(), dump->btf()->source(), dump->modules_with_btf());
    else
      out << "types:         none (the dump's kernel has no usable BTF)\n";
    out << "unwinding:     ORC tables in kernel memory\n";
    out << "without DWARF: no source lines, inline frames or local variables\n";
  }
  for (const std::string& w : program.warnings()) out << "warning:       " << w << "\n";
}

}  // namespace

void register_core_commands(CommandTable& t) {
  auto print = [](CommandContext& ctx, std::string_view arg) {
    if (arg.empty()) throw UsageError("print: expected an expression");
    Value v = ctx.evaluator.evaluate(arg);
    if (ctx.json && v.is_object()) {
      nlohmann::json j{{"expression", std::string(arg)}, {"type", type_name(v.object().type())},
                       {"text", format_value(v)}};
      ctx.out << j.dump() << "\n";
    } else {
      ctx.out << format_value(v) << "\n";
    }
  };
  add_command(t, "print", "print EXPR", "evaluate a C expression and print it (also p, or just EXPR)", print);
  add_command(t, "p", "p EXPR", "", print);
  add_command(t, "ptype", "ptype TYPE|EXPR", "a type's definition", [](CommandContext& ctx, std::string_view arg) {
    ctx.out << type_definition(type_or_expression_type(ctx, arg)) << "\n";
  });
  add_command(t, "sizeof", "sizeof TYPE|EXPR", "size in bytes", [](CommandContext& ctx, std::string_view arg) {
    ctx.out << type_sizeof(type_or_expression_type(ctx, arg)) << "\n";
  });
  add_command(t, "offsetof", "offsetof TYPE, MEMBER", "byte offset of a (nested) member, e.g. offsetof struct task_struct, pi_lock.raw_lock",
      [](CommandContext& ctx, std::string_view arg) {
        auto [type, member] = split_last_comma(arg);
        if (member.empty()) throw UsageError("offsetof: expected TYPE, MEMBER");
        ctx.out << offset_of(ctx.program.find_type(type), member) << "\n";
      });
  add_command(t, "member-at", "member-at TYPE[,] OFFSET", "which member lies at a byte offset (drgn's member_at_offset)",
      [](CommandContext& ctx, std::string_view arg) {
        auto [type, offset] = split_last_comma(arg);
        bool comma = !offset.empty();
        if (!comma) {
          // "member-at struct foo 56", the form typed first: the offset is the last word.
          std::string_view words = trim_text(arg);
          size_t space = words.find_last_of(" \t");
          if (space != std::string_view::npos) {
            type = trim_text(words.substr(0, space));
            offset = words.substr(space + 1);
          }
        }
        if (type.empty() || offset.empty()) throw UsageError("member-at: expected TYPE, OFFSET");
        QualifiedType t;
        try {
          t = ctx.program.find_type(type);
        } catch (const SyntaxError&) {
          if (comma) throw;
          throw UsageError("member-at: expected TYPE, OFFSET");  // "member-at struct foo": no offset
        }
        ctx.out << member_at_offset(t, eval_unsigned(ctx, offset)) << "\n";
      });
  add_command(t, "read", "read ADDR, SIZE", "hex and ASCII dump of memory", [](CommandContext& ctx, std::string_view arg) {
    auto [addr_expr, size_expr] = split_last_comma(arg);
    if (size_expr.empty()) throw UsageError("read: expected ADDR, SIZE");
    uint64_t addr = eval_unsigned(ctx, addr_expr);
    uint64_t size = eval_unsigned(ctx, size_expr);
    if (size > (1u << 20)) throw UsageError("read: at most 1 MiB at a time");
    std::vector<uint8_t> buf(size);
    ctx.program.memory().read(addr, buf.data(), buf.size());
    hex_dump(ctx.out, addr, buf);
  });
  add_command(t, "info", "info", "the dump: format, kernel release, build IDs, KASLR offset, CPUs, debug files",
      [](CommandContext& ctx, std::string_view) { info(ctx); });
  add_command(t, "help", "help", "commands and built-in functions", [](CommandContext& ctx, std::string_view) {
    for (const auto& [name, c] : CommandInterpreter::commands())
      if (!c.help.empty()) ctx.out << fmt::format("  {:28} {}\n", c.usage, c.help);
    ctx.out << "Anything else is a C expression, e.g. init_task.comm, per_cpu(runqueues, 0).curr->pid,\n"
               "$t = &init_task, container_of(p, struct task_struct, tasks), sizeof(struct page).\n"
               "Built-in functions:\n";
    for (const Builtin* b : ctx.builtins.list()) ctx.out << fmt::format("  {:28} {}\n", b->signature, b->help);
  });
  for (const char* name : {"bt", "dmesg", "ps"}) {
    add_command(t, name, name, "(not implemented yet)", [name](CommandContext&, std::string_view) {
      throw UsageError(fmt::format("{}: not implemented yet", name));
    });
  }
}

}  // namespace kdive
