// sottoctl: the operator's CLI. Global options (--gateway, --json, --help, --version) may appear
// anywhere; the first other word names the command. Exit status: 0 ok, 1 failed (the gateway
// said no, or a local step failed), 2 usage error, 3 gateway unreachable.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "cli.h"
#include "version.h"

namespace {

using sotto::gw::ctl::Command;

constexpr const char *kDefaultGateway = "http://127.0.0.1:8080";

void print_help(std::ostream &out) {
  out << "usage: sottoctl [--gateway URL] [--json] COMMAND [ARGS]\n\n"
         "  --gateway URL   sottod's HTTP API (default $SOTTO_GATEWAY, else "
      << kDefaultGateway
      << ")\n"
         "  --json          print the gateway's JSON instead of tables\n"
         "  --version       print the version and exit\n\n"
         "commands:\n";
  for (const Command &command : sotto::gw::ctl::commands())
    out << "  " << command.name << ' ' << command.usage << "\n      " << command.summary << '\n';
}

const Command *find_command(const std::string &name) {
  for (const Command &command : sotto::gw::ctl::commands())
    if (name == command.name) return &command;
  return nullptr;
}

}  // namespace

int main(int argc, char **argv) {
  using namespace sotto::gw::ctl;
  const char *from_env = std::getenv("SOTTO_GATEWAY");
  std::string gateway_url = from_env != nullptr && *from_env != '\0' ? from_env : kDefaultGateway;
  bool json = false;
  std::vector<std::string> words;
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word == "--help" || word == "-h" || (word == "help" && words.empty())) {
      print_help(std::cout);
      return kExitOk;
    }
    // Only before a command: `model sign --version N` is the model's version, not ours.
    if (word == "--version" && words.empty()) {
      std::cout << sotto::gw::version_line("sottoctl") << '\n';
      return kExitOk;
    }
    if (word == "--json") {
      json = true;
    } else if (word == "--gateway") {
      if (i + 1 >= argc) {
        std::cerr << "sottoctl: --gateway needs a URL\n";
        return kExitUsage;
      }
      gateway_url = argv[++i];
    } else if (word.rfind("--gateway=", 0) == 0) {
      gateway_url = word.substr(10);
    } else {
      words.push_back(word);
    }
  }
  if (words.empty()) {
    print_help(std::cerr);
    return kExitUsage;
  }
  const Command *command = find_command(words[0]);
  if (command == nullptr) {
    std::cerr << "sottoctl: unknown command '" << words[0] << "' (see sottoctl --help)\n";
    return kExitUsage;
  }

  GatewayUrl url;
  try {
    url = parse_gateway_url(gateway_url);
  } catch (const std::invalid_argument &error) {
    std::cerr << "sottoctl: " << error.what() << '\n';
    return kExitUsage;
  }

  try {
    GatewayClient gateway(url, std::chrono::seconds(10));
    CliContext context{gateway, json, std::cout, std::cerr};
    return command->run(context, std::vector<std::string>(words.begin() + 1, words.end()));
  } catch (const sotto::gw::UsageError &error) {
    std::cerr << "sottoctl " << command->name << ": " << error.what() << "\nusage: sottoctl "
              << command->name << ' ' << command->usage << '\n';
    return kExitUsage;
  } catch (const GatewayUnreachable &error) {
    std::cerr << "sottoctl: " << error.what() << '\n';
    return kExitUnreachable;
  } catch (const std::exception &error) {
    std::cerr << "sottoctl: " << error.what() << '\n';
    return kExitFailed;
  }
}
