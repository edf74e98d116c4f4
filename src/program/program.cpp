// Program implementation: opening a dump (kernel: VMCOREINFO, KASLR offset, page-table
// root, vmlinux by build ID; user space: the core's segments and the executable), and
// turning global DIEs into Objects.
#include "program/program.h"

#include <dwarf.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "debuginfo/debug_file_probe.h"
#include "debuginfo/symbol_pack.h"
#include "kdive/error.h"
#include "program/dump_debug_info_loader.h"
#include "program/kernel_debug_files.h"
#include "program/kernel_object_finder.h"
#include "target/kernel_paging.h"
#include "target/kernel_virtual_memory.h"
#include "target/live_process_memory.h"
#include "target/page_table_walker.h"
#include "unwind/frame_variables.h"

namespace kdive {

Program::~Program() = default;

std::unique_ptr<Program> Program::open(const std::string& core_path, const ProgramOptions& options) {
  std::unique_ptr<Program> p(new Program());
  p->core_ = open_core(core_path);
  p->arena_ = std::make_unique<TypeArena>();
  p->debug_info_ = std::make_unique<DebugInfo>(*p->arena_);
  for (const std::string& w : p->core_->warnings()) p->warnings_.push_back(w);
  if (p->core_->is_kernel()) {
    p->setup_kernel();
    p->load_kernel_debug_info(options);
  } else {
    p->setup_user(options);
    p->setup_object_env();
  }
  return p;
}

namespace {
// The memory of a Program opened without a dump.
class NoDumpMemory final : public MemoryReader {
 public:
  void read(uint64_t address, void*, size_t, AddressSpace) const override {
    throw FaultError(address, "no dump was given (-c): only debug info is loaded");
  }
};
}  // namespace

// vmlinux links its image at __START_KERNEL_map (its e_entry is a physical address, so
// the program headers tell, not the entry point).
static bool maps_kernel_image(const ElfFile& f) {
  size_t n = 0;
  if (elf_getphdrnum(f.elf(), &n) != 0) return false;
  for (size_t i = 0; i < n; ++i) {
    GElf_Phdr ph;
    if (gelf_getphdr(f.elf(), static_cast<int>(i), &ph) && ph.p_type == PT_LOAD && ph.p_vaddr >= kStartKernelMap)
      return true;
  }
  return false;
}

std::unique_ptr<Program> Program::open_debug_info(const ProgramOptions& options) {
  std::unique_ptr<Program> p(new Program());
  p->arena_ = std::make_unique<TypeArena>();
  p->debug_info_ = std::make_unique<DebugInfo>(*p->arena_);
  p->owned_memory_ = std::make_unique<NoDumpMemory>();
  p->memory_ = p->owned_memory_.get();
  for (const std::string& path : options.debug_paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) continue;
    ElfFile probe(path);
    // A symbol pack: its symbols (as linked: no dump, no KASLR offset) and BTF types,
    // for the commands that need no dump (ptype, layout, sizeof).
    if (is_symbol_pack(probe)) {
      SymbolTables t = read_symbol_tables(probe);
      auto btf = BtfTypes::parse(std::move(t.btf), *p->arena_, path + " BTF");
      p->debug_info_->set_dump_debug_info(std::make_unique<DumpDebugInfo>(
          KallsymsTable::from_symbols(std::move(t.symbols), "symbol pack " + path), std::move(btf), *p->arena_));
      p->debug_is_kernel_ = true;
      continue;
    }
    // vmlinux is an executable whose sections sit in the kernel's half of the address
    // space; .ko files are relocatable; anything else is user space.
    DebugModule::Kind kind = DebugModule::Kind::User;
    std::string name;
    if (probe.header().e_type == ET_REL) {
      kind = DebugModule::Kind::KernelModule;
      name = std::filesystem::path(path).stem().string();
    } else if (maps_kernel_image(probe)) {
      kind = DebugModule::Kind::Kernel;
      name = "vmlinux";
      p->debug_is_kernel_ = true;
    }
    p->debug_info_->add_file(path, kind, 0, name);
  }
  p->setup_object_env();
  return p;
}

