// InstructionDecoder: capstone (x86-64, detail mode) plus the small amount of operand
// interpretation the fault explanation needs. Operand text is re-spaced to objdump's
// style ("0x8(%rdi),%rax") because decodecode's layout is objdump's.
#include "oops/instruction_decoder.h"

#include <capstone/capstone.h>

#include <array>
#include <cctype>
#include <cstring>

#include "kdive/error.h"

namespace kdive {

namespace {

struct RegisterFamily {
  const char* full;
  std::array<const char*, 4> parts;
};

constexpr RegisterFamily kFamilies[] = {
    {"rax", {"eax", "ax", "al", "ah"}},   {"rbx", {"ebx", "bx", "bl", "bh"}},
    {"rcx", {"ecx", "cx", "cl", "ch"}},   {"rdx", {"edx", "dx", "dl", "dh"}},
    {"rsi", {"esi", "si", "sil", ""}},    {"rdi", {"edi", "di", "dil", ""}},
    {"rbp", {"ebp", "bp", "bpl", ""}},    {"rsp", {"esp", "sp", "spl", ""}},
    {"rip", {"eip", "ip", "", ""}},
};

std::string reg_name(csh handle, unsigned reg) {
  if (reg == X86_REG_INVALID) return {};
  const char* n = cs_reg_name(handle, reg);
  return n ? full_register_name(n) : std::string();
}

// objdump prints operands separated by "," without a space; capstone adds one.
std::string objdump_spacing(const char* op_str) {
  std::string s;
  for (const char* p = op_str; *p; ++p) {
    if (*p == ',' && p[1] == ' ') {
      s += ',';
      ++p;
    } else {
      s += *p;
    }
  }
  return s;
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// capstone's AT&T numbers below 10 are decimal ("8(%rdi)", "$2"); objdump writes every
// displacement and immediate in hex ("0x8(%rdi)", "$0x2"). Scale factors stay as they are.
std::string hex_numbers(const std::string& ops) {
  std::string out;
  int depth = 0;
  for (size_t i = 0; i < ops.size();) {
    char c = ops[i];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    bool starts_number = std::isdigit(static_cast<unsigned char>(c)) && depth == 0 &&
                         (i == 0 || ops[i - 1] == '$' || ops[i - 1] == ',' || ops[i - 1] == '-' || ops[i - 1] == ':' ||
                          ops[i - 1] == '*');
    if (!starts_number) {
      out += c;
      ++i;
      continue;
    }
    size_t j = i;
    while (j < ops.size() && std::isalnum(static_cast<unsigned char>(ops[j]))) ++j;
    std::string tok = ops.substr(i, j - i);
    // capstone prints only values below 10 in decimal.
    bool decimal = tok.size() == 1 && std::isdigit(static_cast<unsigned char>(tok[0]));
    out += decimal ? "0x" + tok : tok;
    i = j;
  }
  return out;
}

// objdump leaves out the AT&T size suffix when a register operand gives the size, and
// always for control transfers ("call", "ret", "push %rbp").
std::string objdump_mnemonic(const std::string& mn, const std::string& ops) {
  static const char* const kBases[] = {"mov", "add", "sub", "and", "or", "xor", "cmp", "test", "lea", "push",
                                       "pop", "inc", "dec", "neg", "not", "shl", "shr", "sar", "sal", "rol",
                                       "ror", "adc", "sbb", "xchg", "imul", "bt", "bts", "btr", "btc",
                                       "cmpxchg", "xadd", "call", "jmp", "ret", "nop", "movabs"};
  if (mn.size() < 2) return mn;
  char suffix = mn.back();
  if (suffix != 'b' && suffix != 'w' && suffix != 'l' && suffix != 'q') return mn;
  std::string base = mn.substr(0, mn.size() - 1);
  // "lock cmpxchgl": the prefix stays.
  std::string prefix;
  if (size_t sp = base.rfind(' '); sp != std::string::npos) {
    prefix = base.substr(0, sp + 1);
    base = base.substr(sp + 1);
  }
  bool known = false;
  for (const char* b : kBases) known = known || base == b;
  if (!known) return mn;
  bool control = base == "call" || base == "jmp" || base == "ret" || base == "push" || base == "pop";
  // A register operand outside parentheses fixes the size.
  bool reg_operand = false;
  int depth = 0;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i] == '(') ++depth;
    else if (ops[i] == ')') --depth;
    else if (ops[i] == '%' && depth == 0 && (i == 0 || ops[i - 1] == ',' || ops[i - 1] == '*')) reg_operand = true;
  }
  return control || reg_operand ? prefix + base : mn;
}

}  // namespace

