// Token files for sottoctl (see the header).
#include "credentials.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sotto::gw::ctl {

std::string read_token_file(const std::string &path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    throw std::runtime_error("--token-file " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode)) {
    throw std::runtime_error("--token-file " + path + ": not a regular file");
  }
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    throw std::runtime_error("--token-file " + path + " is readable or writable by group or " +
                             "others (mode " + mode + "); it holds a secret, so sottoctl " +
                             "refuses it: chmod 600 " + path);
  }
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  if (!file) throw std::runtime_error("--token-file " + path + ": cannot read it");
  std::string token = text.str();
  const size_t first = token.find_first_not_of(" \t\r\n");
  const size_t last = token.find_last_not_of(" \t\r\n");
  if (first == std::string::npos) throw std::runtime_error("--token-file " + path + " is empty");
  return token.substr(first, last - first + 1);
}

}  // namespace sotto::gw::ctl
