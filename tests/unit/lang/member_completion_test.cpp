// Tests of REPL member completion (src/lang/member_completion.h): which operand is
// completed, candidates, and that completion has no side effects.
#include "lang/member_completion.h"

#include "lang_fixture.h"

namespace kdive::lang_test {
namespace {

using MemberCompletionTest = LangTest;
using Names = std::vector<std::string>;

Names candidates(Evaluator& ev, std::string_view line) {
  auto c = complete_member(ev, line);
  return c ? c->candidates : Names{"<none>"};
}

TEST_F(MemberCompletionTest, CompletesAfterDotAndArrow) {
  auto c = complete_member(evaluator, "init_task.co");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->replace_from, 10u);
  EXPECT_EQ(c->partial, "co");
  EXPECT_EQ(c->candidates, Names{"comm"});
  EXPECT_EQ(candidates(evaluator, "init_task."), (Names{"comm", "flags", "parent", "pid", "tasks"}));
  EXPECT_EQ(candidates(evaluator, "init_task.parent->p"), (Names{"parent", "pid"}));
  EXPECT_EQ(candidates(evaluator, "init_task.parent.p"), (Names{"parent", "pid"}));
  EXPECT_EQ(candidates(evaluator, "init_task.tasks.next->"), (Names{"next", "prev"}));
  EXPECT_EQ(candidates(evaluator, "print init_task.tasks."), (Names{"next", "prev"}));
  EXPECT_EQ(candidates(evaluator, "1 + init_task.tasks."), (Names{"next", "prev"}));
}

TEST_F(MemberCompletionTest, FindsTheWholePostfixOperand) {
  EXPECT_EQ(candidates(evaluator, "((struct task_struct *)0x1100)->ta"), Names{"tasks"});
  EXPECT_EQ(candidates(evaluator, "container_of(init_task.tasks.next, struct task_struct, tasks)->c"),
            Names{"comm"});
  EXPECT_EQ(candidates(evaluator, "(&init_task)[0].pa"), Names{"parent"});
  EXPECT_EQ(candidates(evaluator, "*init_task.parent->ta"), Names{"tasks"});
  // A cast binds looser than '->': only "p" is the operand, and it does not exist.
  EXPECT_EQ(candidates(evaluator, "(struct task_struct *)p->"), Names{"<none>"});
}

TEST_F(MemberCompletionTest, NoCompletionOutsideMemberContext) {
  EXPECT_EQ(candidates(evaluator, "init_task"), Names{"<none>"});
  EXPECT_EQ(candidates(evaluator, "init_task.pid + "), Names{"<none>"});
  EXPECT_EQ(candidates(evaluator, "."), Names{"<none>"});
  EXPECT_EQ(candidates(evaluator, ")."), Names{"<none>"});
  EXPECT_EQ(candidates(evaluator, "\"abc"), Names{"<none>"});
  EXPECT_EQ(candidates(evaluator, "init_task.pid."), Names{});  // an int has no members
}

TEST_F(MemberCompletionTest, HasNoSideEffects) {
  eval("$i = 1");
  eval("5");
  EXPECT_EQ(candidates(evaluator, "init_task."), (Names{"comm", "flags", "parent", "pid", "tasks"}));
  EXPECT_EQ(candidates(evaluator, "nums[$i++]."), Names{"<none>"});
  EXPECT_EQ(eval("$_"), "(int)5");
  EXPECT_EQ(eval("$i"), "(int)1");
}

class FrameWithVariables : public ExtensionValue {
 public:
  std::string kind_name() const override { return "stack frame"; }
  std::vector<std::string> member_names() const override { return {"hctx", "khd", "kcq"}; }
  std::string format() const override { return "frame"; }
};

TEST_F(MemberCompletionTest, ExtensionValuesListTheirMembers) {
  evaluator.set_variable("$f", Value(std::shared_ptr<const ExtensionValue>(std::make_shared<FrameWithVariables>())));
  EXPECT_EQ(candidates(evaluator, "$f.k"), (Names{"kcq", "khd"}));
}

}  // namespace
}  // namespace kdive::lang_test