std::unique_ptr<Program> Program::open_live_process(int pid, const ProgramOptions& options) {
  std::unique_ptr<Program> p(new Program());
  p->arena_ = std::make_unique<TypeArena>();
  p->debug_info_ = std::make_unique<DebugInfo>(*p->arena_);
  p->owned_memory_ = std::make_unique<LiveProcessMemory>(pid);
  p->memory_ = p->owned_memory_.get();
  // The executable's load bias, as for a core: AT_ENTRY (auxv type 9) minus e_entry.
  uint64_t at_entry = 0;
  std::string auxv_path = fmt::format("/proc/{}/auxv", pid);
  std::ifstream auxv(auxv_path, std::ios::binary);
  if (!auxv) throw OsError(errno, auxv_path);
  for (uint64_t pair[2]; auxv.read(reinterpret_cast<char*>(pair), sizeof pair);)
    if (pair[0] == 9) at_entry = pair[1];
  std::vector<std::string> files = options.debug_paths;
  if (files.empty()) {
    std::error_code ec;
    std::string exe = std::filesystem::read_symlink(fmt::format("/proc/{}/exe", pid), ec).string();
    if (ec) throw OsError(ec.value(), fmt::format("/proc/{}/exe", pid));
    files.push_back(exe);
  }
  for (const std::string& path : files) {
    ElfFile probe(path);
    uint64_t bias = 0;
    if (probe.header().e_type == ET_DYN && at_entry) bias = at_entry - probe.header().e_entry;
    p->debug_info_->add_file(path, DebugModule::Kind::User, bias);
  }
  p->setup_object_env();
  return p;
}

const CoreDump& Program::core() const {
  if (!core_) throw UsageError("this needs a dump (-c CORE): none was opened");
  return *core_;
}

std::string Program::kernel_release() const {
  if (vmcoreinfo_) {
    std::string r = vmcoreinfo_->osrelease();
    if (!r.empty()) return r;
  }
  return core_ ? core_->header_release().value_or("") : "";
}

void Program::setup_kernel() {
  const CoreNotes& notes = core_->notes();
  if (notes.vmcoreinfo) {
    vmcoreinfo_ = Vmcoreinfo::parse(*notes.vmcoreinfo);
    vmcoreinfo_source_ = core_->format() == CoreFormat::Kdump || core_->format() == CoreFormat::KdumpFlattened
                             ? "kdump header" : "ELF note";
  }
  if (!vmcoreinfo_) {
    throw MissingDebugInfoError(fmt::format(
        "{}: the dump has no VMCOREINFO (QEMU dumps need `-device vmcoreinfo` and the guest's "
        "qemu_fw_cfg module)", core_->path()));
  }
  kaslr_offset_ = vmcoreinfo_->kernel_offset().value_or(0);
  const MemoryReader* phys = core_->physical_memory();
  if (!phys) throw BadDataError(fmt::format("{}: kernel dump without physical memory", core_->path()));

  KernelPaging paging = kernel_paging(*vmcoreinfo_, *core_);
  kernel_memory_ = std::make_unique<KernelVirtualMemory>(*phys, PageTableWalker(*phys, paging.root, paging.levels));
  memory_ = kernel_memory_.get();
}

// Whether the ELF file at `path` satisfies `test`; false when it does not open: a broken
// file is reported where it is loaded (or replaced through debuginfod), as before.
static bool opens_as(const std::string& path, bool (*test)(const ElfFile&)) {
  try {
    return test(ElfFile(path));
  } catch (const Error&) {
    return false;
  }
}

