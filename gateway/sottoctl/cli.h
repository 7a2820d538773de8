// What every sottoctl command gets and how it fails. Commands throw the errors below; main()
// turns each into its exit status, so scripts can tell a typo from a down gateway.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "cli_arguments.h"
#include "gateway_client.h"

namespace sotto::gw::ctl {

enum ExitStatus : int {
  kExitOk = 0,
  kExitFailed = 1,       // the gateway answered with an error, or a local step failed
  kExitUsage = 2,        // bad command line
  kExitUnreachable = 3,  // no gateway at --gateway
};

struct CliContext {
  GatewayClient &gateway;
  bool json = false;  // print the gateway's JSON instead of tables
  std::ostream &out;
  std::ostream &err;
};

struct Command {
  const char *name;
  const char *usage;    // arguments after the name, e.g. "DEVICE [--limit N]"
  const char *summary;  // one line for `sottoctl help`
  std::function<int(CliContext &, const std::vector<std::string> &args)> run;
};

// Every command sottoctl knows, in the order `help` lists them (command_table.cpp).
const std::vector<Command> &commands();

}  // namespace sotto::gw::ctl
