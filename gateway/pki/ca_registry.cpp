// See ca_registry.h. The file is tab-separated text so an operator can read and grep it.
#include "ca_registry.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "file_bytes.h"

namespace sotto::gw::pki {
namespace {

constexpr const char *kHeader =
    "# sotto fleet CA: every device certificate issued (written by sottoctl and sotto-sim)\n"
    "# serial\tdevice\tsite\tclass\thow\tissued_s\tnot_before_s\tnot_after_s\trevoked_s\n";
constexpr size_t kFields = 9;

std::vector<std::string> split_tabs(const std::string &line) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, '\t')) fields.push_back(field);
  return fields;
}

int64_t to_seconds(const std::string &text, const std::string &where) {
  char *end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || errno != 0 || end != text.c_str() + text.size() || value < 0) {
    throw std::runtime_error(where + ": expected Unix seconds, got '" + text + "'");
  }
  return value;
}

IssuedCertificate parse_line(const std::string &line, const std::string &where) {
  const std::vector<std::string> fields = split_tabs(line);
  if (fields.size() != kFields) {
    throw std::runtime_error(where + ": expected " + std::to_string(kFields) +
                             " tab-separated fields, got " + std::to_string(fields.size()));
  }
  IssuedCertificate row;
  row.serial = fields[0];
  row.device = fields[1];
  row.site = fields[2];
  row.device_class = fields[3];
  row.how = fields[4];
  row.issued_s = to_seconds(fields[5], where);
  row.not_before_s = to_seconds(fields[6], where);
  row.not_after_s = to_seconds(fields[7], where);
  row.revoked_s = to_seconds(fields[8], where);
  if (row.serial.empty() || row.device.empty() || row.site.empty() || row.device_class.empty() ||
      (row.how != "enrolled" && row.how != "provisioned")) {
    throw std::runtime_error(where + ": empty field or unknown origin '" + row.how + "'");
  }
  return row;
}

}  // namespace

CaRegistry::CaRegistry(const PkiPaths &paths) : paths_(paths) {
  lock_fd_ = ::open(paths_.registry_lock().c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX) != 0) {
    const std::string reason = std::strerror(errno);
    if (lock_fd_ >= 0) ::close(lock_fd_);
    throw std::runtime_error("cannot lock " + paths_.registry_lock() + ": " + reason + " (is " +
                             paths_.dir + " a fleet PKI directory from sottoctl pki init?)");
  }
  std::ifstream in(paths_.registry());
  if (!in) return;  // nothing issued yet
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    certificates_.push_back(
        parse_line(line, paths_.registry() + " line " + std::to_string(number)));
  }
}

CaRegistry::~CaRegistry() {
  ::close(lock_fd_);  // releases the lock
}

std::vector<std::string> CaRegistry::revoke_device(const std::string &device, int64_t now_s) {
  std::vector<std::string> serials;
  for (IssuedCertificate &certificate : certificates_) {
    if (certificate.device == device && !certificate.revoked()) {
      certificate.revoked_s = now_s;
      serials.push_back(certificate.serial);
    }
  }
  return serials;
}

std::string CaRegistry::current_site(const std::string &device) const {
  std::string site;
  for (const IssuedCertificate &certificate : certificates_) {
    if (certificate.device == device && !certificate.revoked()) site = certificate.site;
  }
  return site;
}

void CaRegistry::save() const {
  std::ostringstream out;
  out << kHeader;
  for (const IssuedCertificate &c : certificates_) {
    out << c.serial << '\t' << c.device << '\t' << c.site << '\t' << c.device_class << '\t' << c.how
        << '\t' << c.issued_s << '\t' << c.not_before_s << '\t' << c.not_after_s << '\t'
        << c.revoked_s << '\n';
  }
  const std::string text = out.str();
  write_file_atomically(paths_.registry(), text.data(), text.size());
}

}  // namespace sotto::gw::pki
