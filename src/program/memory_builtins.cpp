// Registration of the memory built-ins (see memory_builtins.h): thin wrappers over
// linux/memory_model.h, linux/page.h, linux/slab.h and linux/identify_address.h. One
// shared state per registry keeps the model, the slab allocator's per-cache free sets
// and the task stacks between calls (1,000 identify_address calls read them once).
#include "program/memory_builtins.h"

#include <memory>

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/identify_address.h"
#include "linux/memory_model.h"
#include "linux/page.h"
#include "linux/slab.h"

namespace kdive {

namespace {

struct MemoryState {
  explicit MemoryState(Program& p) : program(p), identifier(p) {}
  Program& program;
  AddressIdentifier identifier;
  std::unique_ptr<MemoryModel> model_;
  std::unique_ptr<PageDecoder> pages_;
  MemoryModel& model() {
    if (!model_) model_ = std::make_unique<MemoryModel>(program);
    return *model_;
  }
  PageDecoder& pages() {
    if (!pages_) pages_ = std::make_unique<PageDecoder>(program, model());
    return *pages_;
  }
  SlubAllocator& slab() {
    SlubAllocator* s = identifier.slab();
    if (!s) throw LookupError("this kernel's slab allocator is not SLUB (or slab_caches is missing)");
    return *s;
  }
};

// A string as Python would print it (drgn's identify_address returns a str).
std::string python_repr(const std::string& s) {
  char quote = s.find('\'') != std::string::npos && s.find('"') == std::string::npos ? '"' : '\'';
  std::string out(1, quote);
  for (unsigned char c : s) {
    if (c == '\\' || c == static_cast<unsigned char>(quote)) out += fmt::format("\\{}", static_cast<char>(c));
    else if (c < 0x20 || c >= 0x7f) out += fmt::format("\\x{:02x}", c);
    else out += static_cast<char>(c);
  }
  return out + quote;
}

class StringValue : public ExtensionValue {
 public:
  explicit StringValue(std::optional<std::string> s) : s_(std::move(s)) {}
  std::string kind_name() const override { return "string"; }
  std::string format() const override { return s_ ? python_repr(*s_) : "None"; }

 private:
  std::optional<std::string> s_;
};

// drgn's SlabObjectInfo: .slab_cache, .slab, .address, .allocated.
class SlabObjectInfoValue : public ExtensionValue {
 public:
  SlabObjectInfoValue(Program& p, SlabObjectInfo info, std::string slab_type)
      : program_(p), info_(std::move(info)), slab_type_(std::move(slab_type)) {}
  std::string kind_name() const override { return "slab object info"; }
  std::vector<std::string> member_names() const override { return {"slab_cache", "slab", "address", "allocated"}; }
  Value member(std::string_view name) const override {
    const ObjectEnv& env = program_.object_env();
    if (name == "slab_cache") return Object::unsigned_value(env, program_.find_type("struct kmem_cache *"), info_.cache);
    if (name == "slab") return Object::unsigned_value(env, program_.find_type(slab_type_ + " *"), info_.slab);
    if (name == "address") return Object::unsigned_value(env, program_.find_type("void *"), info_.address);
    if (name == "allocated") return Object::unsigned_value(env, {env.prim.bool_type}, info_.allocated ? 1 : 0);
    return ExtensionValue::member(name);
  }
  std::string format() const override {
    return fmt::format("SlabObjectInfo(slab_cache=(struct kmem_cache *){:#x} ({}), slab=({} *){:#x}, address={:#x}, "
                       "allocated={})",
                       info_.cache, info_.cache_name, slab_type_, info_.slab, info_.address,
                       info_.allocated ? "True" : "False");
  }

