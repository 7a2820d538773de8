// What every sotto binary prints for --version. The number is the SDK version in
// device-sdk/include/sotto/device.h, from which CMake also takes the packages' version.
#pragma once

#include <string>

namespace sotto::gw {

// "<program> <version>", e.g. "sottod 0.1.0".
std::string version_line(const std::string &program);

}  // namespace sotto::gw
