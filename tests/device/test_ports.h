// An in-memory port for device runtime tests: a manual clock, NOR-like STATE storage (or any
// storage port, e.g. the host NOR model with a QUEUE region), a transport that records what it
// published and fails on demand, optionally with link control and pipelined publishes, and an
// optional fixed random.
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

  // Link control (connect/link_state): link_up is the link; connect records the time and
  // brings the link up unless connect_refused (then it fails at once).
  bool link_control = false;
  bool connect_refused = false;
  std::vector<uint64_t> connect_times_ms;

  // Pipelining (publish_begin/publish_result): begun messages wait in in_flight until the test
  // acknowledges or fails them, oldest first.
  bool pipelined = false;
  std::vector<Published> in_flight;
  size_t most_in_flight = 0;
  void acknowledge(size_t count);  // the oldest `count` in flight reach `published`
  void fail_in_flight();           // every message in flight fails; the link drops

  // Storage other than the built-in STATE-only one (it must outlive the device).
  void use_storage(const sotto_storage_port_t &storage) {
    storage_ = storage;
    has_storage_ = true;
  }

  uint64_t now_ms = 0;
  std::vector<uint8_t> state;  // the STATE region
  uint32_t sector_bytes;
  int erases = 0;
  int writes = 0;

  void set_random(uint32_t value) {
    random_value_ = value;
    has_random_ = true;
  }

  // Pipelining bookkeeping, private to test_ports.cpp.
  struct Ticket {
    uint32_t id;
    int state;  // 0 waiting, 1 acknowledged, 2 failed
  };
  std::vector<Ticket> tickets_;
  uint32_t next_ticket_ = 0;

 private:
  uint32_t random_value_ = 0;
  bool has_random_ = false;
  sotto_storage_port_t storage_{};
  bool has_storage_ = false;
};

// Decodes helpers for assertions.
sotto_health_t decode_health(const Published &message);
sotto_event_t decode_event(const Published &message);

}  // namespace sotto::test
