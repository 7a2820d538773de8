// Whole-file reads and crash-safe writes: exact bytes back, no temporary left, named errors.
#include "file_bytes.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace sotto::gw {
namespace {

class FileBytes : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/sotto-file-bytes-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(FileBytes, WriteReplacesTheFileWithExactlyTheNewBytesAndLeavesNoTemporary) {
  const std::string path = dir_ + "/model.smdl";
  const uint8_t first[] = {1, 2, 3, 4, 5};
  const uint8_t second[] = {0, 255, 7};
  write_file_atomically(path, first, sizeof first);
  write_file_atomically(path, second, sizeof second);
  EXPECT_EQ(read_file_bytes(path), (std::vector<uint8_t>{0, 255, 7}));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST_F(FileBytes, ErrorsNameThePathAndTheCause) {
  try {
    read_file_bytes(dir_ + "/absent.bin");
    FAIL() << "read of a missing file succeeded";
  } catch (const std::runtime_error &error) {
    EXPECT_EQ(std::string(error.what()),
              "cannot read " + dir_ + "/absent.bin: No such file or directory");
  }
  const uint8_t byte = 1;
  try {
    write_file_atomically(dir_ + "/no-such-dir/x.bin", &byte, 1);
    FAIL() << "write into a missing directory succeeded";
  } catch (const std::runtime_error &error) {
    EXPECT_EQ(std::string(error.what()),
              "cannot create " + dir_ + "/no-such-dir/x.bin.tmp: No such file or directory");
  }
}

TEST_F(FileBytes, NewFilesGetExactlyTheirModeAndAreNeverOverwritten) {
  const std::string path = dir_ + "/device.key";
  const mode_t previous = ::umask(0);  // a umask that would leave the file world-writable
  const uint8_t key[] = {'k', 'e', 'y'};
  write_new_file(path, key, sizeof key, 0600);
  ::umask(previous);
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  const uint8_t other[] = {'x'};
  try {
    write_new_file(path, other, sizeof other, 0600);
    FAIL() << "overwrote " << path;
  } catch (const std::runtime_error &error) {
    EXPECT_EQ(std::string(error.what()), "refusing to overwrite " + path + ": File exists");
  }
  EXPECT_EQ(read_file_bytes(path), (std::vector<uint8_t>{'k', 'e', 'y'}));
}

}  // namespace
}  // namespace sotto::gw
