// Where sottoctl finds the operator's bearer token: --token-file FILE, else $SOTTO_TOKEN. A token
// file must be readable by its owner only, like an SSH key: one that group or others can read
// has leaked its secret already, so it is refused with the chmod that fixes it.
#pragma once

#include <string>

namespace sotto::gw::ctl {

// The token in path (surrounding white space dropped); throws std::runtime_error naming the
// file when it cannot be read, is open to group or others, or is empty.
std::string read_token_file(const std::string &path);

}  // namespace sotto::gw::ctl
