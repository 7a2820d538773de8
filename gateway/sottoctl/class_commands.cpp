// See class_commands.h.
#include "class_commands.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "cli_arguments.h"
#include "json_output.h"
#include "text_table.h"

namespace sotto::gw::ctl {
namespace {

bool is_number(const std::string &text) {
  return !text.empty() && text.size() <= 3 &&
         std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isdigit(c) != 0; }) &&
         std::stoi(text) <= 255;
}

}  // namespace

int class_command(CliContext &context, const std::vector<std::string> &args) {
  if (args.empty()) throw UsageError("missing class subcommand (add, list)");
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "add") {
    const Arguments arguments(rest, {});
    const auto &words = arguments.positionals({"NAME", "NUMBER"});
    if (!is_number(words[1])) throw UsageError("NUMBER: expected 0..255, got '" + words[1] + "'");
    const std::string reply = context.gateway.post(
        "/api/v1/classes?name=" + url_encode(words[0]) + "&number=" + words[1], "", "text/plain");
    if (context.json) {
      context.out << reply << "\n";
    } else {
      context.out << "class " << words[1] << " is named " << words[0] << "\n";
    }
    return kExitOk;
  }
  if (args[0] == "list") {
    Arguments(rest, {}).positionals({});
    std::string raw;
    const boost::json::object reply = fetch_object(context, "/api/v1/classes", &raw);
    TextTable table({"NUMBER", "NAME"});
    for (const auto &item : reply.at("classes").as_array()) {
      table.add_row({std::to_string(item.at("number").to_number<int64_t>()),
                     std::string(item.at("name").as_string())});
    }
    emit(context, raw, table, "no device class has a name yet (sottoctl class add NAME NUMBER)");
    return kExitOk;
  }
  throw UsageError("unknown class subcommand '" + args[0] + "' (expected add or list)");
}

int class_number(CliContext &context, const std::string &text) {
  if (is_number(text)) return std::stoi(text);
  std::string raw;
  const boost::json::object reply = fetch_object(context, "/api/v1/classes", &raw);
  std::string known;
  for (const auto &item : reply.at("classes").as_array()) {
    const std::string name(item.at("name").as_string());
    if (name == text) return static_cast<int>(item.at("number").to_number<int64_t>());
    known += (known.empty() ? "" : ", ") + name;
  }
  throw std::runtime_error("unknown device class '" + text +
                           "' (the gateway knows: " + (known.empty() ? "none" : known) +
                           "; name one with sottoctl class add NAME NUMBER)");
}

std::vector<std::string> with_class_number(CliContext &context, std::vector<std::string> args,
                                           const std::string &option) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == option && i + 1 < args.size()) {
      args[i + 1] = std::to_string(class_number(context, args[i + 1]));
    } else if (args[i].rfind(option + "=", 0) == 0) {
      args[i] =
          option + "=" + std::to_string(class_number(context, args[i].substr(option.size() + 1)));
    }
  }
  return args;
}

}  // namespace sotto::gw::ctl
