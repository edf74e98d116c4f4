// Dump debug info loading. The BTF blobs are read whole (they are parsed lazily, by
// type, afterwards); module BTF comes from the kernel's btf_modules list, because
// struct module's btf_data is cleared once the module is live (kernel/module/main.c:
// .BTF is not SHF_ALLOC, so the loader drops its copy after btf_module_notify()).
#include "program/dump_debug_info_loader.h"

#include <fmt/format.h>

#include "kdive/error.h"
#include "program/module_kallsyms.h"
#include "program/program.h"

namespace kdive {

namespace {
std::vector<uint8_t> read_blob(const MemoryReader& memory, uint64_t address, uint64_t size, const char* what) {
  if (size == 0 || size > kMaxDumpBtfBytes)
    throw BadDataError(fmt::format("{}: implausible size {} at {:#x}", what, size, address));
  std::vector<uint8_t> out(size);
  memory.read(address, out.data(), out.size());
  return out;
}
}  // namespace

std::unique_ptr<DumpDebugInfo> read_dump_debug_info(const Vmcoreinfo& vmcoreinfo, const MemoryReader& memory,
                                                    TypeArena& arena, std::vector<std::string>& warnings) {
  KallsymsTable kallsyms = KallsymsTable::read(kallsyms_locations(vmcoreinfo), [&](uint64_t a, std::span<uint8_t> out) {
    memory.read(a, out.data(), out.size());
  });
  std::unique_ptr<BtfTypes> btf;
  auto start = kallsyms.lookup("__start_BTF");
  auto stop = kallsyms.lookup("__stop_BTF");
  if (start.empty() || stop.empty()) {
    warnings.push_back("the dump's kernel has no BTF (__start_BTF/__stop_BTF are not in kallsyms): "
                       "symbols only, no types");
  } else {
    uint64_t a = start.front()->address, b = stop.front()->address;
    try {
      btf = BtfTypes::parse(read_blob(memory, a, b - a, "vmlinux BTF"), arena, fmt::format("vmlinux BTF at {:#x}", a));
    } catch (const Error& e) {
      warnings.push_back(fmt::format("the dump's BTF is unusable ({}): symbols only, no types", e.what()));
    }
  }
  return std::make_unique<DumpDebugInfo>(std::move(kallsyms), std::move(btf), arena);
}

namespace {
// Module name → its split BTF blob, from btf_modules (kernel/bpf/btf.c: struct
// btf_module { list; module; btf; ... }, struct btf { data; ...; data_size; }).
std::vector<std::pair<uint64_t, std::vector<uint8_t>>> module_btf_blobs(Program& program,
                                                                        std::vector<std::string>& warnings) {
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> out;
  std::optional<Object> head;
  QualifiedType entry_type;
  try {
    head = program.find_object("btf_modules");
    entry_type = program.find_type("struct btf_module");
  } catch (const Error&) {
    return out;  // CONFIG_DEBUG_INFO_BTF_MODULES=n, or no BTF: modules have none
  }
  if (!head || !head->is_reference() || !entry_type.type) return out;
  try {
    Object probe = Object::reference(program.object_env(), entry_type, 0);
    uint64_t list_off = probe.member("list").address();
    uint64_t head_addr = head->address();
    uint64_t node = Object::reference(program.object_env(), program.find_type("struct list_head"), head_addr)
                        .member("next").as_unsigned();
    for (size_t guard = 0; node != head_addr; ++guard) {
      if (guard >= kMaxKernelModules) {
        warnings.push_back("btf_modules: list does not end (cycle?); module BTF read partly");
        break;
      }
      Object m = Object::reference(program.object_env(), entry_type, node - list_off);
      node = m.member("list").member("next").as_unsigned();
      Object btf = m.member("btf").dereference();
      uint64_t data = btf.member("data").as_unsigned();
      uint64_t size = btf.member("data_size").as_unsigned();
      try {
        out.emplace_back(m.member("module").as_unsigned(), read_blob(program.memory(), data, size, "module BTF"));
      } catch (const Error& e) {
        warnings.push_back(fmt::format("module BTF at {:#x}: {}", data, e.what()));
      }
    }
  } catch (const Error& e) {
    warnings.push_back(fmt::format("btf_modules: {}", e.what()));
  }
  return out;
}
}  // namespace

void add_dump_module_debug_info(Program& program, const std::vector<LoadedKernelModule>& modules,
                                std::vector<std::string>& warnings) {
  DumpDebugInfo* dump = program.debug_info().dump_debug_info();
  if (!dump) return;
  auto blobs = module_btf_blobs(program, warnings);
  QualifiedType module_type;
  try {
    module_type = program.find_type("struct module");
  } catch (const Error& e) {
    warnings.push_back(fmt::format("module symbols unreadable: {}", e.what()));
    return;
  }
  for (const LoadedKernelModule& lm : modules) {
    std::vector<KallsymsSymbol> symbols;
    try {
      symbols = read_module_kallsyms(Object::reference(program.object_env(), module_type, lm.address)).symbols;
    } catch (const Error& e) {
      warnings.push_back(fmt::format("module {}: symbols unreadable: {}", lm.name, e.what()));
    }
    std::unique_ptr<BtfTypes> btf;
    for (auto& [mod_addr, blob] : blobs) {
      if (mod_addr != lm.address || blob.empty()) continue;
      try {
        btf = BtfTypes::parse(std::move(blob), program.types(), fmt::format("module {} BTF", lm.name), dump->btf());
      } catch (const Error& e) {
        warnings.push_back(fmt::format("module {}: BTF unusable: {}", lm.name, e.what()));
      }
      break;
    }
    dump->add_module(lm.name, lm.core_regions, std::move(symbols), std::move(btf));
  }
}

}  // namespace kdive
