// Tests of the evaluator (src/lang/evaluator.h) and the generic built-ins over the
// in-test program of lang_fixture.h: printed values in drgn's format, `$` variables,
// pluggable `$` built-ins returning non-C values, and exact error messages.
#include "lang/evaluator.h"

#include <fmt/format.h>

#include "lang_fixture.h"

namespace kdive::lang_test {
namespace {

using EvaluatorTest = LangTest;

TEST_F(EvaluatorTest, Globals) {
  EXPECT_EQ(eval("init_task.pid"), "(int)42");
  EXPECT_EQ(eval("init_task.comm"), "(char [16])\"swapper/0\"");
  EXPECT_EQ(eval("jiffies"), "(volatile unsigned long)4294937296");
  EXPECT_EQ(eval("init_task.flags"), "(unsigned int)5");
  EXPECT_EQ(eval("PIDTYPE_TGID"), "(enum pid_type)PIDTYPE_TGID");
  EXPECT_EQ(eval("nums"), "(int [4]){ 1, 2, 3 }");
  EXPECT_EQ(eval("(int)other_task.comm[0]"), "(int)107");
}

TEST_F(EvaluatorTest, Literals) {
  EXPECT_EQ(eval("1"), "(int)1");
  EXPECT_EQ(eval("0x10ul"), "(unsigned long)16");
  EXPECT_EQ(eval("0xffffffff"), "(unsigned int)4294967295");
  EXPECT_EQ(eval("4294967295"), "(long)4294967295");
  EXPECT_EQ(eval("2147483648"), "(long)2147483648");
  EXPECT_EQ(eval("1u"), "(unsigned int)1");
  EXPECT_EQ(eval("1ll"), "(long long)1");
  EXPECT_EQ(eval("0x8000000000000000"), "(unsigned long)9223372036854775808");
  EXPECT_EQ(eval("9223372036854775808"), "(unsigned long long)9223372036854775808");
  EXPECT_EQ(eval("'a'"), "(int)97");
  EXPECT_EQ(eval("'\\xff'"), "(int)-1");
  EXPECT_EQ(eval("\"ab\""), "(char [3])\"ab\"");
  EXPECT_EQ(eval("1.5"), "(double)1.5");
}

TEST_F(EvaluatorTest, Arithmetic) {
  EXPECT_EQ(eval("1 + 2 * 3"), "(int)7");
  EXPECT_EQ(eval("-7 % 3"), "(int)-1");
  EXPECT_EQ(eval("10 / 3"), "(int)3");
  EXPECT_EQ(eval("-1 < 0u"), "(int)0");
  EXPECT_EQ(eval("init_task.pid - other_task.pid"), "(int)35");
  EXPECT_EQ(eval("jiffies + 1"), "(unsigned long)4294937297");
  EXPECT_EQ(eval("~0u >> 28"), "(unsigned int)15");
  EXPECT_EQ(eval("nums[1] == 2"), "(int)1");
  EXPECT_EQ(eval("!init_task.pid"), "(int)0");
  EXPECT_EQ(eval("1 ? 2 : 3"), "(int)2");
  EXPECT_EQ(eval("0 ? 2 : init_task.pid"), "(int)42");
}

TEST_F(EvaluatorTest, ConditionalConvertsToTheCommonType) {
  EXPECT_EQ(eval("1 ? 1 : 2.0"), "(double)1.0");
  EXPECT_EQ(eval("0 ? 1u : -1"), "(unsigned int)4294967295");
  EXPECT_EQ(eval("1 ? init_task.pid : jiffies"), "(unsigned long)42");
  EXPECT_EQ(eval("0 ? (char)1 : (char)2"), "(int)2");
  EXPECT_EQ(eval("1 ? 'a' : 2.5f"), "(float)97.0");
  EXPECT_EQ(eval("1 ? nums[0] : init_task.tasks.next->next"), "(int)1");  // not arithmetic
  // The other operand's type is found without evaluating it: no fault here.
  EXPECT_EQ(eval("0 ? *(int *)0 : 2ul"), "(unsigned long)2");
  EXPECT_EQ(eval("1 ? 2ul : *(int *)0"), "(unsigned long)2");
  EXPECT_EQ(eval("1 ? 2 : ((struct task_struct *)0)->parent->pid"), "(int)2");
  EXPECT_EQ(eval("0 ? other_task.parent->comm[1] : 7u"), "(unsigned int)7");
  // Unknown other type (an unset variable): the chosen operand is returned as is.
  EXPECT_EQ(eval("1 ? 5 : $unset"), "(int)5");
}

TEST_F(EvaluatorTest, LogicalOperatorsShortCircuit) {
  EXPECT_EQ(eval("0 && *(int *)0"), "(int)0");
  EXPECT_EQ(eval("1 || *(int *)0"), "(int)1");
  EXPECT_EQ(eval("1 && init_task.pid"), "(int)1");
  EXPECT_EQ(eval("1 && *(int *)0"), "FaultError: address not in dump: 0x0");
}

TEST_F(EvaluatorTest, PointersArraysAndMembers) {
  EXPECT_EQ(eval("(unsigned long)&init_task"), "(unsigned long)4096");
  EXPECT_EQ(eval("&init_task"), "*(struct task_struct *)0x1000 = {\n\t.pid = (int)42,\n\t.flags = (unsigned int)5,\n\t.comm = (char [16])\"swapper/0\",\n\t.tasks = (struct list_head){\n\t\t.next = (struct list_head *)0x1118,\n\t\t.prev = (struct list_head *)0x1118,\n\t},\n\t.parent = (struct task_struct *)0x1000,\n}");
  EXPECT_EQ(eval("init_task.parent->pid"), "(int)42");
  EXPECT_EQ(eval("init_task.parent.pid"), "(int)42");  // '.' through a pointer, as drgn
  EXPECT_EQ(eval("(*init_task.parent).pid"), "(int)42");
  EXPECT_EQ(eval("nums[2]"), "(int)3");
  EXPECT_EQ(eval("3[nums]"), "(int)0");
  // drgn prints a pointer dereferenced: "*(type *)address = value".
  EXPECT_EQ(eval("nums + 1"), "*(int *)0x2104 = 2");
  EXPECT_EQ(eval("*(nums + 1)"), "(int)2");
  EXPECT_EQ(eval("*nums"), "(int)1");
  EXPECT_EQ(eval("&nums[3] - &nums[1]"), "(ptrdiff_t)2");
  EXPECT_EQ(eval("&init_task.comm[4]"), "(char *)0x100c = \"per/0\"");
  EXPECT_EQ(eval("(unsigned long)init_task.tasks.next"), "(unsigned long)4376");
  EXPECT_EQ(eval("init_task.tasks.next->next->next == init_task.tasks.next"), "(int)1");
}

TEST_F(EvaluatorTest, CastsAndTypeOperators) {
  EXPECT_EQ(eval("(u64)-1"), "(u64)18446744073709551615");
  EXPECT_EQ(eval("(int)(unsigned char)300"), "(int)44");
  EXPECT_EQ(eval("(long)init_task.parent"), "(long)4096");
  EXPECT_EQ(eval("(unsigned long)schedule"), "(unsigned long)18432");
  EXPECT_EQ(eval("((struct task_struct *)0x1100)->pid"), "(int)7");
  EXPECT_EQ(eval("*(int *)0x2108"), "(int)3");
  EXPECT_EQ(eval("(enum pid_type)0"), "(enum pid_type)PIDTYPE_PID");
  EXPECT_EQ(eval("sizeof(struct task_struct)"), "(size_t)48");
  EXPECT_EQ(eval("sizeof(int [3][2])"), "(size_t)24");
  EXPECT_EQ(eval("sizeof init_task.comm"), "(size_t)16");
  EXPECT_EQ(eval("sizeof(init_task)"), "(size_t)48");
  EXPECT_EQ(eval("sizeof nums / sizeof nums[0]"), "(size_t)4");
  // The operand of sizeof is not evaluated: no memory is read.
  EXPECT_EQ(eval("sizeof(*(struct task_struct *)0x9000)"), "(size_t)48");
  EXPECT_EQ(eval("sizeof ((struct task_struct *)0x9000)->parent->comm"), "(size_t)16");
  EXPECT_EQ(eval("sizeof(((struct task_struct *)0)->tasks)"), "(size_t)16");
  EXPECT_EQ(eval("sizeof(init_task.pid + 1L)"), "(size_t)8");  // evaluated: no static type
  EXPECT_EQ(eval("_Alignof(struct task_struct)"), "(size_t)8");
  EXPECT_EQ(eval("offsetof(struct task_struct, tasks.prev)"), "(size_t)32");
  EXPECT_EQ(eval("offsetof(struct task_struct, comm[3])"), "(size_t)11");
  EXPECT_EQ(eval("(long)container_of(init_task.tasks.next, struct task_struct, tasks)"),
            "(long)4352");
  EXPECT_EQ(eval("container_of(init_task.tasks.next, struct task_struct, tasks)->comm"),
            "(char [16])\"kworker/1:2\"");
}

TEST_F(EvaluatorTest, Variables) {
  EXPECT_EQ(eval("$x = 5"), "(int)5");
  EXPECT_EQ(eval("$x * 2"), "(int)10");
  EXPECT_EQ(eval("$_"), "(int)10");
  EXPECT_EQ(eval("$_ + 1"), "(int)11");
  EXPECT_EQ(eval("$t = init_task.parent").substr(0, 32), "*(struct task_struct *)0x1000 = ");
  EXPECT_EQ(eval("$t->comm"), "(char [16])\"swapper/0\"");
  EXPECT_EQ(eval("$i = 1"), "(int)1");
  EXPECT_EQ(eval("$i++"), "(int)1");
  EXPECT_EQ(eval("$i"), "(int)2");
  EXPECT_EQ(eval("++$i"), "(int)3");
  EXPECT_EQ(eval("$i += 10"), "(int)13");
  EXPECT_EQ(eval("$i <<= 1"), "(int)26");
  EXPECT_EQ(eval("$a = $b = 7"), "(int)7");
  EXPECT_EQ(eval("$a + $b"), "(int)14");
  ASSERT_NE(evaluator.variable("$a"), nullptr);
  EXPECT_EQ(evaluator.variable("$zz"), nullptr);
  EXPECT_EQ(eval("$nosuch"), "LookupError: could not find variable '$nosuch'");
  EXPECT_EQ(eval("$nosuch += 1"), "LookupError: could not find variable '$nosuch'");
}

TEST_F(EvaluatorTest, GenericBuiltins) {
  EXPECT_EQ(eval("per_cpu(runqueues, 1)"), "(int)11");
  EXPECT_EQ(eval("per_cpu(runqueues, 0) + per_cpu(runqueues, 2)"), "(int)22");
  EXPECT_EQ(eval("&per_cpu(runqueues, 2)"), "*(int *)0x3200 = 12");
  EXPECT_EQ(eval("per_cpu_ptr(&runqueues, 2)"), "*(int *)0x3200 = 12");
  EXPECT_EQ(eval("*per_cpu_ptr(&runqueues, 1)"), "(int)11");
  // Character arrays print as strings, as drgn does for unsigned char too.
  EXPECT_EQ(eval("read(0x1000, 4)"), "(unsigned char [4])\"*\"");
  EXPECT_EQ(eval("read(0x1000, 4)[0] + 0"), "(int)42");
  EXPECT_EQ(eval("read(&init_task.comm, 3)"), "(unsigned char [3])\"swa\"");
  EXPECT_EQ(eval("string(init_task.comm)"), "(char [10])\"swapper/0\"");
  EXPECT_EQ(eval("string(&other_task.comm[0], 4)"), "(char [5])\"kwor\"");
}

TEST_F(EvaluatorTest, Errors) {
  EXPECT_EQ(eval("nosuch"), "LookupError: could not find 'nosuch'");
  EXPECT_EQ(eval("nosuch(1)"), "LookupError: could not find built-in function 'nosuch'");
  EXPECT_EQ(eval("per_cpu(runqueues)"), "TypeError: per_cpu() takes 2 arguments (1 given)");
  EXPECT_EQ(eval("string()"), "TypeError: string() takes 1 to 2 arguments (0 given)");
  EXPECT_EQ(eval("per_cpu(runqueues, 3)"), "LookupError: CPU 3 does not exist");
  EXPECT_EQ(eval("per_cpu(1, 0)"), "TypeError: per_cpu() argument 1 must be a per-CPU variable");
  EXPECT_EQ(eval("per_cpu(runqueues, &init_task)"), "TypeError: per_cpu() argument 2 must be an integer");
  EXPECT_EQ(eval("per_cpu_ptr(1, 0)"), "TypeError: per_cpu_ptr() argument 1 must be a pointer");
  EXPECT_EQ(eval("read(0x1000, 0)"), "TypeError: read() size must be between 1 and 1048576");
  EXPECT_EQ(eval("read(0x1000, 1 << 30)"), "TypeError: read() size must be between 1 and 1048576");
  EXPECT_EQ(eval("read(init_task, 4)"), "TypeError: read() argument 1 must be an address");
  EXPECT_EQ(eval("read(0x9000, 4)"), "FaultError: address not in dump: 0x9000");
  EXPECT_EQ(eval("*(int *)0x9000"), "FaultError: address not in dump: 0x9000");
  EXPECT_EQ(eval("init_task.nosuch"), "LookupError: 'struct task_struct' has no member 'nosuch'");
  EXPECT_EQ(eval("nums[init_task]"), "TypeError: subscript is not an integer");
  EXPECT_EQ(eval("1 +"), "SyntaxError: expected expression (column 4)");
  EXPECT_EQ(eval("(struct nosuch *)0"), "LookupError: could not find 'struct nosuch'");
}

// A stand-in for the stack traces of the unwind layer: `$bt` / `$bt(pid)` give a
// trace, `[n]` a frame, `.name` a variable of the frame.
class FakeFrame : public ExtensionValue {
 public:
  FakeFrame(const ObjectEnv& env, const Type* task, uint64_t task_address, int64_t index)
      : env_(env), task_(task), task_address_(task_address), index_(index) {}
  std::string kind_name() const override { return "stack frame"; }
  Value member(std::string_view name) const override {
    if (name == "task") {
      const Type* ptr = env_.types->pointer_to({task_, 0});
      return Object::unsigned_value(env_, {ptr, 0}, task_address_);
    }
    if (name == "depth") return Object::signed_value(env_, {env_.prim.int_type, 0}, index_);
    return ExtensionValue::member(name);
  }
  std::string format() const override { return fmt::format("#{} frame", index_); }

