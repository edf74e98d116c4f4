// DWARF constants with the signedness their form, attribute and type call for
// (debuginfo/dwarf_constant.h), and variables without storage, on real programs compiled
// here with gcc/g++ at -O0 and -O2 and read live through /proc/PID/mem. Every expected
// string is what drgn 0.0.22 prints for the same program (prog.set_pid(); str(prog[name])),
// recorded when the test was written; where drgn fails, the comment says what it does.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kdive/error.h"
#include "object/object_formatter.h"
#include "program/program.h"
#include "types/type_printer.h"
#include "unit/debuginfo/compiled_program.h"

namespace kdive {
namespace {

// Enumerators negative, above INT_MAX, in 64 bits and in an unsigned 8-bit range; a char
// array of 133 (upper bound 0x84 in DW_FORM_data1, 6.1's linux_proc_banner) and of 200
// (0xc7, 5.10's linux_banner); a two-dimensional table with an index > 0x7f (crc32table_le);
// bit fields of every sign; a member past 64 KiB (data_member_location in data4);
// const_value variables of every size and sign (at -O2 gcc drops their storage), among
// them positive ints in data1/data2 (200, 0x8000: where drgn 0.0.22 is wrong);
// a static whose storage is dropped and an extern defined nowhere.
const char* kCSource = R"(
#include <unistd.h>
enum neg { NEG_MIN = -2147483647 - 1, NEG_ONE = -1, NEG_BIG = 200 };
enum big { BIG_A = 0x80000000u, BIG_B = 0xffffffffu };
enum huge64 { H64_A = 0x8000000000000000ull, H64_B = 1 };
enum small8 { S8_A = 0x80, S8_B = 0xff };
enum sneg64 { SN_A = -0x7fffffffffffffffll - 1, SN_B = 5 };
enum neg v_neg = NEG_MIN;
enum big v_big = BIG_B;
enum huge64 v_h64 = H64_A;
enum small8 v_s8 = S8_B;
enum sneg64 v_sn = SN_A;
const char banner133[133] = "banner";
const char banner200[200] = "b200";
const unsigned int table2[8][256] = {[1] = {[2] = 842424962u}};
unsigned char big_arr[0x8000] = {[0x7fff] = 9};
struct bits { unsigned a : 3; int b : 5; unsigned long c : 40; signed char d : 7; long e : 63; }
    v_bits = {5, -3, 0xfffffffffful, -50, -4};
struct far { char pad[300]; int x; char pad2[70000]; int y; } v_far = {{0}, 11, {0}, 22};
static const int k_neg = -5;
static const signed char k_sc = -7;
static const unsigned k_big = 0xfffffff0u;
static const unsigned char k_uc = 0xf0;
static const long long k_ll = -0x100000000ll;
static const unsigned long long k_ull = 0xfffffffffffffff0ull;
static const short k_sh = -300;
static const int k_200 = 200;
static const int k_8000 = 0x8000;
static const int tbl[5];
extern int nowhere __attribute__((weak));
int *p_nowhere;
extern char huge[0x7fffffffffffffff] __attribute__((weak));
char *p_huge;
int main(int argc, char **argv) {
  (void)argv;
  if (argc > 5) { p_nowhere = &nowhere; p_huge = huge; }
  write(1, "r", 1);
  for (;;) pause();
  return k_neg + k_sc + (int)k_big + k_uc + (int)k_ll + (int)k_ull + k_sh + k_200 + k_8000;
}
)";

// C++: enums with a fixed underlying type of every width and sign (gcc writes -128 of a
// signed char enum as data1 0x80), constexpr variables in a namespace (declarations
// carrying DW_AT_const_value), bit fields of small signed types.
const char* kCxxSource = R"(
#include <unistd.h>
enum class U8 : unsigned char { A = 0x80, B = 0xff };
enum class S8 : signed char { M = -128, N = 127 };
enum class S64 : long long { MIN = -0x7fffffffffffffffll - 1, ONE = 1 };
enum class U64 : unsigned long long { TOP = 0xffffffffffffffffull };
enum class S16 : short { NEG = -2 };
enum class I32 : int { B = 200, C = 40000 };
I32 v_i32 = I32::C;
U8 v_u8 = U8::B;
S8 v_s8 = S8::M;
S64 v_s64 = S64::MIN;
U64 v_u64 = U64::TOP;
S16 v_s16 = S16::NEG;
namespace ns { constexpr int kc = -42; constexpr unsigned long kul = 0xfffffffffffffff0ul; const short ks = -300; }
struct Bits { unsigned char a : 1; short b : 9; long long c : 33; };
Bits v_bits = {1, -200, -4294967296ll};
int main() {
  write(1, "r", 1);
  for (;;) pause();
  return ns::kc + (int)ns::kul + ns::ks;
}
)";

