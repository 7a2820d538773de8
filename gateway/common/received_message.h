// One MQTT message as the broker delivered it, stamped with the gateway's clock on arrival: what
// the ingest client hands to the journal and the journal hands to the store writer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sotto::gw {

struct ReceivedMessage {
  std::string topic;
  std::vector<uint8_t> payload;
  int64_t received_ms = 0;
};

}  // namespace sotto::gw