 private:
  const ObjectEnv& env_;
  const Type* task_;
  uint64_t task_address_;
  int64_t index_;
};

class FakeTrace : public ExtensionValue {
 public:
  FakeTrace(const ObjectEnv& env, const Type* task, uint64_t task_address)
      : env_(env), task_(task), task_address_(task_address) {}
  std::string kind_name() const override { return "stack trace"; }
  Value subscript(int64_t index) const override {
    if (index < 0 || index >= 3) throw LookupError(fmt::format("no frame {}", index));
    return std::shared_ptr<const ExtensionValue>(
        std::make_shared<FakeFrame>(env_, task_, task_address_, index));
  }
  std::string format() const override { return fmt::format("trace of {:#x}", task_address_); }

 private:
  const ObjectEnv& env_;
  const Type* task_;
  uint64_t task_address_;
};

TEST_F(EvaluatorTest, PluggableDollarBuiltins) {
  builtins.add({"$bt", 0, 1, "$bt[(pid)]", "a stack trace",
                [this](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                  uint64_t pid = args.empty() ? 42 : builtin_integer_arg(ctx, args, 0);
                  uint64_t address = pid == 42 ? kInitTask : pid == 7 ? kOtherTask : 0;
                  if (!address) throw LookupError(fmt::format("no task with PID {}", pid));
                  return std::shared_ptr<const ExtensionValue>(
                      std::make_shared<FakeTrace>(ctx.env.object_env(), task, address));
                }});
  EXPECT_EQ(eval("$bt"), "trace of 0x1000");
  EXPECT_EQ(eval("$bt(7)"), "trace of 0x1100");
  EXPECT_EQ(eval("$bt[2]"), "#2 frame");
  EXPECT_EQ(eval("$bt[1].task->pid"), "(int)42");
  EXPECT_EQ(eval("$bt(7)[1].task->comm"), "(char [16])\"kworker/1:2\"");
  EXPECT_EQ(eval("$bt[2].depth - $bt(7)[1].depth"), "(int)1");
  EXPECT_EQ(eval("$bt(7)[1 + 1].depth"), "(int)2");
  EXPECT_EQ(eval("$bt[5]"), "LookupError: no frame 5");
  EXPECT_EQ(eval("$bt(8)"), "LookupError: no task with PID 8");
  EXPECT_EQ(eval("$bt[0].nosuch"), "TypeError: 'stack frame' has no member 'nosuch'");
  EXPECT_EQ(eval("$bt.x"), "TypeError: 'stack trace' has no member 'x'");
  EXPECT_EQ(eval("$bt[0][1]"), "TypeError: 'stack frame' cannot be subscripted");
  EXPECT_EQ(eval("$bt + 1"), "TypeError: expected a C object, not a stack trace");
  EXPECT_EQ(eval("$bt[init_task]"), "TypeError: subscript is not an integer");
  EXPECT_EQ(eval("$bt(1, 2)"), "TypeError: $bt() takes 0 to 1 arguments (2 given)");
  // Extension values live in variables like any other value; an assigned variable
  // shadows the built-in of the same name.
  EXPECT_EQ(eval("$t = $bt(7)"), "trace of 0x1100");
  EXPECT_EQ(eval("$t[0].task->pid"), "(int)7");
  EXPECT_EQ(eval("$bt = 3"), "(int)3");
  EXPECT_EQ(eval("$bt"), "(int)3");
}

TEST_F(EvaluatorTest, RegistryListsBuiltins) {
  std::vector<std::string> names;
  for (const Builtin* b : builtins.list()) names.push_back(b->name);
  EXPECT_EQ(names, (std::vector<std::string>{"per_cpu", "per_cpu_ptr", "read", "string"}));
  EXPECT_EQ(builtins.find("per_cpu")->signature, "per_cpu(var, cpu)");
  EXPECT_EQ(builtins.find("nosuch"), nullptr);
}

TEST_F(EvaluatorTest, ParsedTreeEvaluatesRepeatedly) {
  ExprPtr e = evaluator.parse("init_task.pid + 1");
  EXPECT_EQ(format_value(evaluator.evaluate(*e)), "(int)43");
  memory.put<int32_t>(kInitTask, 99);
  EXPECT_EQ(format_value(evaluator.evaluate(*e)), "(int)100");
}

}  // namespace
}  // namespace kdive::lang_test
