// StackTraceEngine: where traces start. Kernel: a task on a CPU starts from that CPU's
// saved registers (PRSTATUS, or QEMU's CPU note when PRSTATUS lacks them); a sleeping
// task from its switch frame (task->thread.sp points at struct inactive_task_frame,
// whose layout comes from DWARF). The crashed CPU is `panic_cpu` (QEMU dumps have no
// crash marker and PRSTATUS carries CPU+1, not a PID: DESIGN §4). User cores: one
// PRSTATUS per thread. Code modules: vmlinux (ORC + .debug_frame), loaded kernel
// modules (their ORC tables as the kernel sorted them in memory), executables and the
// shared libraries of NT_FILE (.eh_frame; DWARF from /usr/lib/debug/.build-id).
#include "program/stack_trace.h"

#include <algorithm>
#include <map>

#include <elfutils/libdw.h>
#include <fmt/format.h>
#include <gelf.h>

#include "debuginfo/elf_file.h"
#include "debuginfo/symbol_table.h"
#include "kdive/error.h"
#include "program/return_trampolines.h"
#include "types/type_layout.h"
#include "unwind/orc_format.h"

namespace kdive {

namespace {

struct CodeRange {
  uint64_t start = 0, end = 0;
  Dwarf* dwarf = nullptr;
  uint64_t dwarf_bias = 0;
  DwarfTypeTranslator* types = nullptr;
  const OrcTable* orc = nullptr;
  const std::string* orc_error = nullptr;  // ORC data present but its format unknown
  Dwarf_CFI* cfi = nullptr;
  uint64_t cfi_bias = 0;
  const SymbolTable* symbols = nullptr;  // for files DebugInfo does not know
  // A kernel module's debug file, placed section by section: the bias depends on
  // the section the PC is in (DebugModule::unrelocate).
  const DebugModule* placed = nullptr;
};

// Executable PT_LOAD ranges of an ELF file, at file addresses.
std::vector<std::pair<uint64_t, uint64_t>> text_ranges(Elf* elf) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  size_t n = 0;
  if (elf_getphdrnum(elf, &n) != 0) return out;
  for (size_t i = 0; i < n; ++i) {
    GElf_Phdr ph;
    if (!gelf_getphdr(elf, static_cast<int>(i), &ph)) continue;
    if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X)) out.emplace_back(ph.p_vaddr, ph.p_vaddr + ph.p_memsz);
  }
  return out;
}

// Allocated executable sections of a vmlinux, adjacent ones merged. Not its PF_X
// segments: Debian's 7.2 links .init.text into the RW segment, and the idle task of
// CPU 0 still returns through start_kernel there.
std::vector<std::pair<uint64_t, uint64_t>> kernel_text_ranges(Elf* elf) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || sh.sh_size == 0) continue;
    if ((sh.sh_flags & (SHF_ALLOC | SHF_EXECINSTR)) != (SHF_ALLOC | SHF_EXECINSTR)) continue;
    out.emplace_back(sh.sh_addr, sh.sh_addr + sh.sh_size);
  }
  std::sort(out.begin(), out.end());
  std::vector<std::pair<uint64_t, uint64_t>> merged;
  for (auto r : out) {
    if (!merged.empty() && r.first <= merged.back().second) merged.back().second = std::max(merged.back().second, r.second);
    else merged.push_back(r);
  }
  return merged;
}

uint64_t section_address(const ElfFile& f, const char* name) {
  Elf_Scn* scn = f.find_section(name);
  GElf_Shdr sh;
  if (!scn || !gelf_getshdr(scn, &sh)) return 0;
  return sh.sh_addr;
}

}  // namespace

class ProgramFrameContext : public FrameContext {
 public:
  explicit ProgramFrameContext(Program& program) : program_(program) {
    if (program.is_kernel()) setup_kernel();
    else setup_user();
    std::sort(ranges_.begin(), ranges_.end(), [](const CodeRange& a, const CodeRange& b) { return a.start < b.start; });
  }

  const MemoryReader& memory() const override { return program_.memory(); }
  const ObjectEnv& object_env() const override { return program_.object_env(); }
  FrameScopes& scopes() override { return scopes_; }

