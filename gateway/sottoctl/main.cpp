// sottoctl: the operator's CLI. Global options (--gateway, --token-file, --ca-file, --json,
// --help, --version) may appear anywhere; the first other word names the command. Exit status: 0
// ok, 1 failed (the gateway said no, or a local step failed), 2 usage error, 3 gateway unreachable.
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "cli.h"
#include "credentials.h"
#include "version.h"

namespace {

using sotto::gw::ctl::Command;

constexpr const char *kDefaultGateway = "http://127.0.0.1:8080";

void print_help(std::ostream &out) {
  out << "usage: sottoctl [--gateway URL] [--token-file FILE] [--ca-file PEM] [--json] COMMAND "
         "[ARGS]\n\n"
         "  --gateway URL      sottod's HTTP API, http:// or https:// (default $SOTTO_GATEWAY, "
         "else "
      << kDefaultGateway
      << ")\n"
         "  --token-file FILE  the API token (mode 0600; default $SOTTO_TOKEN)\n"
         "  --ca-file PEM      https: the CA that signed the gateway's certificate (default\n"
         "                     $SOTTO_CA_FILE, else the system's CAs)\n"
         "  --json             print the gateway's JSON instead of tables\n"
         "  --version          print the version and exit\n\n"
         "commands:\n";
  for (const Command &command : sotto::gw::ctl::commands())
    out << "  " << command.name << ' ' << command.usage << "\n      " << command.summary << '\n';
}

const Command *find_command(const std::string &name) {
  for (const Command &command : sotto::gw::ctl::commands())
    if (name == command.name) return &command;
  return nullptr;
}

std::string environment(const char *name, const std::string &fallback = "") {
  const char *value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

}  // namespace

int main(int argc, char **argv) {
  using namespace sotto::gw::ctl;
  std::string gateway_url = environment("SOTTO_GATEWAY", kDefaultGateway);
  std::string token_file;
  GatewayCredentials credentials{environment("SOTTO_TOKEN"), environment("SOTTO_CA_FILE")};
  const std::map<std::string, std::string *> global_options = {{"--gateway", &gateway_url},
                                                               {"--token-file", &token_file},
                                                               {"--ca-file", &credentials.ca_file}};
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
      continue;
    }
    const size_t equals = word.find('=');
    const auto option = global_options.find(word.substr(0, equals));
    if (option == global_options.end()) {
      words.push_back(word);
    } else if (equals != std::string::npos) {
      *option->second = word.substr(equals + 1);
    } else if (i + 1 < argc) {
      *option->second = argv[++i];
    } else {
      std::cerr << "sottoctl: " << word << " needs a value\n";
      return kExitUsage;
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
    if (!token_file.empty()) credentials.token = read_token_file(token_file);
  } catch (const std::runtime_error &error) {
    std::cerr << "sottoctl: " << error.what() << '\n';
    return kExitFailed;
  }

  try {
    GatewayClient gateway(url, std::chrono::seconds(10), credentials);
    CliContext context{gateway, json, std::cout, std::cerr};
    return command->run(context, std::vector<std::string>(words.begin() + 1, words.end()));
  } catch (const sotto::gw::UsageError &error) {
    std::cerr << "sottoctl " << command->name << ": " << error.what() << "\nusage: sottoctl "
              << command->name << ' ' << command->usage << '\n';
    return kExitUsage;
  } catch (const GatewayUnreachable &error) {
    std::cerr << "sottoctl: " << error.what() << '\n';
    return kExitUnreachable;
  } catch (const GatewayError &error) {
    std::cerr << "sottoctl: " << error.what() << '\n';
    if (error.status() == 401) {
      std::cerr << "sottoctl: the gateway wants an API token: give it with --token-file FILE or "
                   "$SOTTO_TOKEN (sottoctl token create, on the gateway machine)\n";
    }
    return kExitFailed;
  } catch (const std::exception &error) {
    std::cerr << "sottoctl: " << error.what() << '\n';
    return kExitFailed;
  }
}
