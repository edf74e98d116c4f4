// printk log reading and console formatting (printk.h). The descriptor ring, the info
// array and the text data ring are each read with one bulk read and decoded from
// those buffers (ByteCursor), so a full dmesg costs a handful of reads.
#include "linux/printk.h"

#include <fmt/format.h>

#include "base/byte_cursor.h"
#include "kdive/error.h"
#include "linux/kernel_layout.h"
#include "linux/target_words.h"
#include "program/program.h"
#include "types/type_layout.h"

namespace kdive {

namespace {

// Bounds on ring sizes read from the dump, so a corrupted count cannot make us
// allocate gigabytes: 2^24 descriptors, a 2^30-byte text ring.
constexpr unsigned kMaxCountBits = 24;
constexpr unsigned kMaxSizeBits = 30;

std::vector<uint8_t> read_bytes(const MemoryReader& mem, uint64_t address, uint64_t size) {
  std::vector<uint8_t> buf(size);
  if (size) mem.read(address, buf.data(), size);
  return buf;
}

uint64_t global_address(Program& program, std::string_view name) {
  std::optional<Object> o = program.find_object(name);
  if (!o || !o->is_reference()) throw LookupError(fmt::format("could not find '{}'", name));
  return o->address();
}

std::optional<uint64_t> enumerator(Program& program, std::string_view name) {
  std::optional<Object> o = program.find_object(name);
  if (!o || o->is_reference()) return std::nullopt;
  return o->as_unsigned();
}

// A bit field's position in a struct, for decoding from a buffer.
struct BitField {
  uint64_t bit_offset = 0, bits = 8;
  uint64_t extract(ByteCursor& c, size_t base) const {
    c.seek(base + bit_offset / 8);
    uint64_t shift = bit_offset % 8;
    uint64_t nbytes = (shift + bits + 7) / 8;
    uint64_t word = 0;
    for (uint64_t i = 0; i < nbytes; ++i) word |= uint64_t(c.u8()) << (8 * i);
    return (word >> shift) & ((uint64_t(1) << bits) - 1);
  }
};

BitField bit_field(KernelLayout& layout, std::string_view type, std::string_view member) {
  FoundMember m = resolve_designator(layout.type(type), member);
  BitField f;
  f.bit_offset = m.bit_offset;
  f.bits = m.bit_field_size ? m.bit_field_size : type_sizeof(m.type) * 8;
  return f;
}

// The fields both record layouts share — struct printk_info (the lockless ring's info
// array) and struct printk_log (the header of a log_buf record): timestamp, text length,
// facility, flags, level and (CONFIG_PRINTK_CALLER) caller id.
struct RecordHeader {
  uint64_t off_ts = 0, off_text_len = 0;
  BitField facility, flags, level;
  std::optional<uint64_t> off_caller;
  uint64_t log_cont = 2;

  static RecordHeader of(Program& program, KernelLayout& layout, std::string_view type) {
    RecordHeader h;
    h.off_ts = layout.offset(type, "ts_nsec");
    h.off_text_len = layout.offset(type, "text_len");
    h.facility = bit_field(layout, type, "facility");
    h.flags = bit_field(layout, type, "flags");
    h.level = bit_field(layout, type, "level");
    h.off_caller = layout.find_offset(type, "caller_id");
    h.log_cont = enumerator(program, "LOG_CONT").value_or(2);
    return h;
  }