// A compiled program running until the test ends, opened live.
class LiveProgram {
 public:
  LiveProgram(const char* source, const std::string& flags, const std::string& suffix)
      : compiled_(source, flags, suffix) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      execl(compiled_.path().c_str(), compiled_.path().c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    char ready = 0;
    if (read(fds[0], &ready, 1) != 1) throw std::runtime_error("program did not start");
    close(fds[0]);
    program_ = Program::open_live_process(pid_, ProgramOptions{});
  }
  ~LiveProgram() {
    program_.reset();
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::string print(const char* name) {
    std::optional<Object> o = program_->find_object(name);
    if (!o) return "<not found>";
    try {
      return format_object(*o);
    } catch (const Error& e) {
      return std::string("error: ") + e.what();
    }
  }
  std::string type(const char* name) { return type_name(program_->find_object(name)->type()); }
  std::string definition(const char* type) { return type_definition(program_->find_type(type)); }
  Program& program() { return *program_; }

 private:
  testing::CompiledProgram compiled_;
  pid_t pid_ = -1;
  std::unique_ptr<Program> program_;
};

const char* kBits =
    "(struct bits){\n\t.a = (unsigned int)5,\n\t.b = (int)-3,\n\t.c = (unsigned long)1099511627775,\n"
    "\t.d = (signed char)-50,\n\t.e = (long)-4,\n}";

TEST(DwarfConstants, CEnumeratorsArraysBitFieldsAndConstValuesAsDrgnPrintsThem) {
  // DWARF 3 (strict): bit fields by DW_AT_bit_offset + DW_AT_byte_size.
  for (const char* flags : {"-g -O0 -no-pie", "-g -O2 -no-pie", "-g -O2 -gdwarf-4 -no-pie",
                            "-gdwarf-3 -gstrict-dwarf -O0 -no-pie"}) {
    SCOPED_TRACE(flags);
    LiveProgram p(kCSource, flags, ".c");
    EXPECT_EQ(p.print("v_neg"), "(enum neg)NEG_MIN");
    EXPECT_EQ(p.print("v_big"), "(enum big)BIG_B");
    EXPECT_EQ(p.print("v_h64"), "(enum huge64)H64_A");
    EXPECT_EQ(p.print("v_s8"), "(enum small8)S8_B");
    EXPECT_EQ(p.print("v_sn"), "(enum sneg64)SN_A");
    EXPECT_EQ(p.definition("enum neg"), "enum neg {\n\tNEG_MIN = -2147483648,\n\tNEG_ONE = -1,\n\tNEG_BIG = 200,\n}");
    EXPECT_EQ(p.definition("enum big"), "enum big {\n\tBIG_A = 2147483648,\n\tBIG_B = 4294967295,\n}");
    EXPECT_EQ(p.definition("enum huge64"), "enum huge64 {\n\tH64_A = 9223372036854775808,\n\tH64_B = 1,\n}");
    EXPECT_EQ(p.definition("enum small8"), "enum small8 {\n\tS8_A = 128,\n\tS8_B = 255,\n}");
    EXPECT_EQ(p.definition("enum sneg64"), "enum sneg64 {\n\tSN_A = -9223372036854775808,\n\tSN_B = 5,\n}");
    EXPECT_EQ(p.print("NEG_MIN"), "(enum neg)NEG_MIN");
    EXPECT_EQ(p.program().find_object("NEG_MIN")->as_signed(), -2147483648LL);
    EXPECT_EQ(p.program().find_object("BIG_B")->as_unsigned(), 4294967295ULL);
    EXPECT_EQ(p.program().find_object("SN_A")->as_signed(), INT64_MIN);

    EXPECT_EQ(p.print("banner133"), "(const char [133])\"banner\"");
    EXPECT_EQ(p.print("banner200"), "(const char [200])\"b200\"");
    EXPECT_EQ(p.type("table2"), "const unsigned int [8][256]");
    EXPECT_EQ(p.type("big_arr"), "unsigned char [32768]");
    Object t = *p.program().find_object("table2");
    EXPECT_EQ(format_object(t.subscript(1).subscript(2)), "(const unsigned int)842424962");
    EXPECT_EQ(format_object(p.program().find_object("big_arr")->subscript(0x7fff)), "(unsigned char)9");

    EXPECT_EQ(p.print("v_bits"), kBits);
    EXPECT_EQ(format_object(p.program().find_object("v_far")->member("x")), "(int)11");
    EXPECT_EQ(format_object(p.program().find_object("v_far")->member("y")), "(int)22");

    EXPECT_EQ(p.print("k_neg"), "(const int)-5");
    EXPECT_EQ(p.print("k_sc"), "(const signed char)-7");
    EXPECT_EQ(p.print("k_big"), "(const unsigned int)4294967280");
    EXPECT_EQ(p.print("k_uc"), "(const unsigned char)240");
    EXPECT_EQ(p.print("k_ll"), "(const long long)-4294967296");
    EXPECT_EQ(p.print("k_ull"), "(const unsigned long long)18446744073709551600");
    EXPECT_EQ(p.print("k_sh"), "(const short)-300");
    // gcc writes these as data1 0xc8 and data2 0x8000 (it zero-extends; negative values
    // get sdata). drgn 0.0.22 reads constants of signed type with dwarf_formsdata, which
    // sign-extends from the form's width: it prints (const int)-56 and (const int)-32768
    // at -O2, where the storage is gone; at -O0 it reads memory and agrees with these.
    EXPECT_EQ(p.print("k_200"), "(const int)200");
    EXPECT_EQ(p.print("k_8000"), "(const int)32768");

    // drgn at -O0: (const int [5]){} (gcc keeps the storage); at -O2: <absent>.
    std::string tbl = p.print("tbl");
    EXPECT_TRUE(tbl == "(const int [5]){}" || tbl == "(const int [5])<absent>") << tbl;
    if (std::string(flags).find("-O2") != std::string::npos) {
      EXPECT_EQ(tbl, "(const int [5])<absent>");
    }
    // An extern defined in no loaded file: drgn 0.0.22 raises KeyError (it does not look
    // at declarations); kdive finds the declaration and says the object is absent.
    EXPECT_EQ(p.print("nowhere"), "(int)<absent>");
    // A bound whose size in bits overflows (2^63 - 1 chars): the type prints, an object of
    // it is an error and nothing is allocated (drgn: "object is too large").
    EXPECT_EQ(p.print("huge"), "(char [9223372036854775807])<absent>");
    QualifiedType huge = p.program().find_object("huge")->type();
    EXPECT_THROW(Object::reference(p.program().object_env(), huge, 0x1000).read(), TypeError);
    EXPECT_EQ(p.type("big_arr"), "unsigned char [32768]");
  }
}

TEST(DwarfConstants, CxxFixedUnderlyingEnumsConstexprAndBitFieldsAsDrgnPrintsThem) {
  for (const char* flags : {"-g -O0 -no-pie", "-g -O2 -no-pie"}) {
    SCOPED_TRACE(flags);
    LiveProgram p(kCxxSource, flags, ".cpp");
    EXPECT_EQ(p.print("v_u8"), "(enum U8)B");
    EXPECT_EQ(p.print("v_s8"), "(enum S8)M");
    EXPECT_EQ(p.print("v_s64"), "(enum S64)MIN");
    EXPECT_EQ(p.print("v_u64"), "(enum U64)TOP");
    EXPECT_EQ(p.print("v_s16"), "(enum S16)NEG");
    EXPECT_EQ(p.program().find_object("v_s8")->as_signed(), -128);
    EXPECT_EQ(p.program().find_object("v_u8")->as_unsigned(), 255u);
    EXPECT_EQ(p.definition("enum U8"), "enum U8 {\n\tA = 128,\n\tB = 255,\n}");
    EXPECT_EQ(p.definition("enum S8"), "enum S8 {\n\tM = -128,\n\tN = 127,\n}");
    EXPECT_EQ(p.definition("enum S64"), "enum S64 {\n\tMIN = -9223372036854775808,\n\tONE = 1,\n}");
    EXPECT_EQ(p.definition("enum U64"), "enum U64 {\n\tTOP = 18446744073709551615,\n}");
    EXPECT_EQ(p.definition("enum S16"), "enum S16 {\n\tNEG = -2,\n}");
    EXPECT_EQ(p.definition("enum I32"), "enum I32 {\n\tB = 200,\n\tC = 40000,\n}");
    EXPECT_EQ(p.print("v_i32"), "(enum I32)C");
    EXPECT_EQ(p.print("ns::kc"), "(const int)-42");
    EXPECT_EQ(p.print("ns::kul"), "(const unsigned long)18446744073709551600");
    EXPECT_EQ(p.print("v_bits"),
              "(struct Bits){\n\t.a = (unsigned char)1,\n\t.b = (short)-200,\n\t.c = (long long)-4294967296,\n}");
  }
}

}  // namespace
}  // namespace kdive
