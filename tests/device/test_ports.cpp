// The in-memory test port (see test_ports.h).
#include "test_ports.h"

#include <algorithm>
#include <cstring>

#include <gtest/gtest.h>

namespace sotto::test {
namespace {

TestPorts *self(void *ctx) {
  return static_cast<TestPorts *>(ctx);
}

uint64_t now_ms(void *ctx) {
  return self(ctx)->now_ms;
}

uint32_t region_bytes(void *ctx, sotto_storage_region_t region) {
  return region == SOTTO_REGION_STATE ? static_cast<uint32_t>(self(ctx)->state.size()) : 0;
}

uint32_t sector_bytes(void *ctx) {
  return self(ctx)->sector_bytes;
}

bool in_state(void *ctx, sotto_storage_region_t region, uint32_t offset, size_t len) {
  return region == SOTTO_REGION_STATE && offset + len <= self(ctx)->state.size();
}

sotto_err_t read(void *ctx, sotto_storage_region_t region, uint32_t offset, void *out, size_t len) {
  if (!in_state(ctx, region, offset, len)) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  std::memcpy(out, self(ctx)->state.data() + offset, len);
  return SOTTO_OK;
}

sotto_err_t write(void *ctx, sotto_storage_region_t region, uint32_t offset, const void *data,
                  size_t len) {
  if (!in_state(ctx, region, offset, len)) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  const auto *bytes = static_cast<const uint8_t *>(data);
  for (size_t i = 0; i < len; ++i) {
    uint8_t &cell = self(ctx)->state[offset + i];
    if ((cell & bytes[i]) != bytes[i]) {
      return SOTTO_ERR_STORAGE;  // NOR: only clears bits
    }
    cell = bytes[i];
  }
  self(ctx)->writes += 1;
  return SOTTO_OK;
}

sotto_err_t erase(void *ctx, sotto_storage_region_t region, uint32_t offset, size_t len) {
  if (!in_state(ctx, region, offset, len) || offset % self(ctx)->sector_bytes != 0 ||
      len % self(ctx)->sector_bytes != 0) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  std::memset(self(ctx)->state.data() + offset, 0xff, len);
  self(ctx)->erases += 1;
  return SOTTO_OK;
}

sotto_err_t publish(void *ctx, const char *topic, const uint8_t *payload, size_t len) {
  TestPorts *ports = self(ctx);
  ports->publish_attempts += 1;
  if (ports->fail_after_publishes == 0) {
    ports->link_up = false;
  }
  if (ports->fail_after_publishes > 0) {
    ports->fail_after_publishes -= 1;
  }
  if (!ports->link_up) {
    return SOTTO_ERR_TRANSPORT;
  }
  ports->published.push_back({topic, std::vector<uint8_t>(payload, payload + len)});
  return SOTTO_OK;
}

sotto_err_t connect(void *ctx) {
  TestPorts *ports = self(ctx);
  ports->connect_times_ms.push_back(ports->now_ms);
  if (ports->connect_refused) {
    return SOTTO_ERR_TRANSPORT;
  }
  ports->link_up = true;
  return SOTTO_OK;
}

sotto_link_state_t link_state(void *ctx) {
  return self(ctx)->link_up ? SOTTO_LINK_UP : SOTTO_LINK_DOWN;
}

sotto_err_t publish_begin(void *ctx, const char *topic, const uint8_t *payload, size_t len,
                          uint32_t *out_ticket) {
  TestPorts *ports = self(ctx);
  ports->publish_attempts += 1;
  if (!ports->link_up) {
    return SOTTO_ERR_TRANSPORT;
  }
  ports->in_flight.push_back({topic, std::vector<uint8_t>(payload, payload + len)});
  ports->most_in_flight = std::max(ports->most_in_flight, ports->in_flight.size());
  *out_ticket = ++ports->next_ticket_;
  ports->tickets_.push_back({*out_ticket, 0});
  return SOTTO_OK;
}

sotto_err_t publish_result(void *ctx, uint32_t ticket) {
  TestPorts *ports = self(ctx);
  for (auto it = ports->tickets_.begin(); it != ports->tickets_.end(); ++it) {
    if (it->id == ticket) {
      const int state = it->state;
      if (state == 0) {
        return SOTTO_ERR_PENDING;
      }
      ports->tickets_.erase(it);
      return state == 1 ? SOTTO_OK : SOTTO_ERR_TRANSPORT;
    }
  }
  return SOTTO_ERR_TRANSPORT;
}

}  // namespace

void TestPorts::acknowledge(size_t count) {
  size_t done = 0;
  for (Ticket &ticket : tickets_) {
    if (done == count || in_flight.empty()) {
      break;
    }
    if (ticket.state == 0) {
      ticket.state = 1;
      published.push_back(in_flight.front());
      in_flight.erase(in_flight.begin());
      done += 1;
    }
  }
}

void TestPorts::fail_in_flight() {
  for (Ticket &ticket : tickets_) {
    ticket.state = ticket.state == 0 ? 2 : ticket.state;
  }
  in_flight.clear();
  link_up = false;
}

TestPorts::TestPorts(uint32_t sector, uint32_t state_sectors)
    : state(static_cast<size_t>(sector) * state_sectors, 0xff), sector_bytes(sector) {}

sotto_ports_t TestPorts::ports() {
  sotto_ports_t ports{};
  ports.clock = {this, sotto::test::now_ms};
  ports.storage = {this, region_bytes, sotto::test::sector_bytes, read, write, erase, nullptr};
  if (has_storage_) {
    ports.storage = storage_;
  }
  ports.transport.ctx = this;
  ports.transport.publish = publish;
  if (link_control) {
    ports.transport.connect = connect;
    ports.transport.link_state = link_state;
  }
  if (pipelined) {
    ports.transport.publish_begin = publish_begin;
    ports.transport.publish_result = publish_result;
  }
  if (has_random_) {
    ports.random = {this, [](void *ctx) { return self(ctx)->random_value_; }};
  }
  return ports;
}

sotto_health_t decode_health(const Published &message) {
  sotto_health_t health{};
  EXPECT_EQ(sotto_health_decode(message.payload.data(), message.payload.size(), &health), SOTTO_OK)
      << message.topic;
  return health;
}

sotto_event_t decode_event(const Published &message) {
  sotto_event_t event{};
  EXPECT_EQ(sotto_event_decode(message.payload.data(), message.payload.size(), &event), SOTTO_OK)
      << message.topic;
  return event;
}

}  // namespace sotto::test
