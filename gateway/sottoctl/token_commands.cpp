// `sottoctl token ...` over the store's trust tables (see the header).
#include "token_commands.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "api_token.h"
#include "audit_log.h"
#include "cli_arguments.h"
#include "local_store.h"
#include "open_store.h"
#include "text_table.h"
#include "time_format.h"

namespace sotto::gw::ctl {
namespace {

// sottoctl runs as root on the gateway machine while sottod runs as its own user (the shipped
// unit's DynamicUser): database files created or touched here get the owner of the folder that
// holds them, or sottod could not write its own database afterwards.
void give_store_files_to_folder_owner(const std::string &db_path) {
  if (::geteuid() != 0) return;
  std::filesystem::path folder = std::filesystem::path(db_path).parent_path();
  if (folder.empty()) folder = ".";
  struct stat owner {};
  if (::stat(folder.c_str(), &owner) != 0) return;
  for (const char *suffix : {"", "-wal", "-shm"}) {
    const std::string file = db_path + suffix;
    if (::chown(file.c_str(), owner.st_uid, owner.st_gid) != 0 && errno != ENOENT) {
      throw std::runtime_error("cannot give " + file + " to the owner of " + folder.string() +
                               ": " + std::strerror(errno));
    }
  }
}

// Writes the token to a new file only its owner can read.
void write_token_file(const std::string &path, const std::string &token) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("--out " + path + ": " + std::strerror(errno));
  const std::string line = token + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok) throw std::runtime_error("--out " + path + ": cannot write the token");
}

// sottoctl writes beside a running sottod: another process, so it cannot use sottod's writer
// thread. sottod holds the write lock one batch at a time (milliseconds, busy_timeout 100 ms on
// both sides) and retries a batch that met this lock, so a token write waits for a gap here
// instead of failing, and sottod loses nothing either way.
template <typename Write>
auto retrying_while_busy(Write write) {
  constexpr int kAttempts = 50;  // about 5 s with the writer's 100 ms busy timeout
  for (int attempt = 1;; ++attempt) {
    try {
      return write();
    } catch (const StoreError &error) {
      if (error.kind() != StoreError::Kind::kBusy || attempt == kAttempts) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

void audit(TrustWriter &writer, const std::string &action, const std::string &target,
           const std::string &detail) {
  AuditLog log(writer);
  AuditRow row;
  row.who = local_user_name();
  row.action = action;
  row.target = target;
  row.outcome = "ok";
  row.detail = detail;
  log.record(std::move(row));
}

int create(CliContext &context, const Arguments &arguments) {
  arguments.positionals({});
  const auto role_text = arguments.value("--role");
  const auto name = arguments.value("--name");
  if (!role_text || !name) throw UsageError("token create needs --role and --name");
  const auto role = role_from_name(*role_text);
  if (!role) throw UsageError("--role: expected viewer or operator, got '" + *role_text + "'");
  if (!is_valid_token_name(*name)) {
    throw UsageError("--name: expected 1.." + std::to_string(kMaxTokenNameBytes) +
                     " characters of A-Z a-z 0-9 . _ @ -, got '" + *name + "'");
  }
  const StoreConfig config = local_store_config(arguments);
  NewToken token = make_token(*name, *role, now_ms());
  {
    const std::unique_ptr<Store> store = open_store(config);
    const std::unique_ptr<StoreWriter> writer = store->writer();
    if (!retrying_while_busy([&] { return writer->insert_api_token(token.row); })) {
      throw std::runtime_error("a token named '" + *name +
                               "' exists and is not revoked: revoke it first or pick another name");
    }
    audit(*writer, "token.create", "token '" + *name + "' (" + role_name(*role) + ")",
          "token id " + token.row.token_id);
  }
  give_store_files_to_folder_owner(config.path);
  const auto out_file = arguments.value("--out");
  if (out_file) write_token_file(*out_file, token.text);
  if (context.json) {
    boost::json::object reply{
        {"token_id", token.row.token_id}, {"name", token.row.name}, {"role", token.row.role}};
    if (!out_file) reply["token"] = token.text;
    context.out << boost::json::serialize(reply) << '\n';
  } else if (out_file) {
    context.out << "token '" << *name << "' (" << role_name(*role) << ", id " << token.row.token_id
                << ") written to " << *out_file << " (mode 0600)\n";
  } else {
    context.err << "token '" << *name << "' (" << role_name(*role) << ", id " << token.row.token_id
                << "); shown once, keep it in a mode 0600 file:\n";
    context.out << token.text << '\n';
  }
  return kExitOk;
}

int list(CliContext &context, const Arguments &arguments) {
  arguments.positionals({});
  const StoreConfig config = local_store_config(arguments);
  std::vector<ApiTokenRow> tokens;
  {
    const std::unique_ptr<Store> store = open_store(config);
    tokens = store->reader()->api_tokens();
  }
  give_store_files_to_folder_owner(config.path);
  boost::json::array json;
  TextTable table({"NAME", "ROLE", "TOKEN_ID", "CREATED", "REVOKED"});
  for (const ApiTokenRow &token : tokens) {
    const std::string revoked = token.revoked_ms ? iso8601_utc(*token.revoked_ms) : "-";
    table.add_row({token.name, token.role, token.token_id, iso8601_utc(token.created_ms), revoked});
    json.push_back(boost::json::object{{"name", token.name},
                                       {"role", token.role},
                                       {"token_id", token.token_id},
                                       {"created", iso8601_utc(token.created_ms)},
                                       {"revoked", token.revoked_ms ? revoked : ""}});
  }
  if (context.json) {
    context.out << boost::json::serialize(boost::json::object{{"tokens", json}}) << '\n';
  } else if (tokens.empty()) {
    context.out << "no tokens\n";
  } else {
    table.print(context.out);
  }
  return kExitOk;
}

int revoke(CliContext &context, const Arguments &arguments) {
  const std::string which = arguments.positionals({"NAME|TOKEN_ID"})[0];
  const StoreConfig config = local_store_config(arguments);
  {
    const std::unique_ptr<Store> store = open_store(config);
    const std::unique_ptr<StoreWriter> writer = store->writer();
    if (!retrying_while_busy([&] { return writer->revoke_api_token(which, now_ms()); })) {
      throw std::runtime_error("no unrevoked token is named or has the id '" + which +
                               "' (sottoctl token list)");
    }
    audit(*writer, "token.revoke", "token '" + which + "'", "");
  }
  give_store_files_to_folder_owner(config.path);
  context.out << "token '" << which << "' revoked; the gateway refuses it from the next request\n";
  return kExitOk;
}

}  // namespace

int token_command(CliContext &context, const std::vector<std::string> &args) {
  if (args.empty()) throw UsageError("missing token subcommand (create, list, revoke)");
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  const Arguments arguments(rest, {"--role", "--name", "--out", "--db", "--config"});
  if (args[0] == "create") return create(context, arguments);
  if (args[0] != "list" && args[0] != "revoke") {
    throw UsageError("unknown token subcommand '" + args[0] + "' (create, list, revoke)");
  }
  for (const char *option : {"--role", "--name", "--out"}) {
    if (arguments.value(option)) throw UsageError(std::string(option) + " is for token create");
  }
  return args[0] == "list" ? list(context, arguments) : revoke(context, arguments);
}

}  // namespace sotto::gw::ctl
