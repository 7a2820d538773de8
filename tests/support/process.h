// A child process for tests: started with arguments, output to a log file, signalled, reaped.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace sotto::test {

class Process {
 public:
  // Starts program with args; stdout and stderr go to log_path (appended). extra_env entries
  // ("NAME=value") are added to the inherited environment.
  Process(std::string program, std::vector<std::string> args, std::string log_path,
          std::vector<std::string> extra_env = {});
  ~Process();  // SIGKILLs and reaps a child that is still running
  Process(const Process &) = delete;
  Process &operator=(const Process &) = delete;

  void signal(int signal_number);
  // Waits for exit; returns the exit status, or 128 + signal, or -1 on timeout.
  int wait(std::chrono::milliseconds timeout);
  bool running();
  pid_t pid() const { return pid_; }
  const std::string &log_path() const { return log_path_; }

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  std::string log_path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago, below the kernel's ephemeral range so
// no outgoing connection can take it before the listener binds.
int free_loopback_port();
// True once something accepts TCP connections on 127.0.0.1:port.
bool wait_for_port(int port, std::chrono::milliseconds timeout);
// A fresh directory under the build tree's testing area, removed by nobody (logs stay for CI).
std::string make_temp_dir(const std::string &name);
std::string read_file(const std::string &path);

}  // namespace sotto::test
