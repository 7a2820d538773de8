// `sottoctl keys ...`: argument checks, signing for rotate, one or two API calls.
#include "key_commands.h"

#include <boost/json.hpp>

#include "cli_arguments.h"
#include "file_bytes.h"
#include "json_output.h"
#include "key_rotation.h"
#include "rollout_commands.h"
#include "signing_key.h"
#include "text_table.h"

namespace sotto::gw::ctl {
namespace {

constexpr char kNotJson[] = "gateway: answer is not JSON";

std::string key_id_argument(const std::string &word) {
  if (word.size() != 8 || word.find_first_not_of("0123456789abcdef") != std::string::npos) {
    throw UsageError("key id: expected 8 lower-case hex digits (sottoctl keys list), got '" + word +
                     "'");
  }
  return word;
}

// "12, 14" from [{"rollout": 12, ...}, ...].
std::string rollout_list(const boost::json::object &key, const char *field) {
  std::string out;
  if (const auto *list = key.if_contains(field); list && list->is_array()) {
    for (const auto &item : list->as_array()) {
      if (!item.is_object()) continue;
      out += (out.empty() ? "" : ", ") + cell(item.as_object(), "rollout");
    }
  }
  return out.empty() ? "-" : out;
}

int list(CliContext &context, const std::vector<std::string> &args) {
  Arguments(args, {}).positionals({});
  std::string raw;
  const boost::json::object reply = fetch_object(context, "/api/v1/keys", &raw);
  TextTable table(
      {"KEY_ID", "PROVISIONED", "ADDED_BY", "RETIRED_BY", "TRUSTED_BY", "RETIRED_HERE"});
  if (const auto *keys = reply.if_contains("keys"); keys && keys->is_array()) {
    for (const auto &item : keys->as_array()) {
      if (!item.is_object()) continue;
      const auto &key = item.as_object();
      table.add_row({cell(key, "key_id"), cell(key, "provisioned"), rollout_list(key, "added_by"),
                     rollout_list(key, "retired_by"),
                     cell(key, "devices_trusting") + " of " + cell(reply, "devices"),
                     cell(key, "distrusted")});
    }
  }
  emit(context, raw, table,
       "the gateway knows no fleet key yet: sottoctl keys trust PUB.pem registers the one devices "
       "were provisioned with");
  return kExitOk;
}

int trust(CliContext &context, const std::vector<std::string> &args) {
  const std::string path = Arguments(args, {}).positionals({"PUB.pem"})[0];
  const std::vector<uint8_t> pem = read_file_bytes(path);
  const std::string raw = context.gateway.post("/api/v1/keys", std::string(pem.begin(), pem.end()),
                                               "application/x-pem-file");
  if (context.json) {
    context.out << raw << '\n';
  } else {
    const boost::json::object key = parse_object(raw, kNotJson);
    context.out << "key " << cell(key, "key_id")
                << " registered as provisioned on the fleet's devices\n";
  }
  return kExitOk;
}

SigningKey private_key(const Arguments &arguments, const char *option, const char *role) {
  const auto path = arguments.value(option);
  if (!path) throw UsageError(std::string("keys rotate needs ") + option);
  try {
    return SigningKey::load_private_pem_file(*path);
  } catch (const std::runtime_error &error) {
    throw std::runtime_error(std::string(option) + " " + *path + " (" + role +
                             "): " + error.what() +
                             (std::string(option) == "--new-key"
                                  ? "; devices take a new key only with a signature by it, so "
                                    "give its private key (sottoctl keygen writes one)"
                                  : ""));
  }
}

int rotate(CliContext &context, const std::vector<std::string> &args) {
  const Arguments arguments(args, {"--new-key", "--signing-key", "--retire", "--site", "--devices",
                                   "--waves", "--max-failure-pct"});
  arguments.positionals({});
  const std::string query = rollout_target_query(arguments);
  const SigningKey signer = private_key(arguments, "--signing-key", "a key the devices trust");
  const SigningKey new_key = private_key(arguments, "--new-key", "the key to add");
  KeyRotationRequest request;
  if (const auto retire = arguments.value("--retire")) {
    request.retire_key_id =
        static_cast<uint32_t>(std::stoul(key_id_argument(*retire), nullptr, 16));
  }
  // Each rotation takes the fleet's next key-list number, so every device sees it as newer.
  std::string keys_raw;
  const boost::json::object keys = fetch_object(context, "/api/v1/keys", &keys_raw);
  const auto *next = keys.if_contains("next_key_list_version");
  if (next == nullptr || !next->is_number()) {
    throw GatewayError(200, "gateway: /api/v1/keys has no next_key_list_version");
  }
  request.key_list_version = next->to_number<uint32_t>();
  const std::vector<uint8_t> envelope = sign_key_rotation(signer, new_key, request);
  const std::string raw = context.gateway.post("/api/v1/keys/rotations?" + query,
                                               std::string(envelope.begin(), envelope.end()),
                                               "application/octet-stream");
  if (context.json) {
    context.out << raw << '\n';
  } else {
    const boost::json::object rollout = parse_object(raw, kNotJson);
    context.out << "started " << rollout_progress_line(rollout)
                << "\nfollow it with: sottoctl rollout status " << cell(rollout, "id") << '\n';
  }
  return kExitOk;
}

int retire(CliContext &context, const std::vector<std::string> &args) {
  const std::string key_id = key_id_argument(Arguments(args, {}).positionals({"KEY_ID"})[0]);
  const std::string raw =
      context.gateway.post("/api/v1/keys/" + key_id + "/retire", "", "application/json");
  if (context.json) {
    context.out << raw << '\n';
  } else {
    const boost::json::object key = parse_object(raw, kNotJson);
    context.out << "key " << key_id << " retired at the gateway: nothing signed by it is sent "
                << "any more. " << cell(key, "devices_trusting")
                << " devices still trust it until a key rotation retires it there: sottoctl "
                   "keys rotate --retire "
                << key_id << " ...\n";
  }
  return kExitOk;
}

}  // namespace

int keys_command(CliContext &context, const std::vector<std::string> &args) {
  if (args.empty()) throw UsageError("missing keys subcommand (list, trust, rotate, retire)");
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "list") return list(context, rest);
  if (args[0] == "trust") return trust(context, rest);
  if (args[0] == "rotate") return rotate(context, rest);
  if (args[0] == "retire") return retire(context, rest);
  throw UsageError("unknown keys subcommand '" + args[0] + "' (list, trust, rotate, retire)");
}

}  // namespace sotto::gw::ctl
