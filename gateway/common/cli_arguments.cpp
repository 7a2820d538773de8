// Parsing a command's words; see cli_arguments.h.
#include "cli_arguments.h"

namespace sotto::gw {
namespace {

// "--name", "--name=value" or a short "-o"; "-" alone, "--" and negative numbers are values.
bool is_option(const std::string &word) {
  if (word.size() < 2 || word[0] != '-' || word == "--") return false;
  return word[1] == '-' || (word[1] < '0' || word[1] > '9');
}

}  // namespace

Arguments::Arguments(const std::vector<std::string> &words,
                     const std::set<std::string> &value_options,
                     const std::set<std::string> &flags) {
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string &word = words[i];
    if (!is_option(word)) {
      positionals_.push_back(word);
      continue;
    }
    size_t equals = word.find('=');
    std::string name = word.substr(0, equals);
    if (flags.count(name) > 0) {
      if (equals != std::string::npos) throw UsageError(name + " takes no value");
      flags_.insert(name);
    } else if (value_options.count(name) > 0) {
      if (equals != std::string::npos) {
        values_[name].push_back(word.substr(equals + 1));
      } else if (i + 1 < words.size()) {
        values_[name].push_back(words[++i]);
      } else {
        throw UsageError(name + " needs a value");
      }
    } else {
      throw UsageError("unknown option " + name);
    }
  }
}

const std::vector<std::string> &Arguments::positionals(
    const std::vector<std::string> &names) const {
  if (positionals_.size() < names.size()) throw UsageError("missing " + names[positionals_.size()]);
  if (positionals_.size() > names.size())
    throw UsageError("unexpected argument '" + positionals_[names.size()] + "'");
  return positionals_;
}

std::optional<std::string> Arguments::value(const std::string &option) const {
  auto found = values_.find(option);
  if (found == values_.end()) return std::nullopt;
  return found->second.back();
}

std::vector<std::string> Arguments::values(const std::string &option) const {
  auto found = values_.find(option);
  return found == values_.end() ? std::vector<std::string>{} : found->second;
}

int64_t Arguments::integer(const std::string &option, int64_t min, int64_t max,
                           int64_t fallback) const {
  auto text = value(option);
  if (!text) return fallback;
  size_t used = 0;
  int64_t parsed = 0;
  try {
    parsed = std::stoll(*text, &used);
  } catch (const std::exception &) {
    used = 0;
  }
  if (used == 0 || used != text->size() || parsed < min || parsed > max) {
    throw UsageError(option + " must be a whole number in " + std::to_string(min) + ".." +
                     std::to_string(max) + ", got '" + *text + "'");
  }
  return parsed;
}

}  // namespace sotto::gw
