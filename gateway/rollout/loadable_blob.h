// A .smdl as a device holds it: copied into 4-byte aligned storage (a mapped flash slot) and
// opened by the device SDK's loader, which checks every bound before the gateway reads a field.
#ifndef SOTTO_GW_ROLLOUT_LOADABLE_BLOB_H
#define SOTTO_GW_ROLLOUT_LOADABLE_BLOB_H

#include <cstdint>
#include <vector>

#include "sotto/model.h"

namespace sotto::gw {

// Movable, not copyable: model points into words.
struct LoadableBlob {
  LoadableBlob() = default;
  LoadableBlob(const LoadableBlob &) = delete;
  LoadableBlob &operator=(const LoadableBlob &) = delete;
  LoadableBlob(LoadableBlob &&) = default;
  LoadableBlob &operator=(LoadableBlob &&) = default;

  std::vector<uint32_t> words;  // the blob, then zeros to the next word
  uint32_t size = 0;            // bytes of the blob
  sotto_model_t model{};        // opened, no arena attached
  const uint8_t *bytes() const { return reinterpret_cast<const uint8_t *>(words.data()); }
};

// Throws std::runtime_error: "not a loadable .smdl model (SOTTO_ERR_...); compile it with
// `sottoctl model import`", or that it is larger than any device slot.
LoadableBlob open_loadable_blob(const std::vector<uint8_t> &blob);

}  // namespace sotto::gw

#endif  // SOTTO_GW_ROLLOUT_LOADABLE_BLOB_H