void Program::load_kernel_debug_info(const ProgramOptions& options) {
  if (options.no_debug_info) {
    load_kernel_dump_debug_info("debug files ignored (--no-debug-info)");
    return;
  }
  KernelDebugFiles files = find_kernel_debug_files(options.debug_paths, kernel_release());
  // A symbol pack given or found is what the user chose: debuginfod is not asked for a
  // vmlinux in its place.
  if (!files.vmlinux.empty() && opens_as(files.vmlinux, is_symbol_pack)) {
    load_kernel_pack_debug_info(files.vmlinux, options);
    return;
  }
  // What is not on disk, by build ID from $DEBUGINFOD_URLS (nothing when unset).
  std::optional<DebuginfodClient> debuginfod;
  if (options.use_debuginfod) debuginfod.emplace(DebuginfodClient::from_environment(options.show_progress));
  if (debuginfod && debuginfod->enabled())
    for (std::string& w : fetch_missing_kernel_debug_files(*debuginfod, files, vmcoreinfo_->build_id(), {})) {
      notices_.push_back(w);
      warnings_.push_back(std::move(w));
    }
  if (files.vmlinux.empty()) {
    load_kernel_dump_debug_info(fmt::format("no vmlinux found for kernel {} (give it with -s; searched {})",
                                            kernel_release(), files.searched));
    return;
  }
  // A vmlinux without DWARF but with .symtab and .BTF (DWARF stripped) is read as a pack is.
  if (!probe_debug_file(files.vmlinux).has_dwarf && opens_as(files.vmlinux, has_symbol_tables)) {
    load_kernel_pack_debug_info(files.vmlinux, options);
    return;
  }
  DebugModule& vmlinux = debug_info_->add_file(files.vmlinux, DebugModule::Kind::Kernel, kaslr_offset_, "vmlinux");
  check_kernel_build_id(files.vmlinux, vmlinux.elf().build_id(), options);
  if (!vmlinux.has_dwarf()) warnings_.push_back(files.vmlinux + ": no DWARF debug info");
  setup_object_env();
  load_kernel_module_debug_info(files, debuginfod && debuginfod->enabled() ? &*debuginfod : nullptr);
}

// No vmlinux with DWARF: the dump's kallsyms and BTF stand in (issue 15). When they
// cannot (Linux < 6.0 lists no kallsyms in VMCOREINFO), the error says both why no
// debug file was used and why the dump cannot replace it.
void Program::load_kernel_dump_debug_info(const std::string& why) {
  std::vector<std::string> warnings;
  std::unique_ptr<DumpDebugInfo> dump;
  try {
    dump = read_dump_debug_info(*vmcoreinfo_, *memory_, *arena_, warnings);
  } catch (const Error& e) {
    // What debuginfod said (the notices so far) belongs to the reason too.
    std::string asked;
    for (const std::string& n : notices_) asked += "; " + n;
    throw MissingDebugInfoError(fmt::format(
        "{}{}; and the dump cannot stand in for it: {} (Debian ships it in linux-image-*-dbg; a debuginfod "
        "server in DEBUGINFOD_URLS can supply it too)",
        why, asked, e.what()));
  }
  warnings_.push_back(fmt::format("{}: using the dump's kallsyms{}; no source lines, inline frames or local "
                                  "variables", why, dump->btf() ? " and BTF" : ""));
  notices_.push_back(warnings_.back());
  for (std::string& w : warnings) warnings_.push_back(std::move(w));
  install_dump_debug_info(std::move(dump));
}

// The kernel debug file (vmlinux or symbol pack) must be the dumped kernel's build.
void Program::check_kernel_build_id(const std::string& path, const std::string& file_id,
                                    const ProgramOptions& options) {
  std::string dump_id = vmcoreinfo_->build_id();
  if (!dump_id.empty() && !file_id.empty() && dump_id != file_id && !options.allow_build_id_mismatch) {
    throw MissingDebugInfoError(fmt::format(
        "{} does not match the dump: its build ID is {}, the dump's is {} "
        "(use --allow-build-id-mismatch to open anyway)",
        path, file_id, dump_id));
  }
  if (!dump_id.empty() && file_id.empty())
    warnings_.push_back(path + ": no build ID, so it cannot be checked against the dump's " + dump_id);
}

