// A small program for the expression-language tests: in-test types (task_struct,
// list_head, an enum, typedefs, a function type), globals at known addresses in a byte
// buffer, and an EvalEnvironment over them.
#pragma once

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kdive/error.h"
#include "kdive/memory_reader.h"
#include "lang/builtin_registry.h"
#include "lang/eval_environment.h"
#include "lang/evaluator.h"
#include "lang/generic_builtins.h"
#include "object/object_formatter.h"

namespace kdive::lang_test {

// Target memory [base, base + bytes.size()); anything else faults.
class BufferMemory : public MemoryReader {
 public:
  uint64_t base = 0x1000;
  std::vector<uint8_t> bytes = std::vector<uint8_t>(0x4000, 0);

  void read(uint64_t address, void* buf, size_t size, AddressSpace) const override {
    if (address < base || address - base > bytes.size() || size > bytes.size() - (address - base)) {
      throw FaultError(address, "address not in dump");
    }
    std::memcpy(buf, bytes.data() + (address - base), size);
  }
  template <typename T>
  void put(uint64_t address, T value) {
    std::memcpy(bytes.data() + (address - base), &value, sizeof(T));
  }
  void put_string(uint64_t address, const std::string& s) {
    std::memcpy(bytes.data() + (address - base), s.c_str(), s.size() + 1);
  }
};

class TestEnvironment : public EvalEnvironment, public TypeFinder {
 public:
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

  ObjectEnv oenv;
  std::map<std::string, Object> objects;
  std::map<std::pair<TypeKind, std::string>, QualifiedType> types;
};

// Addresses of the test program's globals.
inline constexpr uint64_t kInitTask = 0x1000;
inline constexpr uint64_t kOtherTask = 0x1100;
inline constexpr uint64_t kJiffies = 0x2000;
inline constexpr uint64_t kNums = 0x2100;
inline constexpr uint64_t kRunqueues = 0x3000;
inline constexpr uint64_t kSchedule = 0x4800;  // outside the buffer: code is not dumped

class LangTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env.oenv = ObjectEnv::lp64(&memory, &arena);
    const CPrimitiveTypes& p = env.oenv.prim;
    QualifiedType int_t{p.int_type, 0};
    QualifiedType uint_t{p.unsigned_int_type, 0};
    QualifiedType char_t{p.char_type, 0};
    QualifiedType ulong_t{p.unsigned_long_type, 0};

    // struct list_head { struct list_head *next, *prev; };  (16 bytes)
    list_head = arena.make_compound(TypeKind::Struct, "list_head", 16, {});
    // Members refer to the type itself, so rebuild it with lazily-resolved members.
    const Type* lh_ptr = arena.make_pointer_lazy(LazyType([this] { return QualifiedType{list_head, 0}; }));
    list_head = arena.make_compound(TypeKind::Struct, "list_head", 16,
                                    {{"next", LazyType(QualifiedType{lh_ptr, 0}), 0, 0},
                                     {"prev", LazyType(QualifiedType{lh_ptr, 0}), 64, 0}});
    // struct task_struct {
    //   int pid;                 // 0
    //   unsigned int flags:3;    // 4 (bits 32..34)
    //   char comm[16];           // 8
    //   struct list_head tasks;  // 24
    //   struct task_struct *parent;  // 40
    // };                         // 48
    const Type* ts_ptr = arena.make_pointer_lazy(LazyType([this] { return QualifiedType{task, 0}; }));
    task = arena.make_compound(
        TypeKind::Struct, "task_struct", 48,
        {{"pid", LazyType(int_t), 0, 0},
         {"flags", LazyType(uint_t), 32, 3},
         {"comm", LazyType(QualifiedType{arena.array_of(char_t, 16), 0}), 64, 0},
         {"tasks", LazyType(QualifiedType{list_head, 0}), 192, 0},
         {"parent", LazyType(QualifiedType{ts_ptr, 0}), 320, 0}});
    pid_type = arena.make_enum("pid_type", uint_t, {{"PIDTYPE_PID", 0}, {"PIDTYPE_TGID", 1}});
    u64 = arena.make_typedef("u64", LazyType(QualifiedType{p.unsigned_long_long_type, 0}));
    fn = arena.make_function(LazyType(QualifiedType{p.void_type, 0}), {}, false);