  std::optional<SymbolInfo> symbolize(uint64_t pc) const override {
    if (auto s = program_.debug_info().symbolize(pc)) return s;
    if (const CodeRange* r = find(pc); r && r->symbols) {
      if (auto s = r->symbols->symbolize(pc)) return SymbolInfo{std::string(s->name), s->symbol_address, s->size, {}};
    }
    return std::nullopt;
  }

  std::optional<CodeModule> code_module(uint64_t pc) const override {
    const CodeRange* r = find(pc);
    if (!r || !r->dwarf) return std::nullopt;
    uint64_t bias = r->dwarf_bias;
    if (r->placed) {
      std::optional<uint64_t> file = r->placed->unrelocate(pc);
      if (!file) return std::nullopt;
      bias = pc - *file;
    }
    return CodeModule{r->dwarf, bias, r->types};
  }

  CodeUnwindInfo unwind_info(uint64_t pc) const override {
    const CodeRange* r = find(pc);
    if (!r) return {};
    uint64_t bias = r->cfi_bias;
    if (r->placed && r->cfi) {
      std::optional<uint64_t> file = r->placed->unrelocate(pc);
      if (!file) return CodeUnwindInfo{r->orc, nullptr, 0, r->orc_error};
      bias = pc - *file;
    }
    return CodeUnwindInfo{r->orc, r->cfi, bias, r->orc_error};
  }

  const OrcFormatResult& orc_format() const { return orc_format_; }

