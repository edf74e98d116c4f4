// The Linux kernel commands: ps, dmesg, sys, mod, list, tree. Each is a thin call into
// src/linux/ that prints a table (or JSON lines with --json).
//   ps [-k|-u] [-s STATES] [COMM-GLOB]
//   dmesg [-C|--caller] [-r|--raw] [-c|--console] [--json]
//   sys | mod
//   list [-r] HEAD[, TYPE, MEMBER[, FIELD]]  list_head / hlist_head / llist_head, by type
//   tree [-r] ROOT[, TYPE, MEMBER[, FIELD]]  rb_root(_cached) in order
//   tree ROOT[, TYPE[, FIELD]]               xarray / radix_tree_root / maple_tree:
//                                            index (range) and entry
#include <ostream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command_interpreter.h"
#include "kdive/error.h"
#include "lang/value.h"
#include "linux/kernel_layout.h"
#include "linux/kernel_modules.h"
#include "linux/list_walk.h"
#include "linux/maple_tree.h"
#include "linux/printk.h"
#include "linux/process_status.h"
#include "linux/rbtree.h"
#include "linux/system_info.h"
#include "linux/tasks.h"
#include "linux/xarray.h"
#include "object/object_formatter.h"
#include "types/type_layout.h"
#include "types/type_printer.h"

