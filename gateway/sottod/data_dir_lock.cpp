// See data_dir_lock.h.
#include "data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace sotto::gw {

DataDirLock::DataDirLock(const std::string &data_dir) {
  const std::string path = data_dir + "/sottod.lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno) +
                             " (the user running sottod must be able to write the directory of "
                             "store.path)");
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    char pid[32] = {0};
    const ssize_t got = ::pread(fd_, pid, sizeof pid - 1, 0);
    ::close(fd_);
    fd_ = -1;
    std::string holder = got > 0 ? std::string(pid, static_cast<size_t>(got)) : std::string("?");
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    throw std::runtime_error("another sottod (pid " + holder +
                             ") is running on the data directory " + data_dir + " (it holds " +
                             path +
                             "); two gateways on one database would take the MQTT session from "
                             "each other. Stop that one, or give this one another store.path");
  }
  const std::string text = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, text.data(), text.size(), 0) < 0) {
    // The lock holds without the pid in the file; only the message of a second sottod suffers.
  }
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace sotto::gw
