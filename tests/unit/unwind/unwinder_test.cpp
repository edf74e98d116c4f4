// The unwinding loop on stacks built byte by byte in a buffer-backed memory: ORC steps
// (return address at CFA-8, end-of-stack entries, pt_regs crossing), and corrupted
// stacks — a return address that points at itself (a loop), a garbage return address
// with no unwind information, a stack pointer outside memory — each ending the trace
// with its reason.
#include "unwind/orc_table.h"
#include "unwind/stack_trace.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "kdive/error.h"

namespace kdive {
namespace {

// Memory [base, base+size) backed by a buffer; everything else faults.
class StackMemory : public MemoryReader {
 public:
  StackMemory(uint64_t base, size_t size) : base_(base), bytes_(size, 0) {}
  void put(uint64_t address, uint64_t value) { std::memcpy(&bytes_[address - base_], &value, 8); }
  void read(uint64_t address, void* buf, size_t size, AddressSpace) const override {
    if (address < base_ || address + size > base_ + bytes_.size() || address + size < address)
      throw FaultError(address, "not in test memory");
    std::memcpy(buf, &bytes_[address - base_], size);
  }

 private:
  uint64_t base_;
  std::vector<uint8_t> bytes_;
};

// An ORC table written field by field: each entry is (ip, sp_reg, sp_offset, type, end).
struct OrcRow {
  uint64_t ip;
  uint8_t sp_reg;
  int16_t sp_offset;
  uint8_t type;
  bool end;
};

OrcTable make_orc(const std::vector<OrcRow>& rows, uint64_t ip_section) {
  std::vector<uint8_t> ips, orcs;
  for (size_t i = 0; i < rows.size(); ++i) {
    int32_t rel = static_cast<int32_t>(rows[i].ip - (ip_section + 4 * i));  // relative to the slot
    uint8_t b[4];
    std::memcpy(b, &rel, 4);
    ips.insert(ips.end(), b, b + 4);
    int16_t sp_off = rows[i].sp_offset, bp_off = 0;
    uint16_t bits = static_cast<uint16_t>(rows[i].sp_reg | (0 << 4) | (rows[i].type << 8) | (rows[i].end << 10));
    uint8_t e[6];
    std::memcpy(e, &sp_off, 2);
    std::memcpy(e + 2, &bp_off, 2);
    std::memcpy(e + 4, &bits, 2);
    orcs.insert(orcs.end(), e, e + 6);
  }
  return OrcTable(ips, ip_section, orcs, "test", OrcFormat::v1());
}

constexpr uint64_t kText = 0xffffffff81000000;
constexpr uint64_t kStack = 0xffffc90000000000;
constexpr uint8_t kSp = 5, kUndefined = 0;

class TestContext : public FrameContext {
 public:
  TestContext(StackMemory& m, OrcTable& orc) : memory_(m), orc_(orc) {}
  const MemoryReader& memory() const override { return memory_; }
  const ObjectEnv& object_env() const override { return env_; }
  std::optional<SymbolInfo> symbolize(uint64_t) const override { return std::nullopt; }
  std::optional<CodeModule> code_module(uint64_t) const override { return std::nullopt; }
  FrameScopes& scopes() override { return scopes_; }
  CodeUnwindInfo unwind_info(uint64_t pc) const override {
    if (pc >= kText && pc < kText + 0x1000) return CodeUnwindInfo{&orc_, nullptr, 0};
    return {};
  }

