// See device_identities.h.
#include "device_identities.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "broker_files.h"
#include "device_certificates.h"
#include "file_bytes.h"
#include "time_format.h"

namespace sotto::gw::sim {
namespace {

bool exists(const std::string &path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0;
}

void make_directory(const std::string &path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
  }
}

// Not flushed: a lost file only means the device is provisioned again next run, and a
// thousand devices would otherwise wait for two thousand fsyncs.
void write_new_text(const std::string &path, const std::string &text, unsigned mode) {
  write_new_file(path, text.data(), text.size(), mode, /*flush=*/false);
}

}  // namespace

std::map<std::string, DeviceTlsFiles> prepare_device_identities(
    const std::string &pki_dir, const std::vector<pki::DeviceIdentity> &devices,
    const std::string &broker_pid_file, std::ostream &log) {
  const pki::PkiPaths paths{pki_dir};
  const std::string root = pki_dir + "/sim";
  std::map<std::string, DeviceTlsFiles> files;
  std::vector<pki::DeviceIdentity> missing;
  for (const pki::DeviceIdentity &device : devices) {
    const std::string dir = root + "/" + device.device;
    DeviceTlsFiles &entry = files[device.device];
    entry = {paths.ca_certificate(), dir + "/device.crt", dir + "/device.key"};
    if (!exists(entry.cert_file)) missing.push_back(device);
  }
  if (missing.empty()) return files;

  make_directory(root);
  const std::vector<pki::IssuedDevice> issued =
      pki::provision_devices(paths, missing, now_ms() / 1000, pki::kDefaultDeviceDays);
  for (const pki::IssuedDevice &device : issued) {
    const DeviceTlsFiles &entry = files[device.identity.device];
    make_directory(root + "/" + device.identity.device);
    // Key first: a certificate on disk is what marks a device as provisioned, so a key without
    // one is what an interrupted run left behind.
    ::unlink(entry.key_file.c_str());
    write_new_text(entry.key_file, device.key_pem, 0600);
    write_new_text(entry.cert_file, device.certificate_pem, 0644);
  }
  const pki::BrokerReload reload = pki::reload_broker(
      broker_pid_file.empty() ? pki::default_broker_pid_file() : broker_pid_file);
  log << "sotto-sim: provisioned " << issued.size() << " device certificates in " << root
      << (reload.signalled ? "; " : "; broker NOT reloaded: ") << reload.message << "\n";
  return files;
}

}  // namespace sotto::gw::sim
