// See pki_layout.h.
#include "pki_layout.h"

#include <cstdlib>

namespace sotto::gw::pki {

std::string default_pki_dir() {
  const char *from_env = std::getenv("SOTTO_PKI");
  return from_env != nullptr && *from_env != '\0' ? from_env : "/etc/sotto/pki";
}

}  // namespace sotto::gw::pki