 private:
  Program& program_;
  SlabObjectInfo info_;
  std::string slab_type_;
};

// A pointer's value, an integer, or the address of a referenced struct.
uint64_t address_arg(const BuiltinContext& ctx, std::span<const Value> args, size_t i) {
  const Object& o = builtin_object_arg(ctx, args, i);
  QualifiedType u = o.underlying();
  if (u.type && u.type->is_compound() && o.is_reference()) return o.address();
  return builtin_address_arg(ctx, args, i);
}

// A string argument: a literal (a char array value) or a char pointer / array in memory.
std::string string_arg(const BuiltinContext& ctx, std::span<const Value> args, size_t i) {
  const Object& o = builtin_object_arg(ctx, args, i);
  QualifiedType u = o.underlying();
  if (u.type && u.type->kind() == TypeKind::Array && o.is_value()) {
    std::vector<uint8_t> b = o.bytes();
    std::string s(b.begin(), b.end());
    return s.substr(0, s.find('\0'));
  }
  if (u.type && (u.type->kind() == TypeKind::Array || u.type->kind() == TypeKind::Pointer)) return o.read_c_string(4096);
  throw TypeError(fmt::format("{}() argument {} must be a string", ctx.name, i + 1));
}

Object typed(Program& p, std::string_view type, uint64_t value) {
  return Object::unsigned_value(p.object_env(), p.find_type(type), value);
}

}  // namespace

void register_memory_builtins(BuiltinRegistry& registry, Program& program) {
  if (!program.is_kernel()) return;
  auto st = std::make_shared<MemoryState>(program);
  using Fn = std::function<Value(MemoryState&, uint64_t)>;
  struct Conv {
    const char* name;
    const char* arg;
    const char* help;
    Fn fn;
  };
  const Conv conversions[] = {
      {"page_to_pfn", "page", "the page frame number of a struct page",
       [](MemoryState& s, uint64_t a) { return Value(typed(s.program, "unsigned long", s.model().page_to_pfn(a))); }},
      {"pfn_to_page", "pfn", "the struct page of a page frame number",
       [](MemoryState& s, uint64_t a) { return Value(typed(s.program, "struct page *", s.model().pfn_to_page(a))); }},
      {"page_to_virt", "page", "the direct-map address of a page",
       [](MemoryState& s, uint64_t a) { return Value(typed(s.program, "void *", s.model().page_to_virt(a))); }},
      {"page_to_phys", "page", "the physical address of a page",
       [](MemoryState& s, uint64_t a) { return Value(typed(s.program, "phys_addr_t", s.model().page_to_phys(a))); }},
      {"virt_to_page", "addr", "the struct page of a kernel address",
       [](MemoryState& s, uint64_t a) { return Value(typed(s.program, "struct page *", s.model().virt_to_page(a))); }},
      {"virt_to_phys", "addr", "the physical address of a kernel address",
       [](MemoryState& s, uint64_t a) { return Value(typed(s.program, "phys_addr_t", s.model().virt_to_phys(a))); }},
      {"virt_to_pfn", "addr", "the page frame number of a kernel address",
       [](MemoryState& s, uint64_t a) { return Value(typed(s.program, "unsigned long", s.model().virt_to_pfn(a))); }},
      {"phys_to_virt", "phys", "the direct-map address of a physical address",
       [](MemoryState& s, uint64_t a) { return Value(typed(s.program, "void *", s.model().phys_to_virt(a))); }},
      {"pfn_to_virt", "pfn", "the direct-map address of a page frame number",
       [](MemoryState& s, uint64_t a) { return Value(typed(s.program, "void *", s.model().pfn_to_virt(a))); }},
      {"compound_head", "page", "the head page of a compound page (the page itself otherwise)",
       [](MemoryState& s, uint64_t a) { return Value(typed(s.program, "struct page *", s.pages().compound_head(a))); }},
      {"compound_order", "page", "the order of the compound page a page belongs to (0: not compound)",
       [](MemoryState& s, uint64_t a) {
         PageInfo p = s.pages().decode(a);
         return Value(typed(s.program, "unsigned int", p.head || p.tail ? p.compound_order : 0));
       }},
      {"identify_address", "addr", "what an address is: slab object, task stack (live or dead part), symbol",
       [](MemoryState& s, uint64_t a) {
         return Value(std::shared_ptr<const ExtensionValue>(std::make_shared<StringValue>(s.identifier.identify(a))));
       }},
      {"slab_object_info", "addr", "the slab object an address is in: .slab_cache .slab .address .allocated",
       [](MemoryState& s, uint64_t a) -> Value {
         std::optional<SlabObjectInfo> i = s.slab().object_info(a);
         if (!i) return Value(std::shared_ptr<const ExtensionValue>(std::make_shared<StringValue>(std::nullopt)));
         std::string slab_type = s.program.find_type(TypeKind::Struct, "slab").type ? "struct slab" : "struct page";
         return Value(std::shared_ptr<const ExtensionValue>(
             std::make_shared<SlabObjectInfoValue>(s.program, std::move(*i), std::move(slab_type))));
       }},
  };
  for (const Conv& c : conversions) {
    Fn fn = c.fn;
    registry.add({c.name, 1, 1, fmt::format("{}({})", c.name, c.arg), c.help,
                  [st, fn](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                    return fn(*st, address_arg(ctx, args, 0));
                  }});
  }
  registry.add({"find_slab_cache", 1, 1, "find_slab_cache(name)", "the struct kmem_cache * named name (NULL if none)",
                [st](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                  std::optional<uint64_t> c = st->slab().find_cache(string_arg(ctx, args, 0));
                  return typed(st->program, "struct kmem_cache *", c.value_or(0));
                }});
  registry.add({"slab_cache_count", 1, 1, "slab_cache_count(cache)", "the number of allocated objects of a slab cache",
                [st](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                  uint64_t n = 0;
                  WalkStatus w = st->slab().for_each_object(address_arg(ctx, args, 0), [&](const SlabObject& o) {
                    n += o.allocated;
                    return true;
                  });
                  w.throw_if_problem();
                  return typed(st->program, "unsigned long", n);
                }});
}

}  // namespace kdive
