// Child processes, ports and temporary directories for end-to-end tests.
#include "process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

namespace sotto::test {

Process::Process(std::string program, std::vector<std::string> args, std::string log_path,
                 std::vector<std::string> extra_env)
    : log_path_(std::move(log_path)) {
  std::vector<char *> argv;
  argv.push_back(program.data());
  for (auto &arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<char *> envp;
  for (char **entry = environ; *entry != nullptr; ++entry) envp.push_back(*entry);
  for (auto &entry : extra_env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot open log " + log_path_);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execve(program.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(log_fd);
}

Process::~Process() {
  if (running()) {
    signal(SIGKILL);
    wait(std::chrono::seconds(10));
  }
}

void Process::signal(int signal_number) {
  if (pid_ > 0 && status_ < 0) ::kill(pid_, signal_number);
}

bool Process::running() {
  if (pid_ <= 0 || status_ >= 0) return false;
  int status = 0;
  pid_t done = ::waitpid(pid_, &status, WNOHANG);
  if (done == pid_) {
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
  }
  return true;
}

int Process::wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return status_;
}

namespace {

// The kernel's range for outgoing connections' local ports: a listener port taken from it can be
// grabbed by any client connecting somewhere in the meantime (the tests run in parallel).
std::pair<int, int> ephemeral_port_range() {
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 32768, high = 60999;
  range >> low >> high;
  return {low, high};
}

bool can_bind_loopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0;
  ::close(fd);
  return bound;
}

}  // namespace

// Random ports below the ephemeral range, so only another listener could take ours first.
int free_loopback_port() {
  static std::mt19937 random(static_cast<uint32_t>(::getpid()) ^
                             static_cast<uint32_t>(std::random_device{}()));
  const int ceiling = ephemeral_port_range().first - 1;
  constexpr int kFloor = 10000;
  if (ceiling > kFloor) {
    std::uniform_int_distribution<int> pick(kFloor, ceiling);
    for (int attempt = 0; attempt < 200; ++attempt) {
      const int port = pick(random);
      if (can_bind_loopback(port)) return port;
    }
  }
  throw std::runtime_error("no free loopback port in 10000.." + std::to_string(ceiling));
}

bool wait_for_port(int port, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(port));
    bool connected = ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0;
    ::close(fd);
    if (connected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string make_temp_dir(const std::string &name) {
  std::string pattern = (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp");
  pattern += "/sotto-" + name + "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

std::string read_file(const std::string &path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace sotto::test
