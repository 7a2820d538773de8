// See openssl_ptr.h.
#include "openssl_ptr.h"

#include <openssl/err.h>

#include <climits>
#include <stdexcept>

namespace sotto::gw::pki {

std::string with_openssl_reason(const std::string &reason) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return reason;
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return reason + " (OpenSSL: " + text + ")";
}

BioPtr read_bio(const void *bytes, size_t size) {
  if (size > INT_MAX)
    throw std::runtime_error("input of " + std::to_string(size) + " bytes is too large");
  BioPtr bio(BIO_new_mem_buf(bytes, static_cast<int>(size)));
  if (!bio) throw std::runtime_error(with_openssl_reason("cannot allocate a memory BIO"));
  return bio;
}

std::string bio_text(BIO *bio) {
  char *data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  return length > 0 ? std::string(data, static_cast<size_t>(length)) : std::string();
}

}  // namespace sotto::gw::pki
