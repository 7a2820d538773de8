// The oldest device SDK release whose engine reads a .smdl. The importer has added to the format
// since the first release, 0.1.0 (SOTTO_SDK_VERSION 100), without a new format version for each
// addition, and firmware of that release refuses such a blob only once it holds it (at open, or
// in the self-test before activation). `sottoctl model sign` therefore keeps a bundle's
// min_sdk_version at or above the floor: older firmware then refuses the offer by name
// (OTA_FAILURE_SDK_TOO_OLD) before it downloads anything.
#ifndef SOTTO_GW_ROLLOUT_MODEL_SDK_FLOOR_H
#define SOTTO_GW_ROLLOUT_MODEL_SDK_FLOOR_H

#include <cstdint>
#include <string>
#include <vector>

namespace sotto::gw {

// The first release, and the one that reads everything the importer writes today.
constexpr uint32_t kFirstSdkRelease = 100;      // 0.1.0
constexpr uint32_t kSdkReadingAdditions = 200;  // 0.2.0

struct ModelSdkFloor {
  uint32_t sdk_version = kFirstSdkRelease;
  // What the 0.1.0 engine does not read, and how to import without it ("" at 0.1.0), e.g.
  // "op 0 (CONV_2D): an interleaved filter (import with --plain-filters)".
  std::string needs;
};

// Throws open_loadable_blob's std::runtime_error when the blob does not open on this SDK's engine.
ModelSdkFloor model_sdk_floor(const std::vector<uint8_t> &blob);

}  // namespace sotto::gw

#endif  // SOTTO_GW_ROLLOUT_MODEL_SDK_FLOOR_H
