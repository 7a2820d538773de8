// The fleet CA's registry: one line per device certificate it issued, in DIR/devices.tsv. It is
// what the CRL and the broker's ACL are rebuilt from, and what `sottoctl device list --certs`
// shows. Held under an exclusive lock (DIR/devices.lock) from load to save, so two sottoctl
// runs, or sottoctl and sotto-sim, cannot lose each other's certificates.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pki_layout.h"

namespace sotto::gw::pki {

struct IssuedCertificate {
  std::string serial;        // lower-case hex
  std::string device;        // the certificate's CN
  std::string site;          // its SAN URI is sotto://<site>/<device>
  std::string device_class;  // as the operator named it (--class): a class name or number
  std::string how;           // "enrolled" (device-made key) or "provisioned" (key made here)
  int64_t issued_s = 0;
  int64_t not_before_s = 0;
  int64_t not_after_s = 0;
  int64_t revoked_s = 0;  // 0: not revoked

  bool revoked() const { return revoked_s != 0; }
  // Unrevoked and inside its validity window at now_s: the broker lets it in.
  bool usable_at(int64_t now_s) const {
    return !revoked() && not_before_s <= now_s && now_s < not_after_s;
  }
};

class CaRegistry {
 public:
  // Takes the lock (waiting for another holder) and reads the file; a missing file is an empty
  // registry. Throws std::runtime_error naming the file and line of anything malformed.
  explicit CaRegistry(const PkiPaths &paths);
  ~CaRegistry();
  CaRegistry(const CaRegistry &) = delete;
  CaRegistry &operator=(const CaRegistry &) = delete;

  const std::vector<IssuedCertificate> &certificates() const { return certificates_; }
  void add(const IssuedCertificate &certificate) { certificates_.push_back(certificate); }
  // Marks every unrevoked certificate of the device revoked at now_s; returns their serials.
  std::vector<std::string> revoke_device(const std::string &device, int64_t now_s);
  // The site of the device's newest unrevoked certificate, "" if it has none.
  std::string current_site(const std::string &device) const;
  // Writes the file atomically (complete or not at all).
  void save() const;

 private:
  PkiPaths paths_;
  int lock_fd_ = -1;
  std::vector<IssuedCertificate> certificates_;
};

}  // namespace sotto::gw::pki
