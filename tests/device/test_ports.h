// An in-memory port for device runtime tests: a manual clock, NOR-like STATE storage, a
// transport that records what it published and fails on demand, and an optional fixed random.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sotto/device.h"
#include "sotto/port.h"

namespace sotto::test {

struct Published {
  std::string topic;
  std::vector<uint8_t> payload;
};

class TestPorts {
 public:
  explicit TestPorts(uint32_t sector_bytes = 256, uint32_t state_sectors = 4);

  sotto_ports_t ports();  // random is left empty unless set_random was called

  // Transport behaviour
  bool link_up = true;
  int fail_after_publishes = -1;     // >= 0: that many more publishes succeed, then the link drops
  std::vector<Published> published;  // acknowledged messages, in order
  int publish_attempts = 0;

  uint64_t now_ms = 0;
  std::vector<uint8_t> state;  // the STATE region
  uint32_t sector_bytes;
  int erases = 0;
  int writes = 0;

  void set_random(uint32_t value) {
    random_value_ = value;
    has_random_ = true;
  }

 private:
  uint32_t random_value_ = 0;
  bool has_random_ = false;
};

// Decodes helpers for assertions.
sotto_health_t decode_health(const Published &message);
sotto_event_t decode_event(const Published &message);

}  // namespace sotto::test