  // Fills `r` from the header at `base` in `c`; returns the text length.
  uint64_t decode(ByteCursor& c, size_t base, PrintkRecord& r) const {
    c.seek(base + off_ts);
    r.ts_nsec = c.u64();
    c.seek(base + off_text_len);
    uint64_t text_len = c.u16();
    r.facility = static_cast<uint8_t>(facility.extract(c, base));
    r.flags = static_cast<uint8_t>(flags.extract(c, base));
    r.level = static_cast<uint8_t>(level.extract(c, base));
    r.continuation = (r.flags & log_cont) != 0;
    if (off_caller) {
      c.seek(base + *off_caller);
      r.caller_id = c.u32();
      r.has_caller_id = true;
    }
    return text_len;
  }
};

std::string fixed_string(ByteCursor& c, size_t pos, size_t size) {
  c.seek(pos);
  std::span<const uint8_t> b = c.bytes(size);
  size_t n = 0;
  while (n < size && b[n]) ++n;
  return std::string(reinterpret_cast<const char*>(b.data()), n);
}

PrintkLog read_lockless(Program& program, KernelLayout& layout, uint64_t prb) {
  const MemoryReader& mem = program.memory();
  PrintkLog log;
  log.source = "printk ring buffer";
  const char* rb = "struct printk_ringbuffer";
  uint64_t desc_ring = prb + layout.offset(rb, "desc_ring");
  uint64_t data_ring = prb + layout.offset(rb, "text_data_ring");
  const char* dr = "struct prb_desc_ring";
  unsigned count_bits = read_u32(mem, desc_ring + layout.offset(dr, "count_bits"));
  if (count_bits > kMaxCountBits) throw BadDataError(fmt::format("printk ring buffer: count_bits {} is implausible", count_bits));
  uint64_t descs = read_u64(mem, desc_ring + layout.offset(dr, "descs"));
  uint64_t infos = read_u64(mem, desc_ring + layout.offset(dr, "infos"));
  uint64_t head_id = read_u64(mem, desc_ring + layout.offset(dr, "head_id"));
  uint64_t tail_id = read_u64(mem, desc_ring + layout.offset(dr, "tail_id"));
  const char* tr = "struct prb_data_ring";
  unsigned size_bits = read_u32(mem, data_ring + layout.offset(tr, "size_bits"));
  if (size_bits > kMaxSizeBits) throw BadDataError(fmt::format("printk ring buffer: size_bits {} is implausible", size_bits));
  uint64_t data = read_u64(mem, data_ring + layout.offset(tr, "data"));

  const uint64_t count = uint64_t(1) << count_bits;
  const uint64_t data_size = uint64_t(1) << size_bits;
  const uint64_t desc_size = layout.size_of("struct prb_desc");
  const uint64_t info_size = layout.size_of("struct printk_info");
  const uint64_t off_state = layout.offset("struct prb_desc", "state_var");
  const uint64_t off_begin = layout.offset("struct prb_desc", "text_blk_lpos.begin");
  const uint64_t off_next = layout.offset("struct prb_desc", "text_blk_lpos.next");
  const char* pi = "struct printk_info";
  const uint64_t off_seq = layout.offset(pi, "seq");
  const RecordHeader header = RecordHeader::of(program, layout, pi);
  const std::optional<uint64_t> off_subsys = layout.find_offset(pi, "dev_info.subsystem");
  const std::optional<uint64_t> off_device = layout.find_offset(pi, "dev_info.device");
  const uint64_t subsys_size = off_subsys ? layout.member_size(pi, "dev_info.subsystem") : 0;
  const uint64_t device_size = off_device ? layout.member_size(pi, "dev_info.device") : 0;
  const uint64_t committed = enumerator(program, "desc_committed").value_or(1);
  const uint64_t finalized = enumerator(program, "desc_finalized").value_or(2);

  std::vector<uint8_t> desc_bytes = read_bytes(mem, descs, count * desc_size);
  std::vector<uint8_t> info_bytes = read_bytes(mem, infos, count * info_size);
  std::vector<uint8_t> text_bytes = read_bytes(mem, data, data_size);
  ByteCursor dc(desc_bytes, "printk ring buffer", "descriptors", true, descs);
  ByteCursor ic(info_bytes, "printk ring buffer", "infos", true, infos);

  // state_var: the descriptor's id in the low bits, its state in the top two.
  const unsigned flags_shift = 62;
  const uint64_t id_mask = ~(uint64_t(3) << flags_shift);
  uint64_t id = tail_id & id_mask;
  head_id &= id_mask;
  // tail..head spans at most `count` descriptors in a consistent ring.
  for (uint64_t n = 0; n <= count; ++n) {
    uint64_t idx = id & (count - 1);
    dc.seek(idx * desc_size + off_state);
    uint64_t sv = dc.u64();
    uint64_t state = sv >> flags_shift;
    if ((sv & id_mask) != id || (state != committed && state != finalized)) {
      ++log.dropped;
    } else {
      dc.seek(idx * desc_size + off_begin);
      uint64_t begin = dc.u64();
      dc.seek(idx * desc_size + off_next);
      uint64_t next = dc.u64();
      size_t ib = idx * info_size;
      PrintkRecord r;
      ic.seek(ib + off_seq);
      r.seq = ic.u64();
      uint64_t text_len = header.decode(ic, ib, r);
      if (off_subsys) r.subsystem = fixed_string(ic, ib + *off_subsys, subsys_size);
      if (off_device) r.device = fixed_string(ic, ib + *off_device, device_size);
      // Data blocks start with the descriptor id (one unsigned long), then the text.
      // A block that would cross the end of the ring is placed at its start instead;
      // a block whose lpos values are odd is data-less (empty text, or lost).
      if (!(begin & 1) && !(next & 1)) {
        uint64_t start = 0, end = 0;
        if (begin / data_size == next / data_size) {
          start = begin % data_size;
          end = next % data_size;
        } else if ((begin + data_size) / data_size == next / data_size) {
          end = next % data_size;
        }
        if (end >= start + 8) {
          uint64_t avail = end - start - 8;
          uint64_t len = std::min(text_len, avail);
          r.text.assign(reinterpret_cast<const char*>(text_bytes.data() + start + 8), len);
        }
      }
      log.records.push_back(std::move(r));
    }
    if (id == head_id) break;
    id = (id + 1) & id_mask;
  }
  return log;
}

PrintkLog read_log_buf(Program& program, KernelLayout& layout) {
  const MemoryReader& mem = program.memory();
  PrintkLog log;
  log.source = "log_buf";
  uint64_t buf = read_u64(mem, global_address(program, "log_buf"));
  uint64_t buf_len = read_u32(mem, global_address(program, "log_buf_len"));
  if (buf_len > (uint64_t(1) << kMaxSizeBits)) throw BadDataError("log_buf_len is implausible");
  uint64_t idx = read_u32(mem, global_address(program, "log_first_idx"));
  uint64_t next_idx = read_u32(mem, global_address(program, "log_next_idx"));
  uint64_t seq = read_u64(mem, global_address(program, "log_first_seq"));
  std::vector<uint8_t> bytes = read_bytes(mem, buf, buf_len);
  ByteCursor c(bytes, "log_buf", "printk_log", true, buf);
  const char* pl = "struct printk_log";
  const uint64_t hdr = layout.size_of(pl);
  const uint64_t off_len = layout.offset(pl, "len");
  const RecordHeader header = RecordHeader::of(program, layout, pl);
  // Each record is at least a header long, so the buffer holds at most this many.
  for (uint64_t n = 0; idx != next_idx && n <= buf_len / std::max<uint64_t>(hdr, 1); ++n) {
    if (idx + hdr > buf_len) {
      log.warnings.push_back(fmt::format("log_buf: record at {} runs past the buffer", idx));
      break;
    }
    c.seek(idx + off_len);
    uint64_t len = c.u16();
    if (len == 0) {  // a zero length marks the wrap to the start of the buffer
      if (idx == 0) break;
      idx = 0;
      continue;
    }
    PrintkRecord r;
    r.seq = seq++;
    uint64_t text_len = header.decode(c, idx, r);
    if (idx + hdr + text_len <= buf_len) r.text.assign(reinterpret_cast<const char*>(bytes.data() + idx + hdr), text_len);
    log.records.push_back(std::move(r));
    idx += len;
  }
  return log;
}

}  // namespace

PrintkLog read_printk_log(Program& program) {
  KernelLayout layout(program);
  if (std::optional<Object> prb = program.find_object("prb")) {
    return read_lockless(program, layout, prb->read().as_unsigned());
  }
  if (program.find_object("log_buf")) return read_log_buf(program, layout);
  throw LookupError("could not find the kernel log (neither 'prb' nor 'log_buf')");
}

std::string format_dmesg_record(const PrintkRecord& r, const DmesgOptions& options) {
  std::string prefix;
  if (options.raw_level) prefix += fmt::format("<{}>", (unsigned(r.facility) << 3) | r.level);
  if (options.timestamps)
    prefix += fmt::format("[{:5}.{:06}]", r.ts_nsec / 1000000000, r.ts_nsec % 1000000000 / 1000);
  if (options.caller && r.has_caller_id) {
    std::string id = fmt::format("{}{}", (r.caller_id & 0x80000000u) ? 'C' : 'T', r.caller_id & 0x7fffffffu);
    prefix += fmt::format("[{:>6}]", id);
  }
  if (options.timestamps || options.caller) prefix += ' ';
  std::string out;
  size_t pos = 0;
  for (;;) {
    size_t nl = r.text.find('\n', pos);
    out += prefix;
    out.append(r.text, pos, nl == std::string::npos ? std::string::npos : nl - pos);
    if (nl == std::string::npos) break;
    out += '\n';
    pos = nl + 1;
  }
  return out;
}

std::string format_dmesg(const std::vector<PrintkRecord>& records, const DmesgOptions& options) {
  std::string out;
  for (const PrintkRecord& r : records) {
    if (r.level >= options.max_level) continue;
    out += format_dmesg_record(r, options);
    out += '\n';
  }
  return out;
}

std::optional<std::string> panic_message(const std::vector<PrintkRecord>& records) {
  static constexpr std::string_view kPanic = "Kernel panic - not syncing: ";
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    // The panic() line itself, not the "---[ end Kernel panic ..." trailer.
    if (it->text.starts_with(kPanic)) {
      std::string msg = it->text.substr(kPanic.size());
      size_t nl = msg.find('\n');
      if (nl != std::string::npos) msg.resize(nl);
      return msg;
    }
  }
  return std::nullopt;
}

std::optional<int> console_loglevel(Program& program) {
  // The level at boot: "loglevel=N" (the last one wins), "debug" (10) or "quiet" (4)
  // on the command line, else default_console_loglevel (console_printk[3]). The
  // current console_printk[0] is not used: an oops raises it to 15 (console_verbose()).
  std::optional<int> level;
  try {
    if (std::optional<Object> cmd = program.find_object("saved_command_line")) {
      std::string line = cmd->read_c_string(4096);
      size_t pos = 0;
      while (pos < line.size()) {
        size_t end = line.find(' ', pos);
        std::string word = line.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        if (word.starts_with("loglevel=")) {
          try {
            level = std::stoi(word.substr(9));
          } catch (const std::exception&) {
          }
        } else if (word == "debug") {
          level = 10;
        } else if (word == "quiet") {
          level = 4;
        }
        if (end == std::string::npos) break;
        pos = end + 1;
      }
    }
  } catch (const Error&) {
  }
  if (level) return level;
  std::optional<Object> cp = program.find_object("console_printk");
  if (!cp) return std::nullopt;
  try {
    return static_cast<int>(cp->subscript(3).as_signed());
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace kdive