std::string full_register_name(const std::string& name) {
  for (const auto& f : kFamilies) {
    if (name == f.full) return name;
    for (const char* p : f.parts)
      if (*p && name == p) return f.full;
  }
  // r8..r15 with d/w/b suffixes.
  if (name.size() >= 2 && name[0] == 'r' && name[1] >= '0' && name[1] <= '9') {
    size_t n = 1;
    while (n < name.size() && name[n] >= '0' && name[n] <= '9') ++n;
    return name.substr(0, n);
  }
  return name;
}

bool caller_saved_register(const std::string& reg) {
  static const char* const kSaved[] = {"rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11"};
  for (const char* r : kSaved)
    if (reg == r) return true;
  return false;
}

InstructionDecoder::InstructionDecoder(AsmSyntax syntax) {
  csh h = 0;
  if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) throw UsageError("capstone: cannot open an x86-64 disassembler");
  cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
  cs_option(h, CS_OPT_SYNTAX, syntax == AsmSyntax::Att ? CS_OPT_SYNTAX_ATT : CS_OPT_SYNTAX_INTEL);
  handle_ = h;
  syntax_ = syntax;
}

InstructionDecoder::~InstructionDecoder() {
  csh h = handle_;
  cs_close(&h);
}

std::vector<Instruction> InstructionDecoder::decode(std::span<const uint8_t> bytes, uint64_t address,
                                                    size_t max) const {
  csh h = handle_;
  std::vector<Instruction> out;
  cs_insn* insn = cs_malloc(h);
  const uint8_t* code = bytes.data();
  size_t size = bytes.size();
  uint64_t addr = address;
  while (size > 0 && out.size() < max) {
    Instruction ins;
    ins.address = addr;
    const uint8_t* before = code;
    if (!cs_disasm_iter(h, &code, &size, &addr, insn)) {
      // Not an instruction: objdump shows one "(bad)" byte and goes on.
      ins.bytes = {*before};
      ins.mnemonic = "(bad)";
      ins.invalid = true;
      code = before + 1;
      size -= 1;
      addr = ins.address + 1;
      out.push_back(std::move(ins));
      continue;
    }
    ins.bytes.assign(insn->bytes, insn->bytes + insn->size);
    ins.mnemonic = insn->mnemonic;
    ins.operands = insn->op_str;
    if (syntax_ == AsmSyntax::Att) {
      ins.operands = hex_numbers(objdump_spacing(insn->op_str));
      ins.mnemonic = objdump_mnemonic(ins.mnemonic, ins.operands);
    }
    const cs_x86& x = insn->detail->x86;
    for (uint8_t i = 0; i < x.op_count; ++i) {
      const cs_x86_op& op = x.operands[i];
      if (op.type == X86_OP_MEM) {
        MemoryOperand m;
        m.base = reg_name(h, op.mem.base);
        m.index = reg_name(h, op.mem.index);
        m.segment = reg_name(h, op.mem.segment);
        m.scale = op.mem.scale;
        m.displacement = op.mem.disp;
        m.read = (op.access & CS_AC_READ) != 0;
        m.write = (op.access & CS_AC_WRITE) != 0;
        m.size = op.size;
        ins.memory = m;
      } else if (op.type == X86_OP_REG && (op.access & CS_AC_WRITE)) {
        ins.destination = reg_name(h, op.reg);
      }
    }
    for (uint8_t i = 0; i < x.op_count; ++i) {
      const cs_x86_op& op = x.operands[i];
      if (op.type == X86_OP_REG && !(op.access & CS_AC_WRITE)) ins.source_register = reg_name(h, op.reg);
    }
    for (uint8_t g = 0; g < insn->detail->groups_count; ++g) {
      switch (insn->detail->groups[g]) {
        case CS_GRP_CALL: ins.is_call = true; break;
        case CS_GRP_JUMP: ins.is_jump = true; break;
        case CS_GRP_RET: ins.is_return = true; break;
        default: break;
      }
    }
    // Loads and register copies: mov and its zero/sign-extending forms (movzbl, movslq,
    // movzx, movsxd); the string moves (movsb..movsq) read two memory operands.
    const std::string& mn = ins.mnemonic;
    bool string_move = mn == "movsb" || mn == "movsw" || mn == "movsl" || mn == "movsq" ||
                       (mn == "movsd" && ins.operands.find('(') != std::string::npos &&
                        ins.destination.empty());
    bool mov_like = starts_with(mn, "mov") && !string_move;
    ins.is_load = mov_like && ins.memory && ins.memory->read && !ins.destination.empty();
    // lea computes an address without accessing memory.
    if (starts_with(mn, "lea") && ins.memory) ins.memory->read = ins.memory->write = false;
    if (!mov_like || ins.memory) ins.source_register.clear();
    out.push_back(std::move(ins));
  }
  cs_free(insn, 1);
  return out;
}

}  // namespace kdive