void Program::load_kernel_pack_debug_info(const std::string& path, const ProgramOptions& options) {
  SymbolTables tables = read_symbol_tables(ElfFile(path));
  check_kernel_build_id(path, tables.build_id, options);
  // Addresses as linked; the kernel image moved by the KASLR offset. Per-CPU symbols
  // (offsets into the per-CPU area, linked at 0 up to 6.x) and absolute numbers stay.
  for (KallsymsSymbol& s : tables.symbols)
    if (s.address >= kStartKernelMap) s.address += kaslr_offset_;
  std::string source = fmt::format("{} {}", tables.pack ? "symbol pack" : "symbol table of", path);
  KallsymsTable symbols = KallsymsTable::from_symbols(std::move(tables.symbols), source);
  std::unique_ptr<BtfTypes> btf;
  try {
    btf = BtfTypes::parse(std::move(tables.btf), *arena_, path + " BTF");
  } catch (const Error& e) {
    warnings_.push_back(fmt::format("{}: BTF unusable ({}): symbols only, no types", path, e.what()));
  }
  auto dump = std::make_unique<DumpDebugInfo>(std::move(symbols), std::move(btf), *arena_);
  warnings_.push_back(fmt::format("{}: symbols and types from {} (no DWARF); modules from the dump's kallsyms and "
                                  "BTF; no source lines, inline frames or local variables",
                                  path, tables.pack ? "this symbol pack" : "its .symtab and .BTF"));
  notices_.push_back(warnings_.back());
  install_dump_debug_info(std::move(dump));
}

void Program::install_dump_debug_info(std::unique_ptr<DumpDebugInfo> dump) {
  debug_info_->set_dump_debug_info(std::move(dump));
  setup_object_env();
  try {
    loaded_modules_ = loaded_kernel_modules(*this, warnings_);
  } catch (const Error& e) {
    warnings_.push_back(std::string("cannot list loaded modules: ") + e.what());
    return;
  }
  add_dump_module_debug_info(*this, loaded_modules_, warnings_);
  for (const LoadedKernelModule& m : loaded_modules_) missing_module_debug_info_.push_back(m.name);
}

void Program::load_kernel_module_debug_info(KernelDebugFiles& files, const DebuginfodClient* debuginfod) {
  std::vector<LoadedKernelModule> loaded;
  try {
    loaded = loaded_kernel_modules(*this, warnings_);
  } catch (const Error& e) {
    warnings_.push_back(std::string("cannot list loaded modules: ") + e.what());
    return;
  }
  // Module build IDs are read through vmlinux's types, so their fetch comes second.
  if (debuginfod)
    for (std::string& w : fetch_missing_kernel_debug_files(*debuginfod, files, "",
                                                           loaded_module_build_ids(*this, loaded, warnings_)))
      warnings_.push_back(std::move(w));
  for (LoadedKernelModule& m : loaded) {
    std::string file = files.module_file(m.name);
    if (file.empty()) {
      missing_module_debug_info_.push_back(m.name);
      continue;
    }
    // Without the loaded sections' addresses the .ko cannot be relocated: loading it
    // anyway would place its globals and functions at their file offsets — wrong
    // answers. The module is still listed; its debug info says why it is missing.
    if (m.sections.empty()) {
      warnings_.push_back(fmt::format("module {}: debug info not loaded: the addresses of its sections are "
                                      "unreadable in this dump", m.name));
      missing_module_debug_info_.push_back(m.name);
      continue;
    }
    try {
      debug_info_->add_file(file, DebugModule::Kind::KernelModule, 0, m.name, &m.sections, m.freed_sections);
    } catch (const Error& e) {
      warnings_.push_back(fmt::format("module {}: {}", m.name, e.what()));
    }
  }
  loaded_modules_ = std::move(loaded);
}