 private:
  StackMemory& memory_;
  OrcTable& orc_;
  ObjectEnv env_;
  FrameScopes scopes_;
};

RegisterState start(uint64_t pc, uint64_t sp) {
  RegisterState r;
  r.set(kRegRip, pc);
  r.set(kRegRsp, sp);
  r.set(kRegRbp, 0);
  return r;
}

TEST(OrcTableTest, DecodesAndSortsEntries) {
  // Out of order, as in a .ko file before the kernel sorts it.
  OrcTable t = make_orc({{kText + 0x20, kSp, 16, 0, false}, {kText, kSp, 8, 0, false},
                         {kText + 0x40, kUndefined, 0, 0, true}},
                        kText + 0x10000);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t.find(kText - 1), nullptr);
  EXPECT_EQ(t.find(kText + 0x1f)->sp_offset, 8);
  EXPECT_EQ(t.find(kText + 0x20)->sp_offset, 16);
  EXPECT_EQ(t.find(kText + 0x20)->sp_reg, OrcReg::Sp);
  EXPECT_TRUE(t.find(kText + 0x100)->end);
  EXPECT_EQ(t.find(kText + 0x100)->sp_reg, OrcReg::Undefined);
}

TEST(OrcTableTest, MismatchedSectionsAreBadData) {
  std::vector<uint8_t> ips(8), orcs(6);
  EXPECT_THROW(OrcTable(ips, kText, orcs, "test", OrcFormat::v1()), BadDataError);
}

TEST(UnwinderTest, CallFramesThenEndOfStack) {
  OrcTable orc = make_orc({{kText, kSp, 8, 0, false}, {kText + 0x100, kUndefined, 0, 0, true}}, kText + 0x10000);
  StackMemory mem(kStack, 0x1000);
  // Frame 0 at kText+0x10, sp = kStack+0x100: return address at sp (CFA - 8) → kText+0x20.
  mem.put(kStack + 0x100, kText + 0x20);
  // Frame 1: return address at kStack+0x108 → kText+0x101 (in the end-of-stack region).
  mem.put(kStack + 0x108, kText + 0x101);
  TestContext ctx(mem, orc);
  StackTrace t = build_stack_trace(ctx, start(kText + 0x10, kStack + 0x100), true);
  ASSERT_EQ(t.frames().size(), 3u);
  EXPECT_EQ(t.frames()[1].pc(), kText + 0x20);
  EXPECT_EQ(t.frames()[1].registers().sp(), kStack + 0x108);
  EXPECT_EQ(t.frames()[2].pc(), kText + 0x101);
  EXPECT_EQ(t.frames()[0].cfa(), kStack + 0x108);
  EXPECT_EQ(t.end_reason(), "");
  EXPECT_EQ(format_trace_line(t.frames()[1]), "#1  0xffffffff81000020");
  EXPECT_EQ(format_frame(t.frames()[2]), "#2 at 0xffffffff81000101");
}

TEST(UnwinderTest, PtRegsCrossing) {
  // An entry whose type is REGS: a full struct pt_regs sits at sp + 0.
  OrcTable orc = make_orc({{kText, 5, 0, 1, false}, {kText + 0x100, kUndefined, 0, 0, true}}, kText + 0x10000);
  StackMemory mem(kStack, 0x1000);
  uint64_t regs = kStack + 0x200;
  mem.put(regs + 5 * 8, 0x1111);          // bx
  mem.put(regs + 16 * 8, kText + 0x180);  // ip
  mem.put(regs + 19 * 8, kStack + 0x800); // sp
  TestContext ctx(mem, orc);
  StackTrace t = build_stack_trace(ctx, start(kText + 0x10, regs), true);
  ASSERT_EQ(t.frames().size(), 2u);
  EXPECT_EQ(t.frames()[1].pc(), kText + 0x180);
  EXPECT_TRUE(t.frames()[1].exact_pc());
  EXPECT_EQ(t.frames()[1].registers().sp(), kStack + 0x800);
  EXPECT_EQ(t.frames()[1].registers().get(kRegRbx), 0x1111u);
}

TEST(UnwinderTest, ReturnAddressToItselfIsALoop) {
  // sp_offset 0: the CFA is sp itself, so the "caller" has the same sp; its return
  // address (at sp - 8) is the same pc.
  OrcTable orc = make_orc({{kText, kSp, 0, 0, false}}, kText + 0x10000);
  StackMemory mem(kStack, 0x1000);
  mem.put(kStack + 0xf8, kText + 0x11);
  TestContext ctx(mem, orc);
  StackTrace t = build_stack_trace(ctx, start(kText + 0x11, kStack + 0x100), true);
  ASSERT_EQ(t.frames().size(), 1u);  // the repeated frame is not added again
  EXPECT_EQ(t.end_reason(), "loop: pc 0xffffffff81000011 with sp 0xffffc90000000100 seen twice");
}

TEST(UnwinderTest, GarbageReturnAddressEndsWithReason) {
  OrcTable orc = make_orc({{kText, kSp, 8, 0, false}}, kText + 0x10000);
  StackMemory mem(kStack, 0x1000);
  mem.put(kStack + 0x100, 0xffffffffdeadbeef);  // overwritten return address
  TestContext ctx(mem, orc);
  StackTrace t = build_stack_trace(ctx, start(kText + 0x10, kStack + 0x100), true);
  ASSERT_EQ(t.frames().size(), 2u);
  EXPECT_EQ(t.frames()[1].pc(), 0xffffffffdeadbeefu);
  EXPECT_EQ(t.end_reason(), "no unwind information for 0xffffffffdeadbeef");
  EXPECT_EQ(t.format(), "#0  0xffffffff81000010\n#1  0xffffffffdeadbeef\n");
}

TEST(UnwinderTest, GarbageStackPointerEndsWithReason) {
  OrcTable orc = make_orc({{kText, kSp, 8, 0, false}}, kText + 0x10000);
  StackMemory mem(kStack, 0x1000);
  TestContext ctx(mem, orc);
  StackTrace t = build_stack_trace(ctx, start(kText + 0x10, 0x4141414141414141), true);
  ASSERT_EQ(t.frames().size(), 1u);
  EXPECT_EQ(t.end_reason().rfind("unreadable stack: ", 0), 0u) << t.end_reason();
  EXPECT_NE(t.end_reason().find("0x4141414141414141"), std::string::npos) << t.end_reason();
}

TEST(UnwinderTest, MissingOrcDataIsAnError) {
  // An ORC "null" entry (undefined sp without the end flag) marks code with no data.
  OrcTable orc = make_orc({{kText, kUndefined, 0, 0, false}}, kText + 0x10000);
  StackMemory mem(kStack, 0x1000);
  TestContext ctx(mem, orc);
  StackTrace t = build_stack_trace(ctx, start(kText + 0x10, kStack + 0x100), true);
  EXPECT_EQ(t.end_reason(), "no ORC data for 0xffffffff81000010");
}

}  // namespace
}  // namespace kdive
