// One sottod per data directory: an exclusive flock on <data dir>/sottod.lock, held for the
// process's life (the kernel releases it when the process ends, however it ends). Two gateways
// on one database would take the MQTT session from each other every few seconds.
#pragma once

#include <string>

namespace sotto::gw {

class DataDirLock {
 public:
  // Throws std::runtime_error naming the other process and the lock file when it is taken.
  explicit DataDirLock(const std::string &data_dir);
  ~DataDirLock();
  DataDirLock(const DataDirLock &) = delete;
  DataDirLock &operator=(const DataDirLock &) = delete;

 private:
  int fd_ = -1;
};

}  // namespace sotto::gw
