// See file_bytes.h.
#include "file_bytes.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace sotto::gw {
namespace {

std::runtime_error io_error(const std::string &what, const std::string &path) {
  return std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

std::vector<uint8_t> read_file_bytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error("cannot read", path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void write_file_atomically(const std::string &path, const void *data, size_t bytes) {
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw io_error("cannot create", temp);
  const auto *next = static_cast<const uint8_t *>(data);
  size_t left = bytes;
  while (left > 0) {
    const ssize_t written = ::write(fd, next, left);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      const std::runtime_error error = io_error("cannot write", temp);
      ::close(fd);
      throw error;
    }
    next += written;
    left -= static_cast<size_t>(written);
  }
  // Without the fsync a power cut after the rename can leave PATH present but empty.
  if (::fsync(fd) != 0) {
    const std::runtime_error error = io_error("cannot flush", temp);
    ::close(fd);
    throw error;
  }
  ::close(fd);
  if (std::rename(temp.c_str(), path.c_str()) != 0)
    throw io_error("cannot rename " + temp + " to", path);
}

namespace {

void sync_path(const std::string &path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw io_error("cannot open", path);
  const int rc = ::fsync(fd);
  const std::runtime_error error = io_error("cannot flush", path);
  ::close(fd);
  if (rc != 0) throw error;
}

}  // namespace

void sync_file(const std::string &path) {
  sync_path(path, O_RDONLY);
}

void sync_directory_of(const std::string &path) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  sync_path(dir.empty() ? "." : dir, O_RDONLY | O_DIRECTORY);
}

}  // namespace sotto::gw
