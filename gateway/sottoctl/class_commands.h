// Device class names, kept in the gateway's registry (GET/POST /api/v1/classes):
//   sottoctl class add NAME NUMBER | class list
// and the lookup every command that takes a class uses: a number 0..255 works without the
// gateway, a name is asked of it.
#pragma once

#include <string>
#include <vector>

#include "cli.h"

namespace sotto::gw::ctl {

int class_command(CliContext &context, const std::vector<std::string> &args);

// The number `text` names: itself when it is a number 0..255, else the class of that name in
// the gateway's registry. Throws std::runtime_error listing the known names when there is none.
int class_number(CliContext &context, const std::string &text);

// args with the value of `option` (--target-class, --class) replaced by its class number.
std::vector<std::string> with_class_number(CliContext &context, std::vector<std::string> args,
                                           const std::string &option);

}  // namespace sotto::gw::ctl
