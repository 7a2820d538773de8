// See pki_fixture.h.
#include "pki_fixture.h"

#include <arpa/inet.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include <filesystem>

#include "file_bytes.h"
#include "pki_init.h"

namespace sotto::gw::pki {

std::string fresh_dir(const std::string &name) {
  const std::string dir =
      ::testing::TempDir() + "/sotto-pki-" + std::to_string(::getpid()) + "-" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string read_text(const std::string &path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  return std::string(bytes.begin(), bytes.end());
}

CertificatePtr read_certificate(const std::string &path) {
  return certificate_from_pem(read_text(path), path);
}

int verify(X509 *certificate, const std::string &ca_path, const std::string &crl_path) {
  X509_STORE *store = X509_STORE_new();
  X509_STORE_load_file(store, ca_path.c_str());
  if (!crl_path.empty()) {
    const std::string pem = read_text(crl_path);
    BioPtr bio = read_bio(pem.data(), pem.size());
    X509_CRL *crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr);
    X509_STORE_add_crl(store, crl);
    X509_CRL_free(crl);
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
  }
  X509_STORE_CTX *context = X509_STORE_CTX_new();
  X509_STORE_CTX_init(context, store, certificate, nullptr);
  // The clock the certificates were made for, not the machine's.
  X509_STORE_CTX_set_time(context, 0, static_cast<time_t>(kNow + 60));
  const int ok = X509_verify_cert(context);
  const int error = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(context);
  X509_STORE_CTX_free(context);
  X509_STORE_free(store);
  return error;
}

std::vector<std::string> alt_names(X509 *certificate) {
  std::vector<std::string> names;
  NamesPtr list(static_cast<GENERAL_NAMES *>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; list && i < sk_GENERAL_NAME_num(list.get()); ++i) {
    const GENERAL_NAME *name = sk_GENERAL_NAME_value(list.get(), i);
    if (name->type == GEN_URI || name->type == GEN_DNS) {
      const ASN1_IA5STRING *text =
          name->type == GEN_URI ? name->d.uniformResourceIdentifier : name->d.dNSName;
      names.emplace_back(reinterpret_cast<const char *>(ASN1_STRING_get0_data(text)),
                         static_cast<size_t>(ASN1_STRING_length(text)));
    } else if (name->type == GEN_IPADD) {
      const int length = ASN1_STRING_length(name->d.iPAddress);
      char text[INET6_ADDRSTRLEN] = {};
      inet_ntop(length == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(name->d.iPAddress), text,
                sizeof text);
      names.emplace_back(text);
    }
  }
  return names;
}

PkiPaths initialised_pki(const std::string &name, int64_t now_s) {
  PkiInitOptions options;
  options.dir = fresh_dir(name) + "/pki";
  options.now_s = now_s;
  init_pki(options);
  return PkiPaths{options.dir};
}

}  // namespace sotto::gw::pki