 private:
  const CodeRange* find(uint64_t pc) const {
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), pc,
                               [](uint64_t v, const CodeRange& r) { return v < r.start; });
    if (it == ranges_.begin()) return nullptr;
    --it;
    return pc < it->end ? &*it : nullptr;
  }

  // What tells vmlinux's ORC format (unwind/orc_format.h): DWARF struct orc_entry,
  // the .orc_header hash and the kernel's orc_fp_entry.
  OrcFormatEvidence orc_evidence(const ElfFile& elf) {
    OrcFormatEvidence ev = orc_evidence_from_program();
    if (auto h = elf.section_data(".orc_header")) ev.orc_header = std::vector<uint8_t>(h->begin(), h->end());
    return ev;
  }

  // The evidence the program's types and memory give: struct orc_entry's layout and
  // the kernel's orc_fp_entry.
  OrcFormatEvidence orc_evidence_from_program() {
    OrcFormatEvidence ev;
    ev.kernel_release = program_.kernel_release();
    try {
      QualifiedType t = underlying_type(program_.find_type("struct orc_entry"));
      if (t.type && t.type->kind() == TypeKind::Struct && t.type->is_complete()) {
        std::vector<OrcEntryMember> members;
        for (const TypeMember& m : t.type->members()) {
          uint64_t bits = m.bit_field_size ? m.bit_field_size : 8 * type_sizeof(m.type.get());
          members.push_back(OrcEntryMember{m.name, m.bit_offset, bits});
        }
        ev.entry_members = std::move(members);
      }
    } catch (const Error&) {
      // No type for it: the header alone must tell.
    }
    try {
      if (std::optional<Object> fp = program_.find_object("orc_fp_entry"); fp && fp->is_reference()) {
        std::array<uint8_t, 6> bytes{};
        program_.memory().read(fp->address(), bytes.data(), bytes.size());
        ev.fp_entry = bytes;
      }
    } catch (const Error&) {
      // Not in the dump (or no symbol): the other evidence decides.
    }
    return ev;
  }

  // No vmlinux (issue 15): vmlinux's ORC tables as the kernel has them in memory
  // (objtool's sections, sorted at build time by sorttable; bounded by the linker's
  // __start_/__stop_ symbols), over the text ranges kallsyms gives.
  void setup_dump_kernel(const DumpDebugInfo& dump) {
    auto addr = [&](const char* n) { return dump.symbol_address(n).value_or(0); };
    uint64_t ip_start = addr("__start_orc_unwind_ip"), ip_stop = addr("__stop_orc_unwind_ip");
    uint64_t orc_start = addr("__start_orc_unwind");
    const OrcTable* table = nullptr;
    const std::string* orc_error = nullptr;
    uint64_t n = ip_stop > ip_start ? (ip_stop - ip_start) / 4 : 0;
    if (!ip_start || !orc_start || n == 0 || n > (1u << 24)) {
      orc_format_.error = "kallsyms has no ORC tables (__start_orc_unwind_ip, __stop_orc_unwind_ip, __start_orc_unwind)";
      orc_error = &orc_format_.error;
    } else {
      OrcFormatEvidence ev = orc_evidence_from_program();
      uint64_t h_start = addr("__start_orc_header"), h_stop = addr("__stop_orc_header");
      if (h_start && h_stop > h_start && h_stop - h_start <= 64) {
        std::vector<uint8_t> h(h_stop - h_start);
        try {
          program_.memory().read(h_start, h.data(), h.size());
          ev.orc_header = std::move(h);
        } catch (const Error&) {
        }
      }
      orc_format_ = detect_orc_format(ev);
      if (orc_format_.format) {
        try {
          std::vector<uint8_t> ips(n * 4), orcs(n * 6);
          program_.memory().read(ip_start, ips.data(), ips.size());
          program_.memory().read(orc_start, orcs.data(), orcs.size());
          orc_tables_.push_back(std::make_unique<OrcTable>(ips, ip_start, orcs, "vmlinux ORC in the dump", *orc_format_.format));
          table = orc_tables_.back().get();
        } catch (const Error& e) {
          orc_format_.error = std::string("vmlinux ORC tables unreadable: ") + e.what();
          orc_error = &orc_format_.error;
        }
      } else {
        orc_error = &orc_format_.error;
      }
    }
    for (auto [lo, hi] : {std::pair{addr("_stext"), addr("_etext")}, std::pair{addr("_sinittext"), addr("_einittext")}}) {
      if (!lo || hi <= lo) continue;
      CodeRange r;
      r.start = lo;
      r.end = hi;
      r.orc = table;
      r.orc_error = orc_error;
      ranges_.push_back(r);
    }
  }

  void setup_kernel() {
    if (const DumpDebugInfo* dump = program_.debug_info().dump_debug_info()) setup_dump_kernel(*dump);
    for (const auto& m : program_.debug_info().modules()) {
      if (m->kind() != DebugModule::Kind::Kernel) continue;
      const ElfFile& elf = m->elf();
      uint64_t bias = m->bias();
      auto ip = elf.section_data(".orc_unwind_ip");
      auto orc = elf.section_data(".orc_unwind");
      const OrcTable* table = nullptr;
      const std::string* orc_error = nullptr;
      if (ip && orc) {
        orc_format_ = detect_orc_format(orc_evidence(elf));
        if (orc_format_.format) {
          orc_tables_.push_back(std::make_unique<OrcTable>(*ip, section_address(elf, ".orc_unwind_ip") + bias, *orc,
                                                           elf.path(), *orc_format_.format));
          table = orc_tables_.back().get();
        } else {
          orc_error = &orc_format_.error;
        }
      } else {
        orc_format_.error = "vmlinux has no ORC tables (.orc_unwind, .orc_unwind_ip)";
      }
      Dwarf* dw = elf.dwarf();
      Dwarf_CFI* cfi = dw ? dwarf_getcfi(dw) : nullptr;
      for (auto [lo, hi] : kernel_text_ranges(elf.elf())) {
        CodeRange r;
        r.start = lo + bias;
        r.end = hi + bias;
        r.dwarf = dw;
        r.dwarf_bias = bias;
        r.types = &m->types();
        r.orc = table;
        r.orc_error = orc_error;
        r.cfi = cfi;
        r.cfi_bias = bias;
        ranges_.push_back(r);
      }
    }
    try {
      setup_kernel_modules();
    } catch (const Error&) {
      // Without the module list, module frames have no ORC; traces through them end
      // with a reason instead.
    }
  }

  // Loaded modules' ORC tables, from `struct module`'s arch.orc_unwind_ip/orc_unwind
  // (sorted at load time) and the text range of core_layout (6.1) or mem[MOD_TEXT].
  void setup_kernel_modules() {
    std::optional<Object> head = program_.find_object("modules");
    if (!head) return;
    QualifiedType module_type = program_.find_type("struct module");
    const MemoryReader& mem = program_.memory();
    uint64_t head_addr = head->address();
    uint64_t list_off = 0;
    {
      Object probe = Object::reference(program_.object_env(), module_type, 0);
      list_off = probe.member("list").address();
    }
    // 6.4 replaced core_layout by mem[MOD_TEXT = 0] (struct module_memory).
    bool core_layout = find_member(module_type, "core_layout").has_value();
    uint64_t node = head->member("next").as_unsigned();
    for (int guard = 0; node != head_addr && guard < 4096; ++guard) {
      Object mod = Object::reference(program_.object_env(), module_type, node - list_off);
      node = mod.member("list").member("next").as_unsigned();
      uint64_t base = 0, size = 0;
      if (core_layout) {
        Object layout = mod.member("core_layout");
        base = layout.member("base").as_unsigned();
        size = layout.member("text_size").as_unsigned();
      } else {
        Object text = mod.member("mem").subscript(0);
        base = text.member("base").as_unsigned();
        size = text.member("size").as_unsigned();
      }
      Object arch = mod.member("arch");
      uint64_t n = arch.member("num_orcs").as_unsigned();
      uint64_t ip_addr = arch.member("orc_unwind_ip").as_unsigned();
      uint64_t orc_addr = arch.member("orc_unwind").as_unsigned();
      CodeRange r;
      r.start = base;
      r.end = base + size;
      // A module's ORC has vmlinux's format: since 6.4 the kernel refuses a module
      // whose .orc_header differs, and before that there was one format per release.
      if (n > 0 && n < (1u << 22) && orc_format_.format) {
        std::vector<uint8_t> ips(n * 4), orcs(n * 6);
        mem.read(ip_addr, ips.data(), ips.size());
        mem.read(orc_addr, orcs.data(), orcs.size());
        orc_tables_.push_back(std::make_unique<OrcTable>(ips, ip_addr, orcs, mod.member("name").read_c_string(64),
                                                         *orc_format_.format));
        r.orc = orc_tables_.back().get();
      } else if (n > 0 && !orc_format_.format) {
        r.orc_error = &orc_format_.error;
      }
      // Its debug file, when one was loaded and placed at this module's sections.
      for (const auto& m : program_.debug_info().modules()) {
        if (m->kind() != DebugModule::Kind::KernelModule || !m->unrelocate(base)) continue;
        r.placed = m.get();
        r.dwarf = m->elf().dwarf();
        r.types = &m->types();
        r.cfi = r.dwarf ? dwarf_getcfi(r.dwarf) : nullptr;
        break;
      }
      if (size) ranges_.push_back(r);
    }
  }

  void setup_user() {
    for (const auto& m : program_.debug_info().modules()) {
      const ElfFile& elf = m->elf();
      add_user_file(elf, m->bias(), elf.dwarf(), &m->types(), nullptr);
      known_paths_.push_back(elf.path());
    }
    // Shared libraries: the NT_FILE mapping at offset 0 gives each one's base.
    std::map<std::string, uint64_t> bases;
    if (!program_.has_core()) return;
    for (const FileMapping& fm : program_.core().notes().files)
      if (fm.file_offset == 0 && !bases.count(fm.path)) bases[fm.path] = fm.start;
    for (const auto& [path, start] : bases) {
      bool known = false;
      for (const auto& kp : known_paths_) known |= kp == path;
      if (known) continue;
      try {
        auto f = std::make_unique<ElfFile>(path);
        if (f->header().e_type != ET_DYN) continue;
        uint64_t first_vaddr = UINT64_MAX;
        size_t n = 0;
        elf_getphdrnum(f->elf(), &n);
        for (size_t i = 0; i < n; ++i) {
          GElf_Phdr ph;
          if (gelf_getphdr(f->elf(), static_cast<int>(i), &ph) && ph.p_type == PT_LOAD)
            first_vaddr = std::min<uint64_t>(first_vaddr, ph.p_vaddr & ~0xfffull);
        }
        if (first_vaddr == UINT64_MAX) continue;
        uint64_t bias = start - first_vaddr;
        // Separate debug info by build ID (Debian's -dbg packages).
        Dwarf* dw = nullptr;
        DwarfTypeTranslator* types = nullptr;
        const std::string& id = f->build_id();
        if (id.size() > 2) {
          std::string dbg = fmt::format("/usr/lib/debug/.build-id/{}/{}.debug", id.substr(0, 2), id.substr(2));
          try {
            auto d = std::make_unique<ElfFile>(dbg);
            if (d->has_dwarf()) {
              dw = d->dwarf();
              translators_.push_back(std::make_unique<DwarfTypeTranslator>(dw, program_.types(), dbg));
              types = translators_.back().get();
              files_.push_back(std::move(d));
            }
          } catch (const Error&) {
          }
        }
        uint64_t b = bias;
        symbol_tables_.push_back(std::make_unique<SymbolTable>(*f, [b](uint64_t a) { return a + b; }));
        add_user_file(*f, bias, dw, types, symbol_tables_.back().get());
        files_.push_back(std::move(f));
      } catch (const Error&) {
        // A library that is gone or unreadable: its frames unwind by frame pointer.
      }
    }
  }

  void add_user_file(const ElfFile& elf, uint64_t bias, Dwarf* dw, DwarfTypeTranslator* types,
                     const SymbolTable* symbols) {
    Dwarf_CFI* cfi = dwarf_getcfi_elf(elf.elf());
    for (auto [lo, hi] : text_ranges(elf.elf())) {
      CodeRange r;
      r.start = lo + bias;
      r.end = hi + bias;
      r.dwarf = dw;
      r.dwarf_bias = bias;
      r.types = types;
      r.cfi = cfi;
      r.cfi_bias = bias;
      r.symbols = symbols;
      ranges_.push_back(r);
    }
  }

  Program& program_;
  FrameScopes scopes_;
  std::vector<CodeRange> ranges_;
  OrcFormatResult orc_format_;
  std::vector<std::unique_ptr<OrcTable>> orc_tables_;
  std::vector<std::unique_ptr<ElfFile>> files_;
  std::vector<std::unique_ptr<SymbolTable>> symbol_tables_;
  std::vector<std::unique_ptr<DwarfTypeTranslator>> translators_;
  std::vector<std::string> known_paths_;
};

