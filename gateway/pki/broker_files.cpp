// See broker_files.h.
#include "broker_files.h"

#include <openssl/pem.h>
#include <signal.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "file_bytes.h"

namespace sotto::gw::pki {
namespace {

const char *const kDeviceUplinks[] = {"event", "health", "ota/status"};
const char *const kDeviceDownlinks[] = {"ota/offer", "ota/chunk", "ota/keys"};

void write_text(const std::string &path, const std::string &text) {
  write_file_atomically(path, text.data(), text.size());
}

// Never put a CRL in place that the broker could not load: it would run without one.
void check_crl(const std::string &pem, const FleetCa &ca) {
  BioPtr bio = read_bio(pem.data(), pem.size());
  CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  if (!crl || X509_CRL_verify(crl.get(), ca.key()) != 1) {
    throw std::runtime_error(with_openssl_reason("the new CRL does not verify with the CA key"));
  }
}

std::string trimmed_first_line(const std::string &path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
  return line;
}

}  // namespace

std::string broker_acl_text(const std::vector<IssuedCertificate> &certificates, int64_t now_s) {
  // One block per device, for the site of its newest usable certificate.
  std::map<std::string, std::string> site_of;
  for (const IssuedCertificate &certificate : certificates) {
    if (certificate.usable_at(now_s)) site_of[certificate.device] = certificate.site;
  }
  std::ostringstream out;
  out << "# mosquitto ACL for the sotto fleet, rebuilt from devices.tsv by sottoctl at every\n"
         "# enrol, provision and revoke: edits here are lost. Usernames are certificate CNs.\n\n"
         "# sottod reads every uplink and writes every downlink.\n"
      << "user " << kGatewayIdentity << "\n"
      << "topic read sotto/v1/+/+/+\n"
         "topic read sotto/v1/+/+/ota/status\n";
  for (const char *downlink : kDeviceDownlinks)
    out << "topic write sotto/v1/+/+/" << downlink << "\n";
  for (const auto &[device, site] : site_of) {
    const std::string prefix = "sotto/v1/" + site + "/" + device + "/";
    out << "\n# " << device << " at " << site << ": its own uplinks and downlinks only\n"
        << "user " << device << "\n";
    for (const char *uplink : kDeviceUplinks) out << "topic write " << prefix << uplink << "\n";
    for (const char *downlink : kDeviceDownlinks)
      out << "topic read " << prefix << downlink << "\n";
  }
  return out.str();
}

void publish_broker_files(const PkiPaths &paths, const FleetCa &ca, const CaRegistry &registry,
                          int64_t now_s) {
  const std::string crl =
      ca.crl_pem(registry.certificates(), crl_number_of(paths.crl()) + 1, now_s);
  check_crl(crl, ca);
  write_text(paths.crl(), crl);
  write_text(paths.acl(), broker_acl_text(registry.certificates(), now_s));
}

BrokerReload reload_broker(const std::string &pid_file) {
  BrokerReload result;
  const std::string text = trimmed_first_line(pid_file);
  if (text.empty()) {
    result.message = "no broker pid in " + pid_file;
    return result;
  }
  char *end = nullptr;
  const long pid = std::strtol(text.c_str(), &end, 10);
  if (end != text.c_str() + text.size() || pid <= 1) {
    result.message = pid_file + " holds '" + text + "', not a process id";
    return result;
  }
  const std::string comm = trimmed_first_line("/proc/" + std::to_string(pid) + "/comm");
  if (comm != "mosquitto") {
    result.message = pid_file + " names process " + std::to_string(pid) +
                     (comm.empty() ? " which is not running" : " ('" + comm + "'), not mosquitto");
    return result;
  }
  if (::kill(static_cast<pid_t>(pid), SIGHUP) != 0) {
    result.message =
        "cannot signal mosquitto (pid " + std::to_string(pid) + "): " + std::strerror(errno);
    return result;
  }
  result.signalled = true;
  result.message =
      "mosquitto (pid " + std::to_string(pid) + ") reloads its CRL, ACL and certificates (SIGHUP)";
  return result;
}

std::string default_broker_pid_file() {
  const char *from_env = std::getenv("SOTTO_BROKER_PID_FILE");
  return from_env != nullptr && *from_env != '\0' ? from_env : "/run/mosquitto/mosquitto.pid";
}

}  // namespace sotto::gw::pki
