// Build IDs from bytes made in the test: ELF notes in (test) kernel memory as a loaded
// module's notes sections hold them, and candidate debug files (this test binary, junk,
// a truncated copy) as debuginfod downloads are probed before use.
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "debuginfo/debug_file_probe.h"
#include "debuginfo/elf_file.h"
#include "kdive/error.h"
#include "program/module_build_id.h"
#include "unit/linux/byte_buffer_memory.h"

namespace kdive {
namespace {

// One ELF note: namesz, descsz, type (u32 each), then name and descriptor, each padded
// to 4 bytes.
std::vector<uint8_t> note(const std::string& name, uint32_t type, const std::vector<uint8_t>& desc) {
  std::vector<uint8_t> out;
  auto u32 = [&out](uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  u32(static_cast<uint32_t>(name.size() + 1));  // namesz counts the NUL
  u32(static_cast<uint32_t>(desc.size()));      // descsz
  u32(type);
  out.insert(out.end(), name.begin(), name.end());
  out.push_back(0);
  while (out.size() % 4) out.push_back(0);
  out.insert(out.end(), desc.begin(), desc.end());
  while (out.size() % 4) out.push_back(0);
  return out;
}

constexpr uint64_t kBase = 0xffffffffc0001000;
const std::vector<uint8_t> kId = {0x9a, 0x30, 0x67, 0x0b, 0xd7, 0x26, 0x08, 0x49, 0x86, 0xb6,
                                  0xe4, 0x30, 0x94, 0xfb, 0x2a, 0x23, 0xd3, 0x59, 0xc5, 0xa0};

TEST(ModuleBuildId, FindsTheGnuBuildIdAmongTheModulesNotes) {
  testing::ByteBufferMemory mem;
  mem.map(kBase, 4096);
  // .note.Linux first (type 0x100, "Linux"), then .note.gnu.build-id (NT_GNU_BUILD_ID = 3).
  std::vector<uint8_t> bytes = note("Linux", 0x100, {1, 2, 3, 4, 5, 6});
  std::vector<uint8_t> id_note = note("GNU", 3, kId);
  size_t id_offset = bytes.size();
  bytes.insert(bytes.end(), id_note.begin(), id_note.end());
  mem.write(kBase, bytes.data(), bytes.size());
  EXPECT_EQ(build_id_in_memory_notes(mem, kBase, bytes.size(), "m"), "9a30670bd726084986b6e43094fb2a23d359c5a0");
  // Size 0: the one note at the address, sized by its own header.
  EXPECT_EQ(build_id_in_memory_notes(mem, kBase + id_offset, 0, "m"), "9a30670bd726084986b6e43094fb2a23d359c5a0");
  // A note of another owner or type is not a build ID.
  EXPECT_EQ(build_id_in_memory_notes(mem, kBase, id_offset, "m"), "");
}

TEST(ModuleBuildId, MalformedOrUnreadableNotesFailWithWhere) {
  testing::ByteBufferMemory mem;
  mem.map(kBase, 4096);
  std::vector<uint8_t> bytes = note("GNU", 3, kId);
  bytes[4] = 0x40;  // descsz 64: past the 36-byte section
  mem.write(kBase, bytes.data(), bytes.size());
  try {
    build_id_in_memory_notes(mem, kBase, bytes.size(), "module m notes");
    FAIL() << "no error";
  } catch (const BadDataError& e) {
    EXPECT_STREQ(e.what(), "module m notes: ELF notes: note descriptor runs past the end at offset 0xffffffffc0001010");
  }
  try {
    build_id_in_memory_notes(mem, kBase, 1 << 20, "module m notes");
    FAIL() << "no error";
  } catch (const BadDataError& e) {
    EXPECT_STREQ(e.what(), "module m notes: note section of 1048576 bytes at 0xffffffffc0001000 (more than 65536)");
  }
  // A header claiming a huge descriptor is refused before anything that large is read.
  bytes[7] = 0x7f;
  mem.write(kBase, bytes.data(), bytes.size());
  EXPECT_THROW(build_id_in_memory_notes(mem, kBase, 0, "m"), BadDataError);
  EXPECT_THROW(build_id_in_memory_notes(mem, kBase + 8192, 36, "m"), FaultError);
}

class ProbeFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/kdive-probe-XXXXXX";
    ASSERT_TRUE(mkdtemp(tmpl));
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& bytes) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  std::string dir_;
};

TEST_F(ProbeFiles, AnElfFileHasItsBuildId) {
  std::string self = std::filesystem::read_symlink("/proc/self/exe");
  DebugFileProbe p = probe_debug_file(self);
  EXPECT_EQ(p.error, "");
  EXPECT_EQ(p.build_id, ElfFile(self).build_id());
  EXPECT_EQ(p.build_id.size(), 40u);
  EXPECT_TRUE(p.has_dwarf);  // built with -g
}

TEST_F(ProbeFiles, JunkAndTruncatedFilesAreSaidSo) {
  EXPECT_EQ(probe_debug_file(write("junk", std::string(4096, 'x'))).error, "not an ELF file");
  EXPECT_EQ(probe_debug_file(write("empty", "")).error, "not an ELF file");
  std::ifstream in(std::filesystem::read_symlink("/proc/self/exe"), std::ios::binary);
  std::string head(8192, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  DebugFileProbe p = probe_debug_file(write("truncated", head));
  EXPECT_EQ(p.error, "section header table extends past the end of the file (8192 bytes; truncated?)");
  EXPECT_EQ(probe_debug_file(dir_ + "/missing").error, dir_ + "/missing: No such file or directory");
}

}  // namespace
}  // namespace kdive