StackTraceEngine::StackTraceEngine(Program& program)
    : program_(program), context_(std::make_unique<ProgramFrameContext>(program)) {}
StackTraceEngine::~StackTraceEngine() = default;

FrameContext& StackTraceEngine::context() { return *context_; }

const OrcFormatResult& StackTraceEngine::orc_format() const { return context_->orc_format(); }

std::string StackTraceEngine::orc_format_description() const {
  if (!program_.is_kernel()) return "ORC: none (not a kernel)";
  return describe_orc_format(orc_format());
}

namespace {

// A full saved register set: the general registers, and rflags and the segment
// registers, which drgn also reports for such a frame.
RegisterState registers_of(const X86_64Regs& g) {
  RegisterState r = RegisterState::from_array(g.dwarf());
  for (auto [reg, value] : {std::pair{kRegRflags, g.eflags}, {kRegEs, g.es}, {kRegCs, g.cs}, {kRegSs, g.ss},
                            {kRegDs, g.ds}, {kRegFs, g.fs}, {kRegGs, g.gs}, {kRegFsBase, g.fs_base},
                            {kRegGsBase, g.gs_base}})
    r.set(reg, value);
  return r;
}

RegisterState registers_of(const QemuCpuState& q) {
  RegisterState r = RegisterState::from_array(q.dwarf());
  for (auto [reg, value] : {std::pair{kRegRflags, q.rflags}, {kRegEs, uint64_t{q.es.selector}},
                            {kRegCs, uint64_t{q.cs.selector}}, {kRegSs, uint64_t{q.ss.selector}},
                            {kRegDs, uint64_t{q.ds.selector}}, {kRegFs, uint64_t{q.fs.selector}},
                            {kRegGs, uint64_t{q.gs.selector}}, {kRegFsBase, q.fs.base}, {kRegGsBase, q.gs.base}})
    r.set(reg, value);
  return r;
}

}  // namespace