    env.types[{TypeKind::Struct, "task_struct"}] = {task, 0};
    env.types[{TypeKind::Struct, "list_head"}] = {list_head, 0};
    env.types[{TypeKind::Enum, "pid_type"}] = {pid_type, 0};
    env.types[{TypeKind::Typedef, "u64"}] = {u64, 0};
    for (const Type* t : {p.int_type, p.unsigned_int_type, p.char_type, p.unsigned_long_type,
                          p.long_type, p.unsigned_char_type}) {
      env.types[{TypeKind::Int, t->name()}] = {t, 0};
    }

    env.objects.emplace("init_task", Object::reference(env.oenv, {task, 0}, kInitTask));
    env.objects.emplace("other_task", Object::reference(env.oenv, {task, 0}, kOtherTask));
    env.objects.emplace("jiffies", Object::reference(env.oenv, {ulong_t.type, kQualVolatile}, kJiffies));
    env.objects.emplace("nums", Object::reference(env.oenv, {arena.array_of(int_t, 4), 0}, kNums));
    env.objects.emplace("runqueues", Object::reference(env.oenv, int_t, kRunqueues));
    env.objects.emplace("schedule", Object::reference(env.oenv, {fn, 0}, kSchedule));
    env.objects.emplace("PIDTYPE_TGID", Object::unsigned_value(env.oenv, {pid_type, 0}, 1));

    memory.put<int32_t>(kInitTask + 0, 42);
    memory.put<uint32_t>(kInitTask + 4, 0xfffffff5);  // flags = 5 (low 3 bits)
    memory.put_string(kInitTask + 8, "swapper/0");
    memory.put<uint64_t>(kInitTask + 24, kOtherTask + 24);  // tasks.next
    memory.put<uint64_t>(kInitTask + 32, kOtherTask + 24);  // tasks.prev
    memory.put<uint64_t>(kInitTask + 40, kInitTask);        // parent
    memory.put<int32_t>(kOtherTask + 0, 7);
    memory.put_string(kOtherTask + 8, "kworker/1:2");
    memory.put<uint64_t>(kOtherTask + 24, kInitTask + 24);
    memory.put<uint64_t>(kOtherTask + 32, kInitTask + 24);
    memory.put<uint64_t>(kOtherTask + 40, kInitTask);
    memory.put<uint64_t>(kJiffies, 4294937296);
    int32_t nums[4] = {1, 2, 3, 0};
    for (int i = 0; i < 4; ++i) memory.put<int32_t>(kNums + 4 * i, nums[i]);
    memory.put<int32_t>(kRunqueues, 10);
    memory.put<int32_t>(kRunqueues + 0x100, 11);
    memory.put<int32_t>(kRunqueues + 0x200, 12);

    GenericBuiltinHooks hooks;
    hooks.per_cpu_offset = [](uint64_t cpu) -> uint64_t {
      if (cpu >= 3) throw LookupError("CPU " + std::to_string(cpu) + " does not exist");
      return cpu * 0x100;
    };
    register_generic_builtins(builtins, std::move(hooks));
  }

  // The printed value of `text` (drgn's str()), or the error's class and message.
  std::string eval(std::string_view text) {
    try {
      return format_value(evaluator.evaluate(text));
    } catch (const Error& e) {
      return std::string(error_kind_name(e.kind())) + ": " + e.what();
    }
  }

  TypeArena arena;
  BufferMemory memory;
  TestEnvironment env;
  BuiltinRegistry builtins;
  Evaluator evaluator{env, builtins};
  const Type* list_head = nullptr;
  const Type* task = nullptr;
  const Type* pid_type = nullptr;
  const Type* u64 = nullptr;
  const Type* fn = nullptr;
};

}  // namespace kdive::lang_test
