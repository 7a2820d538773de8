// Reconnecting with exponential backoff and full jitter: after the n-th consecutive failure the
// next attempt waits a delay drawn uniformly from [0, min(max, min * 2^(n-1))], so devices that
// lost the broker at the same moment come back spread over a window that widens while the
// broker stays away, instead of all together at every retry.
#include "link.h"

#include "sotto/messages.h"

namespace sotto {
namespace {

enum Phase : uint8_t { kPhaseWaiting = 0, kPhaseConnecting = 1, kPhaseUp = 2 };

bool has_link_control(const sotto_device_t &device) {
  return device.ports.transport.connect != nullptr && device.ports.transport.link_state != nullptr;
}

// xorshift32 seeded with the device tag and boot id: devices without a random port still
// spread out, each differently.
uint32_t next_random(sotto_device_t *device) {
  if (device->ports.random.next_u32 != nullptr) {
    return device->ports.random.next_u32(device->ports.random.ctx);
  }
  uint32_t x = device->jitter_state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  device->jitter_state = x;
  return x;
}

uint32_t backoff_ms(sotto_device_t *device, uint32_t failures) {
  const uint32_t doublings = failures > 32 ? 31 : failures - 1;
  uint64_t ceiling = static_cast<uint64_t>(device->reconnect.min_delay_ms) << doublings;
  if (ceiling > device->reconnect.max_delay_ms) {
    ceiling = device->reconnect.max_delay_ms;
  }
  if (device->reconnect.jitter == SOTTO_JITTER_NONE) {
    return static_cast<uint32_t>(ceiling);
  }
  return static_cast<uint32_t>(next_random(device) % (ceiling + 1));
}

void schedule_retry(sotto_device_t *device, uint64_t now_ms) {
  device->link_failures += 1;
  device->next_attempt_ms = now_ms + backoff_ms(device, device->link_failures);
  device->link_phase = kPhaseWaiting;
}

}  // namespace

void link_init(sotto_device_t *device, const sotto_reconnect_config_t &config, uint64_t now_ms) {
  device->reconnect = config;
  if (device->reconnect.min_delay_ms == 0) {
    device->reconnect.min_delay_ms = SOTTO_RECONNECT_MIN_DELAY_MS_DEFAULT;
  }
  if (device->reconnect.max_delay_ms == 0) {
    device->reconnect.max_delay_ms = SOTTO_RECONNECT_MAX_DELAY_MS_DEFAULT;
  }
  if (device->reconnect.max_delay_ms < device->reconnect.min_delay_ms) {
    device->reconnect.max_delay_ms = device->reconnect.min_delay_ms;
  }
  const uint32_t seed = sotto_device_tag(device->device_id) ^ device->boot_id;
  device->jitter_state = seed == 0 ? 0x9e3779b9u : seed;
  device->next_attempt_ms = now_ms;
  device->link_failures = 0;
  device->link_phase = kPhaseWaiting;
}

LinkStep link_step(sotto_device_t *device, uint64_t now_ms) {
  if (!has_link_control(*device)) {
    return now_ms >= device->next_attempt_ms ? LinkStep::kUp : LinkStep::kWaiting;
  }
  const sotto_transport_port_t &transport = device->ports.transport;
  const sotto_link_state_t state = transport.link_state(transport.ctx);
  switch (device->link_phase) {
    case kPhaseUp:
      if (state == SOTTO_LINK_UP) {
        return LinkStep::kUp;
      }
      schedule_retry(device, now_ms);
      return LinkStep::kLost;
    case kPhaseConnecting:
      if (state == SOTTO_LINK_UP) {
        device->link_phase = kPhaseUp;
        return LinkStep::kNewConnection;
      }
      if (state == SOTTO_LINK_DOWN) {
        schedule_retry(device, now_ms);  // the attempt failed
      }
      return LinkStep::kWaiting;
    default:
      break;
  }
  if (now_ms < device->next_attempt_ms) {
    return LinkStep::kWaiting;
  }
  if (state == SOTTO_LINK_UP) {  // connected by someone else, or still up after a failed publish
    device->link_phase = kPhaseUp;
    return LinkStep::kNewConnection;
  }
  device->connect_attempts += 1;
  if (transport.connect(transport.ctx) != SOTTO_OK) {
    schedule_retry(device, now_ms);
    return LinkStep::kWaiting;
  }
  device->link_phase = kPhaseConnecting;
  if (transport.link_state(transport.ctx) == SOTTO_LINK_UP) {  // a port that connects at once
    device->link_phase = kPhaseUp;
    return LinkStep::kNewConnection;
  }
  return LinkStep::kWaiting;
}

void link_failed(sotto_device_t *device, uint64_t now_ms) {
  schedule_retry(device, now_ms);
}

void link_healthy(sotto_device_t *device) {
  device->link_failures = 0;
}

}  // namespace sotto