RegisterState StackTraceEngine::cpu_registers(int cpu) const {
  const CoreNotes& notes = program_.core().notes();
  if (cpu >= 0 && static_cast<size_t>(cpu) < notes.prstatus.size())
    return registers_of(notes.prstatus[static_cast<size_t>(cpu)].regs);
  if (cpu >= 0 && static_cast<size_t>(cpu) < notes.qemu_cpus.size())
    return registers_of(notes.qemu_cpus[static_cast<size_t>(cpu)]);
  throw LookupError(fmt::format("no saved registers for CPU {}", cpu));
}

void StackTraceEngine::read_cpu_curr() {
  if (cpu_curr_read_) return;
  cpu_curr_read_ = true;
  const CoreNotes& notes = program_.core().notes();
  size_t ncpus = std::max(notes.prstatus.size(), notes.qemu_cpus.size());
  std::optional<Object> rq = program_.find_object("runqueues");
  std::optional<Object> offsets = program_.find_object("__per_cpu_offset");
  if (!rq || !offsets) return;
  QualifiedType rq_type = rq->type();
  for (size_t cpu = 0; cpu < ncpus; ++cpu) {
    uint64_t off = offsets->subscript(static_cast<int64_t>(cpu)).as_unsigned();
    Object r = Object::reference(program_.object_env(), rq_type, rq->address() + off);
    cpu_curr_.push_back(r.member("curr").as_unsigned());
  }
}

