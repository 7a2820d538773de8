// Helpers for the PKI tests: a fresh directory per test, files as text, and OpenSSL's verifier.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "certificate.h"
#include "pki_layout.h"

namespace sotto::gw::pki {

std::string fresh_dir(const std::string &name);
std::string read_text(const std::string &path);
CertificatePtr read_certificate(const std::string &path);
// X509_verify_cert against the CA file, with the CRL file when given: X509_V_OK or the error.
int verify(X509 *certificate, const std::string &ca_path, const std::string &crl_path = "");
// The subjectAltName URIs, DNS names and IP addresses (as text) of a certificate, in order.
std::vector<std::string> alt_names(X509 *certificate);
// A directory made by init_pki at now_s.
PkiPaths initialised_pki(const std::string &name, int64_t now_s);

constexpr int64_t kNow = 1796000000;  // 2026-11-29: the tests' fixed clock

}  // namespace sotto::gw::pki