namespace kdive {

namespace {

// Splits at top-level commas (not inside parentheses or brackets).
std::vector<std::string> split_commas(std::string_view s) {
  std::vector<std::string> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '(' || c == '[') ++depth;
    else if (c == ')' || c == ']') --depth;
    else if (c == ',' && depth == 0) {
      out.emplace_back(trim_text(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  out.emplace_back(trim_text(s.substr(start)));
  return out;
}

void require_kernel(CommandContext& ctx, const char* name) {
  if (!ctx.program.is_kernel()) throw UsageError(fmt::format("{}: needs a kernel dump", name));
}

void ps(CommandContext& ctx, std::string_view arg) {
  require_kernel(ctx, "ps");
  PsOptions opt;
  std::vector<std::string> w = split_words(arg);
  for (size_t i = 0; i < w.size(); ++i) {
    if (w[i] == "-k") opt.kernel_only = true;
    else if (w[i] == "-u") opt.user_only = true;
    else if (w[i] == "-s" && i + 1 < w.size()) opt.states = w[++i];
    else if (w[i] == "--json") ctx.json = true;
    else if (!w[i].empty() && w[i][0] == '-') throw UsageError("ps: options are -k, -u, -s STATES, COMM-GLOB");
    else opt.comm_pattern = w[i];
  }
  Tasks tasks(ctx.program);
  WalkStatus st;
  std::vector<PsRow> rows = process_status(tasks, opt, &st);
  if (ctx.json) {
    for (const PsRow& r : rows) {
      nlohmann::json j{{"pid", r.pid}, {"ppid", r.ppid}, {"cpu", r.cpu}, {"task", fmt::format("{:#x}", r.task)},
                       {"state", std::string(1, r.state.letter)}, {"state_name", r.state.name},
                       {"mem_percent", r.mem_percent}, {"vsz_kib", r.vsz_kib}, {"rss_kib", r.rss_kib},
                       {"comm", r.comm}, {"active", r.active}, {"kernel_thread", r.kernel_thread}};
      ctx.out << j.dump() << "\n";
    }
  } else {
    ctx.out << format_ps(rows);
  }
  st.throw_if_problem();
}

void dmesg(CommandContext& ctx, std::string_view arg) {
  require_kernel(ctx, "dmesg");
  DmesgOptions opt;
  bool json = ctx.json;
  for (const std::string& w : split_words(arg)) {
    if (w == "-C" || w == "--caller") opt.caller = true;
    else if (w == "-r" || w == "--raw") opt.raw_level = true;
    else if (w == "-c" || w == "--console") opt.max_level = console_loglevel(ctx.program).value_or(8);
    else if (w == "--json") json = true;
    else throw UsageError("dmesg: options are -C/--caller, -r/--raw, -c/--console, --json");
  }
  PrintkLog log = read_printk_log(ctx.program);
  if (!json) {
    ctx.out << format_dmesg(log.records, opt);
    return;
  }
  for (const PrintkRecord& r : log.records) {
    if (r.level >= opt.max_level) continue;
    nlohmann::json j{{"seq", r.seq}, {"ts_nsec", r.ts_nsec}, {"level", r.level}, {"facility", r.facility},
                     {"continuation", r.continuation}, {"text", r.text}};
    if (r.has_caller_id) {
      j["caller"] = fmt::format("{}{}", (r.caller_id & 0x80000000u) ? 'C' : 'T', r.caller_id & 0x7fffffffu);
    }
    if (!r.subsystem.empty()) j["subsystem"] = r.subsystem;
    if (!r.device.empty()) j["device"] = r.device;
    ctx.out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
}

// What an iteration command prints for one entry at `addr` (a node, or an entry).
struct EntryPrinter {
  CommandContext& ctx;
  std::optional<QualifiedType> type;  // container type
  uint64_t member_offset = 0;
  std::string field;

  std::string operator()(uint64_t node) const {
    if (!type) return fmt::format("{:#x}", node);
    uint64_t addr = node - member_offset;
    const ObjectEnv& env = ctx.program.object_env();
    if (field.empty()) {
      QualifiedType ptr{env.types->pointer_to(*type)};
      FormatOptions pointer_only;
      pointer_only.dereference = false;
      return format_object(Object::unsigned_value(env, ptr, addr), pointer_only);
    }
    FoundMember m = resolve_designator(*type, field);
    Object o = Object::reference(env, m.type, addr + m.bit_offset / 8, m.bit_offset % 8, m.bit_field_size);
    try {
      return fmt::format("{:#x}  {}", addr, format_object(o));
    } catch (const FaultError& e) {
      return fmt::format("{:#x}  <{}>", addr, e.what());
    }
  }
};

// The head/root expression's struct type name and address.
std::pair<std::string, uint64_t> struct_arg(CommandContext& ctx, std::string_view expr) {
  Object o = ctx.evaluator.evaluate(expr).object();
  QualifiedType u = o.underlying();
  if (u.type->kind() == TypeKind::Pointer) {
    QualifiedType target = underlying_type(u.type->target());
    return {type_name(QualifiedType{target.type, 0}), o.read().as_unsigned()};
  }
  if (!o.is_reference()) throw TypeError(fmt::format("'{}' is neither a pointer nor an object in memory", expr));
  return {type_name(QualifiedType{u.type, 0}), o.address()};
}

EntryPrinter printer(CommandContext& ctx, const std::vector<std::string>& parts, size_t first) {
  EntryPrinter p{ctx, std::nullopt, 0, {}};
  if (parts.size() > first) {
    p.type = ctx.program.find_type(parts[first]);
    if (parts.size() > first + 1) p.member_offset = offset_of(*p.type, parts[first + 1]);
    if (parts.size() > first + 2) p.field = parts[first + 2];
  }
  return p;
}

std::pair<bool, std::string_view> reverse_flag(std::string_view arg) {
  if (arg.starts_with("-r ")) return {true, trim_text(arg.substr(3))};
  return {false, arg};
}

void list(CommandContext& ctx, std::string_view arg) {
  require_kernel(ctx, "list");
  auto [reverse, rest] = reverse_flag(arg);
  std::vector<std::string> parts = split_commas(rest);
  if (parts.empty() || parts[0].empty() || parts.size() == 2 || parts.size() > 4)
    throw UsageError("list: expected HEAD[, TYPE, MEMBER[, FIELD]]");
  auto [type, head] = struct_arg(ctx, parts[0]);
  EntryPrinter print = printer(ctx, parts, 1);
  KernelLayout layout(ctx.program);
  const MemoryReader& mem = ctx.program.memory();
  auto visit = [&](uint64_t node) {
    ctx.out << print(node) << "\n";
    return true;
  };
  WalkStatus st;
  if (type == "struct list_head") st = walk_list(mem, ListLayout::of(layout), head, visit, {}, reverse);
  else if (type == "struct hlist_head") st = walk_hlist(mem, HlistLayout::of(layout), head, visit);
  else if (type == "struct llist_head") st = walk_llist(mem, LlistLayout::of(layout), head, visit);
  else if (type == "struct llist_node") st = walk_llist_nodes(mem, LlistLayout::of(layout), head, visit);
  else throw TypeError(fmt::format("list: '{}' is not a list head (list_head, hlist_head, llist_head)", type));
  st.throw_if_problem();
}

void tree(CommandContext& ctx, std::string_view arg) {
  require_kernel(ctx, "tree");
  auto [reverse, rest] = reverse_flag(arg);
  std::vector<std::string> parts = split_commas(rest);
  if (parts.empty() || parts[0].empty() || parts.size() > 4) throw UsageError("tree: expected ROOT[, TYPE, MEMBER[, FIELD]]");
  auto [type, root] = struct_arg(ctx, parts[0]);
  KernelLayout layout(ctx.program);
  const MemoryReader& mem = ctx.program.memory();
  WalkStatus st;
  if (type == "struct rb_root" || type == "struct rb_root_cached") {
    if (parts.size() == 2) throw UsageError("tree: expected ROOT[, TYPE, MEMBER[, FIELD]]");
    if (type == "struct rb_root_cached") root += layout.offset("struct rb_root_cached", "rb_root");
    EntryPrinter print = printer(ctx, parts, 1);
    st = walk_rbtree(mem, RbLayout::of(layout), root, [&](uint64_t node) {
      ctx.out << print(node) << "\n";
      return true;
    }, {}, reverse);
  } else if (type == "struct xarray" || type == "struct radix_tree_root") {
    // TYPE is what the entries point to, FIELD a member of it.
    EntryPrinter print{ctx, std::nullopt, 0, {}};
    if (parts.size() >= 2) print.type = ctx.program.find_type(parts[1]);
    if (parts.size() >= 3) print.field = parts.back();
    st = walk_xarray(mem, XArrayLayout::of(layout), root, [&](const XArrayEntry& e) {
      std::string idx = e.span > 1 ? fmt::format("[{}-{}]", e.index, e.index + e.span - 1) : fmt::format("[{}]", e.index);
      if (print.type && (e.entry & 1) == 0) ctx.out << idx << " " << print(e.entry) << "\n";
      else ctx.out << fmt::format("{} {:#x}{}\n", idx, e.entry, (e.entry & 1) ? fmt::format(" (value {})", e.entry >> 1) : "");
      return true;
    });
  } else if (type == "struct maple_tree") {
    EntryPrinter print{ctx, std::nullopt, 0, {}};
    if (parts.size() >= 2) print.type = ctx.program.find_type(parts[1]);
    if (parts.size() >= 3) print.field = parts.back();
    st = walk_maple_tree(mem, MapleLayout::of(layout), root, [&](const MapleEntry& e) {
      std::string idx = fmt::format("[{:#x}-{:#x}]", e.first, e.last);
      if (print.type) ctx.out << idx << " " << print(e.entry) << "\n";
      else ctx.out << fmt::format("{} {:#x}\n", idx, e.entry);
      return true;
    });
  } else {
    throw TypeError(fmt::format("tree: '{}' is not a tree root (rb_root, rb_root_cached, xarray, radix_tree_root, maple_tree)", type));
  }
  st.throw_if_problem();
}

}  // namespace

void register_linux_commands(CommandTable& t) {
  add_command(t, "ps", "ps [-k|-u] [-s STATES] [COMM-GLOB]",
      "tasks as crash shows them (-k kernel threads, -u user tasks, -s state letters e.g. DR)", ps);
  add_command(t, "dmesg", "dmesg [-C] [-r] [-c] [--json]",
      "the kernel log as the console printed it (-C caller IDs, -r syslog levels, -c console loglevel only)", dmesg);
  add_command(t, "sys", "sys", "system summary: release, CPUs, memory, uptime, load, panic message, taint",
      [](CommandContext& ctx, std::string_view) {
        require_kernel(ctx, "sys");
        ctx.out << format_system_info(system_info(ctx.program), ctx.program);
      });
  add_command(t, "mod", "mod", "loaded kernel modules: address, name, base, size, debug file",
      [](CommandContext& ctx, std::string_view) {
        require_kernel(ctx, "mod");
        WalkStatus st;
        std::vector<KernelModuleInfo> mods = kernel_modules(ctx.program, &st);
        if (ctx.json) {
          for (const KernelModuleInfo& m : mods)
            ctx.out << nlohmann::json{{"name", m.name}, {"module", fmt::format("{:#x}", m.address)},
                                      {"base", fmt::format("{:#x}", m.base)}, {"size", m.size},
                                      {"debug_info", m.has_debug_info}, {"debug_file", m.debug_file}}
                           .dump()
                    << "\n";
        } else {
          ctx.out << format_kernel_modules(mods);
        }
        st.throw_if_problem();
      });
  add_command(t, "list", "list [-r] HEAD[, TYPE, MEMBER[, FIELD]]",
      "walk a list_head/hlist_head/llist_head; print each entry (as TYPE containing MEMBER) or its FIELD", list);
  add_command(t, "tree", "tree [-r] ROOT[, TYPE, MEMBER[, FIELD]]",
      "walk an rb_root in order, or an xarray / maple tree (tree XA[, TYPE[, FIELD]]) with indices", tree);
}

}  // namespace kdive
