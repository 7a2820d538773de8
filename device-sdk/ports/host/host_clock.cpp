// Host clock port: real (optionally sped up) or manually driven time since creation.
#include <atomic>
#include <chrono>
#include <new>

#include "sotto/port_host.h"

struct sotto_host_clock {
  bool manual = false;
  double time_scale = 1.0;
  std::chrono::steady_clock::time_point created = std::chrono::steady_clock::now();
  std::atomic<uint64_t> manual_ms{0};
};

namespace {

uint64_t clock_now(void *ctx) {
  return sotto_host_clock_now_ms(static_cast<sotto_host_clock_t *>(ctx));
}

}  // namespace

extern "C" sotto_host_clock_t *sotto_host_clock_create_real(double time_scale) {
  if (!(time_scale > 0.0)) {
    return nullptr;
  }
  auto *clock = new (std::nothrow) sotto_host_clock();
  if (clock != nullptr) {
    clock->time_scale = time_scale;
  }
  return clock;
}

extern "C" sotto_host_clock_t *sotto_host_clock_create_manual(uint64_t start_ms) {
  auto *clock = new (std::nothrow) sotto_host_clock();
  if (clock != nullptr) {
    clock->manual = true;
    clock->manual_ms.store(start_ms);
  }
  return clock;
}

extern "C" void sotto_host_clock_destroy(sotto_host_clock_t *clock) {
  delete clock;
}

extern "C" uint64_t sotto_host_clock_now_ms(sotto_host_clock_t *clock) {
  if (clock == nullptr) {
    return 0;
  }
  if (clock->manual) {
    return clock->manual_ms.load();
  }
  auto elapsed = std::chrono::steady_clock::now() - clock->created;
  double real_ms = std::chrono::duration<double, std::milli>(elapsed).count();
  return static_cast<uint64_t>(real_ms * clock->time_scale);
}

extern "C" void sotto_host_clock_set_ms(sotto_host_clock_t *clock, uint64_t now_ms) {
  if (clock == nullptr || !clock->manual) {
    return;
  }
  uint64_t current = clock->manual_ms.load();
  while (now_ms > current && !clock->manual_ms.compare_exchange_weak(current, now_ms)) {
  }
}

extern "C" void sotto_host_clock_advance_ms(sotto_host_clock_t *clock, uint64_t delta_ms) {
  if (clock == nullptr || !clock->manual) {
    return;
  }
  clock->manual_ms.fetch_add(delta_ms);
}

extern "C" sotto_clock_port_t sotto_host_clock_port(sotto_host_clock_t *clock) {
  sotto_clock_port_t port = {clock, clock_now};
  return port;
}
