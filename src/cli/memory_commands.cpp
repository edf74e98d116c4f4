// The commands for pages, slab objects and address identification. Each is a thin call
// into src/linux/ (memory_model, page, slab, identify_address) that prints text, or JSON
// lines with --json:
//   page EXPR [--pfn|--virt|--phys]   one struct page: flags by name, node/zone, counts,
//                                     mapping, compound head/order
//   slabinfo [-x]                     /proc/slabinfo's table; -x: exact counts from every
//                                     slab (crash's kmem -s columns)
//   slab NAME|CACHE [-s|-o|-a|-f]     a cache: summary, its slabs (-s), objects (-o all,
//                                     -a allocated, -f free)
//   slab -i ADDR                      the slab object an address is in
//   identify EXPR...                  drgn's identify_address for each (comma or space
//                                     separated), with live/dead stack verdicts
//   identify -r [PID] [-f N]          every register of a thread's frame (crashed thread,
//                                     frame 0 by default)
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/interrupt.h"
#include "base/progress_line.h"
#include "cli/command_interpreter.h"
#include "kdive/error.h"
#include "linux/identify_address.h"
#include "linux/memory_model.h"
#include "linux/page.h"
#include "linux/slab.h"
#include "program/stack_trace.h"
#include "types/type_printer.h"
#include "unwind/register_state.h"

