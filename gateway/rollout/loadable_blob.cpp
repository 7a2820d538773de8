#include "loadable_blob.h"

#include <cstring>
#include <stdexcept>
#include <string>

namespace sotto::gw {

LoadableBlob open_loadable_blob(const std::vector<uint8_t> &blob) {
  if (blob.size() > UINT32_MAX) {
    throw std::runtime_error("model of " + std::to_string(blob.size()) +
                             " bytes: larger than any device slot");
  }
  LoadableBlob b;
  b.words.resize(blob.size() / 4 + 1);
  std::memcpy(b.words.data(), blob.data(), blob.size());
  b.size = static_cast<uint32_t>(blob.size());
  const sotto_err_t err = sotto_model_open(&b.model, b.bytes(), b.size);
  if (err != SOTTO_OK) {
    throw std::runtime_error(std::string("not a loadable .smdl model (") + sotto_err_name(err) +
                             "); compile it with `sottoctl model import`");
  }
  return b;
}

}  // namespace sotto::gw
