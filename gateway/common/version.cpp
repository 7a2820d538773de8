#include "version.h"

#ifndef SOTTO_VERSION
#error "SOTTO_VERSION must be the project version (gateway/common/CMakeLists.txt)"
#endif

namespace sotto::gw {

std::string version_line(const std::string &program) {
  return program + " " + SOTTO_VERSION;
}

}  // namespace sotto::gw