std::optional<int> StackTraceEngine::running_cpu(const Object& task) {
  read_cpu_curr();
  uint64_t addr = task.address();
  for (size_t i = 0; i < cpu_curr_.size(); ++i)
    if (cpu_curr_[i] == addr) return static_cast<int>(i);
  return std::nullopt;
}

ThreadRef StackTraceEngine::make_thread(const Object& task) {
  ThreadRef t;
  t.task = task;
  t.pid = task.member("pid").as_signed();
  t.comm = task.member("comm").read_c_string(16);
  if (auto cpu = running_cpu(task)) t.cpu = *cpu;
  return t;
}

ThreadRef StackTraceEngine::thread_of_task(const Object& task) {
  if (!program_.is_kernel()) throw TypeError("tasks exist only in kernel dumps");
  Object t = task;
  if (t.underlying().type && t.underlying().type->kind() == TypeKind::Pointer) t = t.dereference();
  return make_thread(t);
}

ThreadRef StackTraceEngine::crashed_thread() {
  if (!program_.is_kernel()) {
    const CoreNotes& notes = program_.core().notes();
    if (notes.prstatus.empty()) throw LookupError("core has no threads (no NT_PRSTATUS)");
    ThreadRef t;
    t.pid = notes.prstatus[0].pid;
    t.cpu = 0;
    if (notes.prpsinfo) t.comm = notes.prpsinfo->fname;
    return t;
  }
  int cpu = -1;
  for (const char* name : {"panic_cpu", "crashing_cpu"}) {
    if (std::optional<Object> o = program_.find_object(name)) {
      Object v = *o;
      if (v.underlying().type && v.underlying().type->kind() == TypeKind::Struct) v = v.member("counter");
      int64_t c = v.as_signed();
      if (c >= 0) {
        cpu = static_cast<int>(c);
        break;
      }
    }
  }
  if (cpu < 0) cpu = 0;
  read_cpu_curr();
  if (static_cast<size_t>(cpu) >= cpu_curr_.size()) throw LookupError(fmt::format("no run queue for CPU {}", cpu));
  QualifiedType task_type = program_.find_type("struct task_struct");
  ThreadRef t = make_thread(Object::reference(program_.object_env(), task_type, cpu_curr_[static_cast<size_t>(cpu)]));
  t.cpu = cpu;
  return t;
}