namespace kdive {

namespace {

// Arguments separated by top-level commas when there are any, else by spaces.
std::vector<std::string> expression_list(std::string_view s) {
  std::vector<std::string> out;
  int depth = 0;
  size_t start = 0;
  bool comma = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '(' || c == '[') ++depth;
    else if (c == ')' || c == ']') --depth;
    else if (c == ',' && depth == 0) {
      comma = true;
      out.emplace_back(trim_text(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  if (!comma) return split_words(s);
  out.emplace_back(trim_text(s.substr(start)));
  return out;
}

void require_kernel(CommandContext& ctx, const char* name) {
  if (!ctx.program.is_kernel()) throw UsageError(fmt::format("{}: needs a kernel dump", name));
}

// The pointee type name of an expression's pointer type, "" otherwise.
std::string pointee_name(CommandContext& ctx, std::string_view expr) {
  Object o = ctx.evaluator.evaluate(expr).object();
  QualifiedType u = o.underlying();
  if (u.type->kind() != TypeKind::Pointer) return {};
  QualifiedType target = underlying_type(u.type->target());
  return type_name(QualifiedType{target.type, 0});
}

void page(CommandContext& ctx, std::string_view arg) {
  require_kernel(ctx, "page");
  enum { Auto, Pfn, Virt, Phys } mode = Auto;
  std::string expr;
  for (const std::string& w : split_words(arg)) {
    if (w == "--pfn") mode = Pfn;
    else if (w == "--virt") mode = Virt;
    else if (w == "--phys") mode = Phys;
    else if (w == "--json") ctx.json = true;
    else expr += (expr.empty() ? "" : " ") + w;
  }
  if (expr.empty()) throw UsageError("page: expected a struct page *, pfn or address (page EXPR [--pfn|--virt|--phys])");
  MemoryModel model(ctx.program);
  PageDecoder pages(ctx.program, model);
  uint64_t v = eval_unsigned(ctx, expr);
  uint64_t p = 0;
  if (mode == Pfn) p = model.pfn_to_page(v);
  else if (mode == Virt) p = model.virt_to_page(v);
  else if (mode == Phys) p = model.pfn_to_page(model.phys_to_pfn(v));
  else if (pointee_name(ctx, expr) == "struct page" || model.is_page_address(v)) p = v;
  else if (v < model.max_pfn()) p = model.pfn_to_page(v);
  else p = model.virt_to_page(v);
  PageInfo info = pages.decode(p);
  if (!ctx.json) {
    ctx.out << format_page_info(info, model);
    return;
  }
  nlohmann::json j{{"page", fmt::format("{:#x}", info.page)}, {"pfn", info.pfn},
                   {"phys", fmt::format("{:#x}", model.pfn_to_phys(info.pfn))},
                   {"virt", fmt::format("{:#x}", model.pfn_to_virt(info.pfn))},
                   {"flags", fmt::format("{:#x}", info.flags)}, {"flag_names", info.flag_names},
                   {"node", info.node}, {"zone", info.zone}, {"zone_name", info.zone_name},
                   {"refcount", info.refcount}, {"mapcount", info.mapcount}, {"type", info.type_name},
                   {"mapping", fmt::format("{:#x}", info.mapping)}, {"index", info.index},
                   {"head", info.head}, {"tail", info.tail},
                   {"compound_head", fmt::format("{:#x}", info.compound_head)},
                   {"compound_order", info.compound_order}};
  if (!info.problem.empty()) j["problem"] = info.problem;
  ctx.out << j.dump() << "\n";
}

void slabinfo(CommandContext& ctx, std::string_view arg) {
  require_kernel(ctx, "slabinfo");
  bool exact = false;
  for (const std::string& w : split_words(arg)) {
    if (w == "-x" || w == "--exact") exact = true;
    else if (w == "--json") ctx.json = true;
    else throw UsageError("slabinfo: options are -x (exact counts from every slab), --json");
  }
  SlubAllocator slub(ctx.program);
  std::vector<uint64_t> caches;
  WalkStatus list = slub.for_each_cache([&](uint64_t c) {
    caches.push_back(c);
    return true;
  });
  if (!ctx.json) {
    if (exact) ctx.out << fmt::format("{:<18} {:>8} {:>9} {:>9} {:>6} {:>5}  {}\n", "CACHE", "OBJSIZE", "ALLOCATED",
                                      "TOTAL", "SLABS", "SSIZE", "NAME");
    else ctx.out << "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : slabdata "
                    "<active_slabs> <num_slabs> <sharedavail>\n";
  }
  std::vector<std::string> problems;
  ProgressLine progress(exact ? "walking every slab" : "slab caches", caches.size(), "caches", /*prints_to_stdout=*/true);
  for (uint64_t c : caches) {
    check_interrupt();
    progress.advance();
    const SlabCacheInfo& info = slub.cache_info(c);
    WalkStatus st;
    SlabCacheStats s = slub.statistics(c, &st);
    if (!st.ok()) problems.push_back(fmt::format("{}: {}", info.name, st.message()));
    uint64_t pages = uint64_t(1) << info.order;
    if (ctx.json) {
      ctx.out << nlohmann::json{{"cache", fmt::format("{:#x}", c)}, {"name", info.name}, {"size", info.size},
                                {"object_size", info.object_size}, {"objects_per_slab", info.objects_per_slab},
                                {"pages_per_slab", pages}, {"slabs", s.slabs}, {"objects", s.objects},
                                {"allocated", s.allocated}, {"free", s.free}, {"proc_active_objs", s.proc_active_objs},
                                {"proc_num_objs", s.proc_num_objs}, {"proc_num_slabs", s.proc_num_slabs},
                                {"merged", info.refcount > 1}}
                     .dump()
              << "\n";
    } else if (exact) {
      ctx.out << fmt::format("{:<18} {:>8} {:>9} {:>9} {:>6} {:>4}k  {}\n", fmt::format("{:x}", c), info.object_size,
                             s.allocated, s.objects, s.slabs, (pages * slub.model().page_size()) / 1024, info.name);
    } else {
      ctx.out << fmt::format("{:<17} {:>6} {:>6} {:>6} {:>4} {:>4} : tunables {:>4} {:>4} {:>4} : slabdata {:>6} {:>6} {:>6}\n",
                             info.name, s.proc_active_objs, s.proc_num_objs, info.size, info.objects_per_slab, pages,
                             0, 0, 0, s.proc_num_slabs, s.proc_num_slabs, 0);
    }
  }
  list.throw_if_problem();
  if (!problems.empty()) {
    std::string all;
    for (const std::string& p : problems) all += (all.empty() ? "" : "; ") + p;
    throw BadDataError(fmt::format("slabinfo: {} cache(s) incomplete: {}", problems.size(), all));
  }
}

void print_object_info(CommandContext& ctx, SlubAllocator& slub, uint64_t addr) {
  std::optional<SlabObjectInfo> i = slub.object_info(addr);
  if (!i) {
    if (ctx.json) ctx.out << nlohmann::json{{"address", fmt::format("{:#x}", addr)}, {"slab", nullptr}}.dump() << "\n";
    else ctx.out << fmt::format("{:#x}: not in a slab object\n", addr);
    return;
  }
  if (ctx.json) {
    ctx.out << nlohmann::json{{"address", fmt::format("{:#x}", addr)}, {"cache", fmt::format("{:#x}", i->cache)},
                              {"cache_name", i->cache_name}, {"slab", fmt::format("{:#x}", i->slab)},
                              {"object", fmt::format("{:#x}", i->address)}, {"offset", addr - i->address},
                              {"allocated", i->allocated}}
                   .dump()
            << "\n";
  } else {
    ctx.out << fmt::format("{:#x}: {} object {:#x}+{:#x} of cache {} ({:#x}), slab {:#x}\n", addr,
                           i->allocated ? "allocated" : "free", i->address, addr - i->address, i->cache_name, i->cache,
                           i->slab);
  }
}

void slab(CommandContext& ctx, std::string_view arg) {
  require_kernel(ctx, "slab");
  char mode = 0;  // s: slabs, o: all objects, a: allocated, f: free, i: object info
  std::string target;
  for (const std::string& w : split_words(arg)) {
    if (w == "-s" || w == "-o" || w == "-a" || w == "-f" || w == "-i") mode = w[1];
    else if (w == "--json") ctx.json = true;
    else target += (target.empty() ? "" : " ") + w;
  }
  if (target.empty()) throw UsageError("slab: expected a cache name, a struct kmem_cache *, or -i ADDRESS");
  SlubAllocator slub(ctx.program);
  if (mode == 'i') {
    print_object_info(ctx, slub, eval_unsigned(ctx, target));
    return;
  }
  std::optional<uint64_t> cache = slub.find_cache(target);
  if (!cache) {
    // Not a cache name (names like kmalloc-64 also parse as expressions): an
    // expression for a struct kmem_cache * or an address.
    uint64_t v = 0;
    try {
      v = eval_unsigned(ctx, target);
    } catch (const LookupError&) {
      throw LookupError(fmt::format("slab: no slab cache named '{}'", target));
    }
    if (pointee_name(ctx, target) != "struct kmem_cache") {
      print_object_info(ctx, slub, v);
      return;
    }
    cache = v;
  }
  const SlabCacheInfo& info = slub.cache_info(*cache);
  WalkStatus st;
  if (mode == 's') {
    std::vector<SlabRef> refs = slub.slabs(*cache, &st);
    for (const SlabRef& r : refs) {
      uint64_t objects = slub.slab_objects(r.slab);
      uint64_t free = 0;
      std::string note;
      try {
        free = slub.free_objects(*cache, r.slab).size();
      } catch (const BadDataError& e) {
        note = e.what();
      }
      if (ctx.json) {
        nlohmann::json j{{"slab", fmt::format("{:#x}", r.slab)}, {"address", fmt::format("{:#x}", slub.slab_address(r.slab))},
                         {"kind", slab_kind_name(r.kind)}, {"cpu", r.cpu}, {"objects", objects}, {"free", free}};
        if (!note.empty()) j["problem"] = note;
        ctx.out << j.dump() << "\n";
      } else {
        ctx.out << fmt::format("{:#x}  {:#x}  {:<11} {:>3}  objects {:>4}  free {:>4}{}\n", r.slab,
                               slub.slab_address(r.slab), slab_kind_name(r.kind),
                               r.cpu >= 0 ? std::to_string(r.cpu) : "-", objects, free, note.empty() ? "" : "  " + note);
      }
    }
  } else if (mode == 'o' || mode == 'a' || mode == 'f') {
    st = slub.for_each_object(*cache, [&](const SlabObject& o) {
      if ((mode == 'a' && !o.allocated) || (mode == 'f' && o.allocated)) return true;
      if (ctx.json)
        ctx.out << nlohmann::json{{"address", fmt::format("{:#x}", o.address)}, {"slab", fmt::format("{:#x}", o.slab)},
                                  {"allocated", o.allocated}}
                       .dump()
                << "\n";
      else
        ctx.out << fmt::format("{:#x}  {}\n", o.address, o.allocated ? "allocated" : "free");
      return true;
    });
  } else {
    SlabCacheStats s = slub.statistics(*cache, &st);
    if (ctx.json) {
      ctx.out << nlohmann::json{{"cache", fmt::format("{:#x}", *cache)}, {"name", info.name}, {"size", info.size},
                                {"object_size", info.object_size}, {"offset", info.offset},
                                {"objects_per_slab", info.objects_per_slab}, {"order", info.order},
                                {"hardened", info.random.has_value()}, {"merged", info.refcount > 1},
                                {"slabs", s.slabs}, {"objects", s.objects}, {"allocated", s.allocated}, {"free", s.free}}
                     .dump()
              << "\n";
    } else {
      ctx.out << fmt::format("cache {:#x} {}: object size {}, stride {}, free pointer at +{}, {} objects per slab "
                             "(order {}){}{}\n",
                             *cache, info.name, info.object_size, info.size, info.offset, info.objects_per_slab,
                             info.order, info.random ? ", hardened freelist" : "",
                             info.refcount > 1 ? fmt::format(", merged (refcount {})", info.refcount) : "");
      ctx.out << fmt::format("slabs {}  objects {}  allocated {}  free {}\n", s.slabs, s.objects, s.allocated, s.free);
    }
  }
  st.throw_if_problem();
}

void identify(CommandContext& ctx, std::string_view arg) {
  require_kernel(ctx, "identify");
  AddressIdentifier id(ctx.program);
  bool registers = false;
  auto print = [&](const std::string& label, uint64_t addr) {
    std::optional<std::string> s = id.identify(addr);
    if (ctx.json) {
      nlohmann::json j{{"expression", label}, {"address", fmt::format("{:#x}", addr)}};
      j["identity"] = s ? nlohmann::json(*s) : nlohmann::json(nullptr);
      ctx.out << j.dump() << "\n";
    } else {
      if (registers) ctx.out << fmt::format("{:<4} {:#018x}  {}\n", label, addr, s.value_or("(unknown)"));
      else ctx.out << fmt::format("{:#018x}  {}\n", addr, s.value_or("(unknown)"));
    }
  };
  std::vector<std::string> args = split_words(arg);
  if (!args.empty() && (args[0] == "-r" || args[0] == "--regs")) {
    registers = true;
    std::optional<int64_t> pid;
    size_t frame = 0;
    for (size_t i = 1; i < args.size(); ++i) {
      if (args[i] == "-f" && i + 1 < args.size()) frame = std::stoul(args[++i]);
      else if (args[i] == "--json") ctx.json = true;
      else pid = std::stoll(args[i]);
    }
    StackTraceEngine eng(ctx.program);
    StackTrace trace = eng.stack_trace(pid ? eng.thread(*pid) : eng.crashed_thread());
    if (frame >= trace.frames().size())
      throw LookupError(fmt::format("identify: the trace has {} frames", trace.frames().size()));
    const RegisterState& regs = trace.frames()[frame].registers();
    for (int r : kAllRegisters) {
      if (std::optional<uint64_t> v = regs.get(r)) print(std::string(register_name(r)), *v);
    }
    return;
  }
  std::string rest(arg);
  bool json_flag = false;
  if (size_t p = rest.find("--json"); p != std::string::npos) {
    rest.erase(p, 6);
    json_flag = true;
  }
  if (json_flag) ctx.json = true;
  std::vector<std::string> exprs = expression_list(rest);
  if (exprs.empty()) throw UsageError("identify: expected ADDRESS|EXPR... or -r [PID] [-f FRAME]");
  for (const std::string& e : exprs) {
    if (!e.empty()) print(e, eval_unsigned(ctx, e));
  }
}

}  // namespace

void register_memory_commands(CommandTable& t) {
  add_command(t, "page", "page EXPR [--pfn|--virt|--phys]",
      "a struct page (given as struct page *, pfn or kernel address): flags, node/zone, counts, compound", page);
  add_command(t, "slabinfo", "slabinfo [-x]",
      "slab caches as /proc/slabinfo shows them; -x: exact allocated/total counts from every slab", slabinfo);
  add_command(t, "slab", "slab NAME|CACHE [-s|-o|-a|-f] | slab -i ADDR",
      "a slab cache's summary, slabs (-s), objects (-o all, -a allocated, -f free); -i: the object an address is in",
      slab);
  add_command(t, "identify", "identify EXPR... | identify -r [PID] [-f FRAME]",
      "what addresses are (slab object, task stack with live/dead verdict, symbol); -r: a frame's registers", identify);
}

}  // namespace kdive
