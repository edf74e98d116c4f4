// libFuzzer target for the expression language: the input is an expression, parsed and
// evaluated against a small in-memory program (a struct with a self-pointer, an array,
// a typedef); with a leading '#' it is parsed as a C type name instead, and with a
// leading '?' it is completed as a REPL line (member completion). Any kdive::Error
// is an expected outcome; any other exception, crash, hang or sanitizer report is a bug.
//
//   clang++ -std=c++20 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc \
//     tests/fuzz/lang_parser_fuzz.cpp src/{base,types,object,lang}/*.cpp -lfmt
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kdive/error.h"
#include "kdive/memory_reader.h"
#include "lang/evaluator.h"
#include "lang/generic_builtins.h"
#include "lang/member_completion.h"
#include "object/object_formatter.h"

namespace {

using namespace kdive;

class FuzzMemory : public MemoryReader {
 public:
  static constexpr uint64_t kBase = 0x1000;
  std::vector<uint8_t> bytes = std::vector<uint8_t>(0x1000, 0);

  void read(uint64_t address, void* buf, size_t size, AddressSpace) const override {
    if (address < kBase || address - kBase > bytes.size() || size > bytes.size() - (address - kBase)) {
      throw FaultError(address, "address not in dump");
    }
    std::memcpy(buf, bytes.data() + (address - kBase), size);
  }
};

class FuzzEnvironment : public EvalEnvironment, public TypeFinder {
 public:
  FuzzEnvironment() {
    oenv = ObjectEnv::lp64(&memory, &arena);
    const CPrimitiveTypes& p = oenv.prim;
    const Type* self_ptr = arena.make_pointer_lazy(LazyType([this] { return QualifiedType{node, 0}; }));
    node = arena.make_compound(
        TypeKind::Struct, "node", 32,
        {{"value", LazyType(QualifiedType{p.int_type, 0}), 0, 0},
         {"bits", LazyType(QualifiedType{p.unsigned_int_type, 0}), 32, 5},
         {"name", LazyType(QualifiedType{arena.array_of({p.char_type, 0}, 8), 0}), 64, 0},
         {"next", LazyType(QualifiedType{self_ptr, 0}), 128, 0},
         {"data", LazyType(QualifiedType{arena.array_of({p.long_type, 0}, std::nullopt), 0}), 192, 0}});
    types[{TypeKind::Struct, "node"}] = {node, 0};
    types[{TypeKind::Typedef, "u8"}] = {arena.make_typedef("u8", LazyType(QualifiedType{p.unsigned_char_type, 0})), 0};
    objects.emplace("head", Object::reference(oenv, {node, 0}, 0x1000));
    objects.emplace("table", Object::reference(oenv, {arena.array_of({p.int_type, 0}, 16), 0}, 0x1100));
    objects.emplace("counter", Object::reference(oenv, {p.unsigned_long_type, 0}, 0x1200));
    for (size_t i = 0; i < memory.bytes.size(); ++i) memory.bytes[i] = uint8_t(i * 7);
    uint64_t next = 0x1000;
    std::memcpy(memory.bytes.data() + 16, &next, 8);  // head.next = &head
  }

  const ObjectEnv& object_env() const override { return oenv; }
  TypeFinder& type_finder() override { return *this; }
  std::optional<Object> find_object(std::string_view name) override {
    auto it = objects.find(std::string(name));
    if (it == objects.end()) return std::nullopt;
    return it->second;
  }
  QualifiedType find_type(TypeKind kind, std::string_view name) override {
    auto it = types.find({kind, std::string(name)});
    return it == types.end() ? QualifiedType{} : it->second;
  }

  TypeArena arena;
  FuzzMemory memory;
  ObjectEnv oenv;
  const Type* node = nullptr;
  std::map<std::string, Object> objects;
  std::map<std::pair<TypeKind, std::string>, QualifiedType> types;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  static FuzzEnvironment* env = new FuzzEnvironment();
  static BuiltinRegistry* builtins = [] {
    auto* r = new BuiltinRegistry();
    GenericBuiltinHooks hooks;
    hooks.per_cpu_offset = [](uint64_t cpu) -> uint64_t {
      if (cpu >= 4) throw LookupError("no such CPU");
      return cpu * 0x40;
    };
    register_generic_builtins(*r, std::move(hooks));
    return r;
  }();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    if (!text.empty() && text[0] == '#') {
      TypeNameParser(env->arena, *env).parse(text.substr(1));
    } else if (!text.empty() && text[0] == '?') {
      Evaluator evaluator(*env, *builtins);
      (void)complete_member(evaluator, text.substr(1));
    } else {
      // A fresh evaluator per input, so `$` variables do not carry over between inputs.
      Evaluator evaluator(*env, *builtins);
      (void)format_value(evaluator.evaluate(text));
    }
  } catch (const kdive::Error&) {
  }
  return 0;
}