std::vector<ThreadRef> StackTraceEngine::active_threads() {
  std::vector<ThreadRef> out;
  if (!program_.is_kernel()) return threads();
  read_cpu_curr();
  QualifiedType task_type = program_.find_type("struct task_struct");
  for (size_t cpu = 0; cpu < cpu_curr_.size(); ++cpu) {
    ThreadRef t = make_thread(Object::reference(program_.object_env(), task_type, cpu_curr_[cpu]));
    t.cpu = static_cast<int>(cpu);
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<ThreadRef> StackTraceEngine::threads() {
  std::vector<ThreadRef> out;
  if (!program_.is_kernel()) {
    const CoreNotes& notes = program_.core().notes();
    for (size_t i = 0; i < notes.prstatus.size(); ++i) {
      ThreadRef t;
      t.pid = notes.prstatus[i].pid;
      t.cpu = static_cast<int>(i);
      out.push_back(t);
    }
    return out;
  }
  std::optional<Object> init = program_.find_object("init_task");
  if (!init) throw LookupError("could not find 'init_task'");
  QualifiedType task_type = init->type();
  uint64_t tasks_off = Object::reference(program_.object_env(), task_type, 0).member("tasks").address();
  // A thread group: task->thread_group until 6.7 removed it, else the
  // leader's signal->thread_head list through task->thread_node.
  bool thread_group = find_member(task_type, "thread_group").has_value();
  uint64_t group_off = Object::reference(program_.object_env(), task_type, 0)
                           .member(thread_group ? "thread_group" : "thread_node")
                           .address();
  uint64_t head = init->address() + tasks_off;
  uint64_t node = init->member("tasks").member("next").as_unsigned();
  constexpr int kMaxTasks = 1 << 22;
  int count = 0;
  while (node != head) {
    if (++count > kMaxTasks) throw BadDataError("task list does not end (corrupted?)");
    Object leader = Object::reference(program_.object_env(), task_type, node - tasks_off);
    node = leader.member("tasks").member("next").as_unsigned();
    int threads = 0;
    if (thread_group) {
      uint64_t t = leader.address();
      do {
        Object task = Object::reference(program_.object_env(), task_type, t);
        out.push_back(make_thread(task));
        t = task.member("thread_group").member("next").as_unsigned() - group_off;
        if (++threads > kMaxTasks) throw BadDataError("thread group list does not end (corrupted?)");
      } while (t != leader.address());
    } else {
      Object thread_head = leader.member("signal").dereference().member("thread_head");
      uint64_t group_head = thread_head.address();
      for (uint64_t n = thread_head.member("next").as_unsigned(); n != group_head;) {
        Object task = Object::reference(program_.object_env(), task_type, n - group_off);
        out.push_back(make_thread(task));
        n = task.member("thread_node").member("next").as_unsigned();
        if (++threads > kMaxTasks) throw BadDataError("thread group list does not end (corrupted?)");
      }
    }
  }
  return out;
}

ThreadRef StackTraceEngine::thread(int64_t pid) {
  if (program_.is_kernel() && pid == 0) {
    // PID 0 is the idle task of CPU 0 (init_task); `bt -a` shows the others.
    std::optional<Object> init = program_.find_object("init_task");
    if (init) return make_thread(*init);
  }
  for (ThreadRef& t : threads())
    if (t.pid == pid) return t;
  throw LookupError(fmt::format("no thread with PID {}", pid));
}

RegisterState StackTraceEngine::initial_registers(const ThreadRef& thread) {
  if (!program_.is_kernel()) {
    const CoreNotes& notes = program_.core().notes();
    for (const PrStatus& p : notes.prstatus)
      if (p.pid == thread.pid) return registers_of(p.regs);
    throw LookupError(fmt::format("no registers for thread {}", thread.pid));
  }
  if (thread.cpu >= 0) return cpu_registers(thread.cpu);
  if (!thread.task) throw LookupError(fmt::format("no task for PID {}", thread.pid));
  // A sleeping task: thread.sp points at its struct inactive_task_frame, pushed by
  // __switch_to_asm (arch/x86/include/asm/switch_to.h).
  uint64_t sp = thread.task->member("thread").member("sp").as_unsigned();
  QualifiedType frame_type = program_.find_type("struct inactive_task_frame");
  Object frame = Object::reference(program_.object_env(), frame_type, sp);
  RegisterState r;
  auto set = [&](int reg, const char* member) {
    try {
      r.set(reg, frame.member(member).as_unsigned());
    } catch (const TypeError&) {
    }
  };
  set(kRegR15, "r15");
  set(kRegR14, "r14");
  set(kRegR13, "r13");
  set(kRegR12, "r12");
  set(kRegRbx, "bx");
  set(kRegRbp, "bp");
  Object ret = frame.member("ret_addr");
  r.set(kRegRip, ret.as_unsigned());
  r.set(kRegRsp, ret.address() + 8);
  return r;
}

StackTrace StackTraceEngine::stack_trace(const ThreadRef& thread) {
  // A sleeping kernel task starts from the return address __switch_to_asm saved.
  bool exact = !program_.is_kernel() || thread.cpu >= 0;
  if (!program_.is_kernel() || !thread.task)
    return build_stack_trace(*context_, initial_registers(thread), program_.is_kernel(), exact);
  // Return addresses a kretprobe swapped are recovered from the task's records.
  if (!trampolines_) trampolines_ = std::make_unique<KernelReturnTrampolines>(program_);
  TaskReturnAddresses recovery(*trampolines_, thread.task->address());
  return build_stack_trace(*context_, initial_registers(thread), true, exact, &recovery);
}

StackTrace StackTraceEngine::stack_trace(const RegisterState& regs) {
  return build_stack_trace(*context_, regs, program_.is_kernel());
}

StackTrace StackTraceEngine::trace_of_pcs(const std::vector<uint64_t>& pcs, bool exact_pc) {
  return kdive::trace_of_pcs(*context_, pcs, exact_pc);
}

}  // namespace kdive
