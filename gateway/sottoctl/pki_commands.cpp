// See pki_commands.h. Argument checking, files in and out and the operator's messages; the
// certificates, the registry and the broker files are gateway/pki's.
#include "pki_commands.h"

#include <sys/stat.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <map>
#include <sstream>

#include "broker_files.h"
#include "ca_registry.h"
#include "class_commands.h"
#include "cli_arguments.h"
#include "device_certificates.h"
#include "file_bytes.h"
#include "json_output.h"
#include "pki_init.h"
#include "text_table.h"
#include "time_format.h"

namespace sotto::gw::ctl {
namespace {

std::string required(const Arguments &arguments, const std::string &name) {
  auto value = arguments.value(name);
  if (!value) throw UsageError("missing " + name);
  return *value;
}

std::vector<std::string> comma_list(const std::string &text) {
  std::vector<std::string> items;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

int64_t now_s() {
  return now_ms() / 1000;
}

std::string date_of(int64_t seconds) {
  return iso8601_utc(seconds * 1000).substr(0, 10);
}

pki::PkiPaths pki_paths(const Arguments &arguments) {
  return pki::PkiPaths{arguments.value("--pki").value_or(pki::default_pki_dir())};
}

// A class name must be one the gateway knows (class_commands.h); a number is taken as is.
pki::DeviceIdentity identity_from(CliContext &context, const Arguments &arguments,
                                  const std::string &device) {
  const std::string device_class = required(arguments, "--class");
  class_number(context, device_class);
  pki::DeviceIdentity identity{device, required(arguments, "--site"), device_class};
  try {
    pki::check_identity(identity);
  } catch (const std::invalid_argument &error) {
    throw UsageError(error.what());
  }
  return identity;
}

void write_new_text(const std::string &path, const std::string &text, unsigned mode) {
  write_new_file(path, text.data(), text.size(), mode);
}

// After enrol or provision: a broker that was not reloaded only delays the new device.
void reload_after_issuing(CliContext &context, const Arguments &arguments) {
  if (arguments.flag("--no-reload")) return;
  const pki::BrokerReload reload = pki::reload_broker(
      arguments.value("--broker-pid-file").value_or(pki::default_broker_pid_file()));
  if (reload.signalled) {
    context.out << reload.message << "\n";
  } else {
    context.err << "note: broker not reloaded (" << reload.message
                << "); the device can connect once it reloads (systemctl reload mosquitto)\n";
  }
}

void print_issued(CliContext &context, const pki::IssuedDevice &issued, const char *how,
                  const std::string &where) {
  context.out << how << ' ' << issued.identity.device << " (site " << issued.identity.site
              << ", class " << issued.identity.device_class << "): certificate " << issued.serial
              << " valid until " << date_of(issued.not_after_s) << ", " << where << "\n";
}

int enroll(CliContext &context, const std::vector<std::string> &args) {
  const Arguments arguments(
      args, {"--site", "--class", "-o", "--pki", "--days", "--device", "--broker-pid-file"},
      {"--no-reload"});
  const std::string csr_path = arguments.positionals({"CSR"})[0];
  const std::string out_path = required(arguments, "-o");
  const std::vector<uint8_t> bytes = read_file_bytes(csr_path);
  const pki::CertificateRequest request = pki::read_certificate_request(bytes.data(), bytes.size());
  // The device names itself in the request; --device, when given, must agree.
  if (!arguments.value("--device") && !pki::is_valid_id(request.common_name)) {
    throw pki::CsrError("certificate request: its CN '" + request.common_name +
                        "' is not a device id ([a-z0-9][a-z0-9-]{0,31})");
  }
  const std::string device = arguments.value("--device").value_or(request.common_name);
  const pki::DeviceIdentity identity = identity_from(context, arguments, device);
  struct stat info {};
  if (::stat(out_path.c_str(), &info) == 0)
    throw std::runtime_error("refusing to overwrite " + out_path);
  const pki::IssuedDevice issued =
      pki::enroll_device(pki_paths(arguments), request, identity, now_s(),
                         arguments.integer("--days", 1, 36500, pki::kDefaultDeviceDays));
  write_new_text(out_path, issued.certificate_pem, 0644);
  print_issued(context, issued, "enrolled", "written to " + out_path);
  reload_after_issuing(context, arguments);
  return kExitOk;
}

int provision(CliContext &context, const std::vector<std::string> &args) {
  const Arguments arguments(args,
                            {"--site", "--class", "--out", "--pki", "--days", "--broker-pid-file"},
                            {"--no-reload"});
  const std::string device = arguments.positionals({"ID"})[0];
  const std::string out_dir = required(arguments, "--out");
  const pki::DeviceIdentity identity = identity_from(context, arguments, device);
  const pki::PkiPaths paths = pki_paths(arguments);
  // One new directory per device: an existing one is refused rather than mixed.
  struct stat info {};
  if (::stat(out_dir.c_str(), &info) == 0) {
    throw std::runtime_error("refusing to write into the existing " + out_dir +
                             " (provision makes a new directory per device)");
  }
  const std::vector<pki::IssuedDevice> issued = pki::provision_devices(
      paths, {identity}, now_s(), arguments.integer("--days", 1, 36500, pki::kDefaultDeviceDays));
  if (::mkdir(out_dir.c_str(), 0700) != 0) {
    throw std::runtime_error("cannot create " + out_dir + ": " + std::strerror(errno) +
                             " (certificate " + issued[0].serial + " was issued; revoke it)");
  }
  write_new_text(out_dir + "/device.key", issued[0].key_pem, 0600);
  write_new_text(out_dir + "/device.crt", issued[0].certificate_pem, 0644);
  const std::vector<uint8_t> ca = read_file_bytes(paths.ca_certificate());
  write_new_file(out_dir + "/ca.crt", ca.data(), ca.size(), 0644);
  print_issued(context, issued[0], "provisioned",
               "key, certificate and fleet CA in " + out_dir + "/ (device.key is mode 0600)");
  reload_after_issuing(context, arguments);
  return kExitOk;
}

int revoke(CliContext &context, const std::vector<std::string> &args) {
  const Arguments arguments(args, {"--pki", "--broker-pid-file"}, {"--no-reload"});
  const std::string device = arguments.positionals({"ID"})[0];
  const pki::PkiPaths paths = pki_paths(arguments);
  const std::vector<std::string> serials = pki::revoke_device(paths, device, now_s());
  std::string list;
  for (const std::string &serial : serials) list += (list.empty() ? "" : ", ") + serial;
  context.out << "revoked " << device << ": certificate" << (serials.size() > 1 ? "s " : " ")
              << list << " in " << paths.crl() << "; its ACL entries are gone from " << paths.acl()
              << "; its history stays in the gateway\n";
  if (arguments.flag("--no-reload")) {
    context.out << "broker not reloaded (--no-reload): deliver " << paths.crl() << " and "
                << paths.acl() << " to it and reload it\n";
    return kExitOk;
  }
  const pki::BrokerReload reload = pki::reload_broker(
      arguments.value("--broker-pid-file").value_or(pki::default_broker_pid_file()));
  if (!reload.signalled) {
    context.err << "error: the broker was NOT reloaded (" << reload.message << "): until it "
                << "reloads (systemctl reload mosquitto), " << device << " can still connect\n";
    return kExitFailed;
  }
  context.out << reload.message << "\n";
  return kExitOk;
}

// What the gateway knows of each device (events, last seen), when it answers.
std::map<std::string, boost::json::object> gateway_devices(CliContext &context) {
  std::map<std::string, boost::json::object> devices;
  try {
    std::string raw;
    const boost::json::object reply = fetch_object(context, "/api/v1/devices", &raw);
    if (const auto *list = reply.if_contains("devices"); list != nullptr && list->is_array()) {
      for (const auto &item : list->as_array()) {
        if (item.is_object() && item.as_object().contains("device")) {
          devices[std::string(item.as_object().at("device").as_string())] = item.as_object();
        }
      }
    }
  } catch (const GatewayUnreachable &error) {
    context.err << "note: " << error.what() << "; events and last seen are not shown\n";
  }
  return devices;
}

std::string status_of(const pki::IssuedCertificate &certificate, int64_t now) {
  if (certificate.revoked()) return "revoked " + date_of(certificate.revoked_s);
  if (now >= certificate.not_after_s) return "expired";
  return "valid";
}

std::string gateway_cell(const std::map<std::string, boost::json::object> &devices,
                         const std::string &device, const char *key) {
  auto found = devices.find(device);
  if (found == devices.end() || !found->second.contains(key)) return "-";
  const boost::json::value &value = found->second.at(key);
  return value.is_string() ? std::string(value.as_string()) : boost::json::serialize(value);
}

int list(CliContext &context, const std::vector<std::string> &args) {
  const Arguments arguments(args, {"--pki"}, {"--certs"});
  arguments.positionals({});
  if (!arguments.flag("--certs")) {
    throw UsageError(
        "device list shows certificates: add --certs (sottoctl devices lists the "
        "gateway's registry)");
  }
  const pki::PkiPaths paths = pki_paths(arguments);
  std::vector<pki::IssuedCertificate> certificates;
  {
    const pki::CaRegistry registry(paths);
    certificates = registry.certificates();
  }
  const std::map<std::string, boost::json::object> devices = gateway_devices(context);
  const int64_t now = now_s();
  boost::json::array json;
  TextTable table(
      {"DEVICE", "SITE", "CLASS", "SERIAL", "HOW", "EXPIRES", "STATUS", "EVENTS", "LAST SEEN"});
  for (const pki::IssuedCertificate &c : certificates) {
    json.push_back({{"device", c.device},
                    {"site", c.site},
                    {"class", c.device_class},
                    {"serial", c.serial},
                    {"how", c.how},
                    {"not_after", iso8601_utc(c.not_after_s * 1000)},
                    {"status", status_of(c, now)},
                    {"revoked", c.revoked() ? boost::json::value(iso8601_utc(c.revoked_s * 1000))
                                            : boost::json::value(nullptr)}});
    table.add_row({c.device, c.site, c.device_class, c.serial, c.how, date_of(c.not_after_s),
                   status_of(c, now), gateway_cell(devices, c.device, "events"),
                   gateway_cell(devices, c.device, "last_seen")});
  }
  const std::string raw = boost::json::serialize(boost::json::object{{"certificates", json}});
  emit(context, raw, table, "no device certificates issued yet");
  return kExitOk;
}

}  // namespace

int pki_command(CliContext &context, const std::vector<std::string> &args) {
  if (args.empty() || args[0] != "init") throw UsageError("expected pki init");
  const Arguments arguments(std::vector<std::string>(args.begin() + 1, args.end()),
                            {"--out", "--fleet-name", "--broker-name", "--gateway-name"});
  arguments.positionals({});
  pki::PkiInitOptions options;
  options.dir = required(arguments, "--out");
  options.fleet_name = arguments.value("--fleet-name").value_or(options.fleet_name);
  if (auto names = arguments.value("--broker-name")) options.broker_names = comma_list(*names);
  if (auto names = arguments.value("--gateway-name")) options.gateway_names = comma_list(*names);
  options.now_s = now_s();
  try {
    pki::init_pki(options);
  } catch (const std::invalid_argument &error) {
    throw UsageError(error.what());
  }
  const pki::PkiPaths paths{options.dir};
  context.out << "fleet CA " << paths.ca_certificate() << " (key " << paths.ca_key()
              << ", mode 0600)\n"
              << "sottod   " << paths.gateway_certificate() << " (identity "
              << pki::kGatewayIdentity << ", from the gateway link CA " << paths.gateway_link_ca()
              << ")\n"
              << "broker   " << paths.broker_certificate() << ", " << paths.crl() << ", "
              << paths.acl() << "\n";
  return kExitOk;
}

int device_command(CliContext &context, const std::vector<std::string> &args) {
  if (args.empty()) throw UsageError("missing device subcommand (enroll, provision, revoke, list)");
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "enroll") return enroll(context, rest);
  if (args[0] == "provision") return provision(context, rest);
  if (args[0] == "revoke") return revoke(context, rest);
  if (args[0] == "list") return list(context, rest);
  throw UsageError("unknown device subcommand '" + args[0] +
                   "' (expected enroll, provision, revoke or list)");
}

}  // namespace sotto::gw::ctl
