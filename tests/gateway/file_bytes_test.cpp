// Whole-file reads and crash-safe writes: exact bytes back, no temporary left, named errors.
#include "file_bytes.h"

#include <gtest/gtest.h>
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

}  // namespace
}  // namespace sotto::gw