void Program::setup_user(const ProgramOptions& options) {
  memory_ = core_->virtual_segments();
  if (!memory_) throw BadDataError(fmt::format("{}: core has no memory segments", core_->path()));
  // The executable's load bias: AT_ENTRY (auxv type 9) minus the file's e_entry.
  uint64_t at_entry = 0;
  for (const AuxvEntry& a : core_->notes().auxv)
    if (a.type == 9) at_entry = a.value;
  for (const std::string& path : options.debug_paths) {
    ElfFile probe(path);
    uint64_t bias = 0;
    if (probe.header().e_type == ET_DYN && at_entry) bias = at_entry - probe.header().e_entry;
    debug_info_->add_file(path, DebugModule::Kind::User, bias);
  }
}

void Program::setup_object_env() {
  env_ = ObjectEnv::lp64(memory_, arena_.get(), debug_info_.get());
  // drgn prints pointer differences and sizes with the program's own typedefs.
  if (QualifiedType t = find_type(TypeKind::Typedef, "ptrdiff_t"); t.type) env_.prim.ptrdiff_t_type = t.type;
  if (QualifiedType t = find_type(TypeKind::Typedef, "size_t"); t.type) env_.prim.size_t_type = t.type;
}

QualifiedType Program::find_type(TypeKind kind, std::string_view name) {
  return debug_info_->find_type(kind, name);
}

QualifiedType Program::find_type(std::string_view type_name) {
  TypeNameParser parser(*arena_, *this);
  return parser.parse(type_name);
}

std::optional<Object> Program::find_object(std::string_view name) { return find_object(name, kGlobalAny); }

std::optional<Object> Program::find_object(std::string_view name, GlobalKinds kinds) {
  auto wanted = [kinds](IndexTag tag) {
    uint8_t kind = tag == IndexTag::Function ? kGlobalFunction : tag == IndexTag::Variable ? kGlobalVariable : kGlobalConstant;
    return (kinds & kind) != 0;
  };
  // An object with storage or a value wins over an absent one (a dropped static or a
  // declaration in one file, the definition in another module).
  std::optional<Object> absent;
  for (const GlobalDie& g : debug_info_->find_globals(name)) {
    if (!wanted(g.entry.tag)) continue;
    std::optional<Object> o = object_from_die(g);
    if (!o) continue;
    if (!o->is_absent()) return o;
    if (!absent) absent = std::move(o);
  }
  if (!absent)
    if (DumpDebugInfo* dump = debug_info_->dump_debug_info())
      if (std::optional<DumpGlobal> g = dump->find_global(name)) {
        switch (g->kind) {
          case DumpGlobal::Kind::Constant:
            if (kinds & kGlobalConstant)
              return g->type.type->is_signed() ? Object::signed_value(env_, g->type, static_cast<int64_t>(g->value))
                                               : Object::unsigned_value(env_, g->type, g->value);
            break;
          case DumpGlobal::Kind::Function:
            if (kinds & kGlobalFunction) return Object::reference(env_, g->type, g->address);
            break;
          case DumpGlobal::Kind::Variable:
            if (kinds & kGlobalVariable) return Object::reference(env_, g->type, g->address);
            break;
        }
      }
  if (!absent && (kinds & kGlobalConstant))
    if (std::optional<Object> k = find_kernel_constant(*this, name)) return k;
  return absent;
}

// x86-64 user space (TLS variant II, as glibc lays it out): the executable's TLS block
// ends at the thread pointer (fs_base), so a variable at offset `off` of its PT_TLS
// segment is at fs_base - roundup(p_memsz, p_align) + off. The thread is the one that
// crashed (the first NT_PRSTATUS). Shared libraries' blocks sit at offsets only the
// dynamic linker's data knows: their variables are absent, with the reason.
std::optional<Object> Program::thread_local_object(const DebugModule& m, QualifiedType type, uint64_t offset) {
  if (is_kernel() || !core_ || core_->notes().prstatus.empty())
    return Object::absent(env_, type, "thread-local variable without a thread");
  Elf* elf = m.elf().elf();
  size_t n = 0;
  if (elf_getphdrnum(elf, &n) != 0) return std::nullopt;
  bool executable = m.elf().header().e_type == ET_EXEC;
  std::optional<GElf_Phdr> tls;
  for (size_t i = 0; i < n; ++i) {
    GElf_Phdr ph;
    if (!gelf_getphdr(elf, static_cast<int>(i), &ph)) continue;
    if (ph.p_type == PT_INTERP) executable = true;
    if (ph.p_type == PT_TLS) tls = ph;
  }
  if (!tls) return std::nullopt;
  if (!executable) return Object::absent(env_, type, "thread-local variable of a shared library");
  uint64_t align = tls->p_align ? tls->p_align : 1;
  uint64_t block = (tls->p_memsz + align - 1) / align * align;
  uint64_t tp = core_->notes().prstatus.front().regs.fs_base;
  return Object::reference(env_, type, tp - block + offset);
}

