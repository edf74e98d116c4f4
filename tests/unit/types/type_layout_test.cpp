// Layout queries. offsetof results and error texts are drgn 0.0.22's for the test
// program's types (see tests/unit/object/object_formatter_test.cpp); member_at_offset
// answers are the examples of drgn.helpers.common.type.member_at_offset's
// documentation, rebuilt with the kernel's layouts, plus the seed's task_struct case.
// Designator syntax errors carry drgn's message plus kdive's " (column N)".
#include "types/type_layout.h"

#include <gtest/gtest.h>

#include <functional>

#include "kdive/error.h"
#include "unit/object/test_program.h"

namespace kdive {
namespace {

using testing::bitfield;
using testing::member;
using testing::TestProgram;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(TypeLayoutTest, SizeAndAlignment) {
  TestProgram p;
  EXPECT_EQ(type_sizeof(p.q(p.outer)), 128u);
  EXPECT_EQ(type_alignof(p.q(p.outer)), 8u);
  EXPECT_EQ(type_alignof(p.q(p.bits)), 8u);
  EXPECT_EQ(type_alignof(p.q(p.point)), 4u);
  EXPECT_EQ(type_sizeof(p.q(p.arena.array_of({p.point, 0}, 3))), 24u);
  EXPECT_EQ(type_alignof(p.q(p.arena.array_of({p.char_t, 0}, 3))), 1u);
  EXPECT_EQ(type_sizeof(p.q(p.sigset2)), 8u);
  EXPECT_EQ(type_sizeof(p.q(p.color)), 4u);
  EXPECT_EQ(type_alignof(p.q(p.env.prim.long_double_type)), 16u);
  EXPECT_EQ(error_of([&] { type_sizeof(p.q(p.void_t)); }), "cannot get size of incomplete void type");
  EXPECT_EQ(error_of([&] { type_sizeof(p.q(p.incomplete)); }), "cannot get size of incomplete struct type");
  EXPECT_EQ(error_of([&] { type_sizeof(p.q(p.fn_int)); }), "cannot get size of function type");
  EXPECT_EQ(error_of([&] { type_sizeof(p.q(p.arena.array_of({p.int_t, 0}, std::nullopt))); }),
            "cannot get size of incomplete array type");
}

TEST(TypeLayoutTest, OffsetOf) {
  TestProgram p;
  EXPECT_EQ(offset_of(p.q(p.outer), "arr[1].name[3]"), 59u);
  EXPECT_EQ(offset_of(p.q(p.outer), "s2"), 10u);  // inside an anonymous struct
  EXPECT_EQ(offset_of(p.q(p.outer), " arr [ 0x1 ] . l "), 48u);
  EXPECT_EQ(bit_offset_of(p.q(p.bits), "d"), 12u);
  FoundMember d = resolve_designator(p.q(p.bits), "d");
  EXPECT_EQ(d.bit_field_size, 40u);
  EXPECT_EQ(error_of([&] { offset_of(p.q(p.bits), "b"); }), "member is not byte-aligned");
  EXPECT_EQ(error_of([&] { offset_of(p.q(p.outer), "arr[1"); }), "expected ']' after number (column 6)");
  EXPECT_EQ(error_of([&] { offset_of(p.q(p.outer), "id[1]"); }), "'int' is not an array");
  EXPECT_EQ(error_of([&] { offset_of(p.q(p.outer), "arr."); }), "expected identifier after '.' (column 5)");
  EXPECT_EQ(error_of([&] { offset_of(p.q(p.outer), "arr]"); }), "expected '.' or '[' after identifier (column 4)");
  EXPECT_EQ(error_of([&] { offset_of(p.q(p.outer), "[1]"); }), "expected identifier (column 1)");
  EXPECT_EQ(error_of([&] { offset_of(p.q(p.outer), "arr[x]"); }), "expected number after '[' (column 5)");
  EXPECT_EQ(error_of([&] { offset_of(p.q(p.outer), "nope"); }), "'struct outer' has no member 'nope'");
  EXPECT_EQ(error_of([&] { offset_of(p.q(p.int_t), "x"); }), "'int' is not a structure, union, or class");
  try {
    offset_of(p.q(p.outer), "arr[1] $");
    FAIL();
  } catch (const SyntaxError& e) {
    EXPECT_STREQ(e.what(), "invalid character \\x24 (column 8)");
    EXPECT_EQ(e.column(), 8u);
  }
}

// Kernel layouts of the types in drgn's member_at_offset documentation.
struct KernelTypes {
  TestProgram p;
  const Type *sigpending, *mc_target, *autogroup, *task;
  KernelTypes() {
    TypeArena& a = p.arena;
    const Type* sigset = a.make_typedef("sigset_t", LazyType(QualifiedType{
        a.make_compound(TypeKind::Struct, "", 8, {member("sig", a.array_of({p.ulong_t, 0}, 1), 0)}), 0}));
    sigpending = a.make_compound(TypeKind::Struct, "sigpending", 24,
                                 {member("list", p.list_head, 0), member("signal", sigset, 16)});
    const Type* swp = a.make_typedef("swp_entry_t", LazyType(QualifiedType{
        a.make_compound(TypeKind::Struct, "", 8, {member("val", p.ulong_t, 0)}), 0}));
    const Type* folio = a.make_compound(TypeKind::Struct, "folio", 0, {}, false);
    mc_target = a.make_compound(TypeKind::Union, "mc_target", 8,
                                {member("folio", p.ptr(folio), 0), member("ent", swp, 0)});
    const Type* atomic = a.make_compound(TypeKind::Struct, "", 4, {member("counter", p.int_t, 0)});
    const Type* atomic_t = a.make_typedef("atomic_t", LazyType(QualifiedType{atomic, 0}));
    const Type* refcount = a.make_compound(TypeKind::Struct, "refcount_struct", 4, {member("refs", atomic_t, 0)});
    const Type* kref = a.make_compound(TypeKind::Struct, "kref", 4, {member("refcount", refcount, 0)});
    const Type* rwsem = a.make_compound(TypeKind::Struct, "rw_semaphore", 40, {member("count", p.long_t, 0)});
    const Type* tg = a.make_compound(TypeKind::Struct, "task_group", 0, {}, false);
    autogroup = a.make_compound(TypeKind::Struct, "autogroup", 72,
                                {member("kref", kref, 0), member("tg", p.ptr(tg), 8), member("lock", rwsem, 16),
                                 member("id", p.ulong_t, 56), member("nice", p.int_t, 64)});
    // struct qspinlock { union { atomic_t val; struct { u8 locked, pending; };
    //                           struct { u16 locked_pending, tail; }; }; }
    const Type* u8 = p.uchar_t;
    const Type* u16 = p.env.prim.unsigned_short_type;
    const Type* s1 = a.make_compound(TypeKind::Struct, "", 2, {member("locked", u8, 0), member("pending", u8, 1)});
    const Type* s2 = a.make_compound(TypeKind::Struct, "", 4, {member("locked_pending", u16, 0), member("tail", u16, 2)});
    const Type* un = a.make_compound(TypeKind::Union, "", 4,
                                     {member("val", atomic_t, 0), member("", s1, 0), member("", s2, 0)});
    const Type* qspinlock = a.make_compound(TypeKind::Struct, "qspinlock", 4, {member("", un, 0)});
    const Type* arch = a.make_typedef("arch_spinlock_t", LazyType(QualifiedType{qspinlock, 0}));
    const Type* raw = a.make_compound(TypeKind::Struct, "raw_spinlock", 4, {member("raw_lock", arch, 0)});
    const Type* raw_t = a.make_typedef("raw_spinlock_t", LazyType(QualifiedType{raw, 0}));
    task = a.make_compound(TypeKind::Struct, "task_struct", 0x800,
                           {member("stuff", a.array_of({u8, 0}, 0x6fc), 0), member("pi_lock", raw_t, 0x6fc),
                            member("comm", a.array_of({p.char_t, 0}, 16), 0x700)});
  }
};

TEST(TypeLayoutTest, MemberAtOffsetDocumentationExamples) {
  KernelTypes k;
  TestProgram& p = k.p;
  EXPECT_EQ(member_at_offset(p.q(p.list_head), 0), "next");
  EXPECT_EQ(member_at_offset(p.q(p.list_head), 8), "prev");
  EXPECT_EQ(member_at_offset(p.q(p.list_head), 4), "next+0x4");
  EXPECT_EQ(member_at_offset(p.q(k.sigpending), 0), "list.next");
  EXPECT_EQ(member_at_offset(p.q(k.sigpending), 8), "list.prev");
  EXPECT_EQ(member_at_offset(p.q(k.sigpending), 16), "signal.sig[0]");
  EXPECT_EQ(member_at_offset(p.q(k.mc_target), 0), "folio or ent.val");
  EXPECT_EQ(member_at_offset(p.q(k.autogroup), 4), "<padding between kref and tg>");
  EXPECT_EQ(member_at_offset(p.q(k.autogroup), 70), "<padding at end>");
  EXPECT_EQ(member_at_offset(p.q(k.autogroup), 72), "<end>");
  EXPECT_EQ(member_at_offset(p.q(k.autogroup), 80), "<past end>");
  EXPECT_EQ(member_at_offset(p.q(k.task), 0x6fc),
            "pi_lock.raw_lock.val.counter or pi_lock.raw_lock.locked or pi_lock.raw_lock.locked_pending");
  EXPECT_EQ(member_at_offset(p.q(k.task), 0x6fd), "pi_lock.raw_lock.val.counter+0x1 or pi_lock.raw_lock.pending or "
                                                  "pi_lock.raw_lock.locked_pending+0x1");
  EXPECT_EQ(member_at_offset(p.q(k.task), 0x703), "comm[3]");
}

TEST(TypeLayoutTest, MemberAtOffsetBitsArraysAndErrors) {
  TestProgram p;
  EXPECT_EQ(member_at_offset(p.q(p.bits), 1), "c");
  EXPECT_EQ(member_at_offset(p.q(p.bits), 2), "d+4 bits");
  EXPECT_EQ(member_at_offset(p.q(p.outer), 5), "ival+0x1 or fval+0x1");
  EXPECT_EQ(member_at_offset(p.q(p.outer), 12), "<padding between <unnamed> and in>");
  EXPECT_EQ(member_at_offset(p.q(p.outer), 59), "arr[1].name[3]");
  const Type* int4 = p.arena.array_of({p.int_t, 0}, 4);
  EXPECT_EQ(member_at_offset(p.q(int4), 8), "[2]");
  EXPECT_EQ(member_at_offset(p.q(int4), 16), "<end>");
  EXPECT_EQ(member_at_offset(p.q(int4), 20), "<past end>");
  EXPECT_EQ(member_at_offset(p.q(p.sigset2), 3), "sig[0]+0x3");
  EXPECT_EQ(error_of([&] { member_at_offset(p.q(p.int_t), 0); }), "must be compound type or array");
}

}  // namespace
}  // namespace kdive

namespace kdive {
namespace {

TEST(TypeLayoutTest, SelfContainingTypeIsBounded) {
  // struct loop { struct loop inner; } can only come from corrupt debug info.
  TypeArena arena;
  const Type* loop = nullptr;
  loop = arena.make_compound(TypeKind::Struct, "loop", 8,
                             {TypeMember{"inner", LazyType([&loop] { return QualifiedType{loop, 0}; }), 0, 0}});
  EXPECT_EQ(error_of([&] { member_at_offset({loop, 0}, 0); }), "type is too deeply nested");
  EXPECT_EQ(error_of([&] { type_alignof({loop, 0}); }), "type is too deeply nested");
}

}  // namespace
}  // namespace kdive
