// A CLI command's words after its name: positionals and --name VALUE / --flag options, with
// every mistake (unknown option, missing value, wrong count) raised as a UsageError naming it.
// Shared by every sottoctl command, wherever its library lives.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace sotto::gw {

// A command line the command cannot run; sottoctl prints it with the usage and exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Arguments {
 public:
  // value_options take a value (--limit 20, --limit=20 or -o FILE); flags take none.
  Arguments(const std::vector<std::string> &words, const std::set<std::string> &value_options,
            const std::set<std::string> &flags = {});

  // Exactly `count` positionals, named in the error message (e.g. {"DEVICE"}).
  const std::vector<std::string> &positionals(const std::vector<std::string> &names) const;
  // The option's value (its last one when given several times), or nullopt.
  std::optional<std::string> value(const std::string &option) const;
  // Every value of a repeatable option, in command-line order (empty when absent).
  std::vector<std::string> values(const std::string &option) const;
  bool flag(const std::string &option) const { return flags_.count(option) > 0; }
  // An integer option within [min, max], or fallback when absent.
  int64_t integer(const std::string &option, int64_t min, int64_t max, int64_t fallback) const;

 private:
  std::vector<std::string> positionals_;
  std::map<std::string, std::vector<std::string>> values_;
  std::set<std::string> flags_;
};

}  // namespace sotto::gw