std::optional<Object> Program::object_from_die(const GlobalDie& g) {
  DebugModule& m = *g.module;
  Dwarf* dw = m.elf().dwarf();
  Dwarf_Die die;
  if (!dwarf_offdie(dw, g.entry.die_offset, &die)) return std::nullopt;
  std::string name = dwarf_diename(&die) ? dwarf_diename(&die) : "";
  switch (g.entry.tag) {
    case IndexTag::Enumerator: {
      QualifiedType et = m.types().type_at(g.entry.parent_offset);
      for (const TypeEnumerator& e : et.type->enumerators()) {
        if (e.name == name) {
          return et.type->is_signed() ? Object::signed_value(env_, et, static_cast<int64_t>(e.value))
                                      : Object::unsigned_value(env_, et, e.value);
        }
      }
      return std::nullopt;
    }
    case IndexTag::Function: {
      Dwarf_Addr low;
      QualifiedType ft = m.types().type_at(g.entry.die_offset);
      if (dwarf_lowpc(&die, &low) == 0) return Object::reference(env_, ft, m.relocate(low));
      // Only inlined (DW_AT_inline, no code of its own under this DIE): an out-of-line
      // copy, if the compiler emitted one, has the ELF symbol; else the function is
      // absent, as drgn reports it.
      for (const Symbol& sym : m.symbols().lookup(name))
        if (sym.is_function && sym.address) return Object::reference(env_, ft, sym.address);
      return Object::absent(env_, ft);
    }
    case IndexTag::Variable: {
      QualifiedType t = m.types().type_of(&die);
      Dwarf_Attribute a;
      if (dwarf_attr(&die, DW_AT_location, &a)) {
        Dwarf_Op* ops;
        size_t nops;
        if (dwarf_getlocation(&a, &ops, &nops) == 0 && nops == 1 && ops[0].atom == DW_OP_addr)
          return Object::reference(env_, t, m.relocate(ops[0].number));
        if (nops == 2 && (ops[1].atom == DW_OP_form_tls_address || ops[1].atom == DW_OP_GNU_push_tls_address))
          return thread_local_object(m, t, ops[0].number);
        return std::nullopt;
      }
      if (dwarf_attr_integrate(&die, DW_AT_const_value, &a)) return const_value_object(env_, t, &a);
      // Neither storage nor a value. A definition whose storage the compiler dropped
      // (`static const int tbl[5];` unused at -O2: no DW_AT_location, DWARF 5 §4.1
      // item 4) is absent, as drgn prints it: (const int [5])<absent>. Its name is no
      // ELF symbol of its own: a symbol so named is another file's static.
      Dwarf_Attribute decl;
      bool is_declaration = dwarf_attr_integrate(&die, DW_AT_declaration, &decl) != nullptr;
      if (!is_declaration) return Object::absent(env_, t, "optimized out: no location");
      // A declaration (e.g. jiffies, defined by the linker script): the ELF symbol gives
      // the address, the declaration the type. An extern defined in no loaded file is
      // absent too (drgn 0.0.22 does not resolve declarations: KeyError).
      for (const auto& mod : debug_info_->modules()) {
        auto syms = mod->symbols().lookup(name);
        if (!syms.empty()) return Object::reference(env_, t, syms.front().address);
      }
      return Object::absent(env_, t, "declared but not defined in the loaded files");
    }
    default: return std::nullopt;
  }
}

}  // namespace kdive
