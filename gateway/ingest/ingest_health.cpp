// Ingest health: state changes, one log line each (see the header).
#include "ingest_health.h"

#include <cstdio>

#include "log.h"

namespace sotto::gw {
namespace {

std::string seconds_since(std::chrono::steady_clock::time_point since) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count());
  return text;
}

}  // namespace

void IngestHealth::set_subscribed(bool subscribed) {
  std::lock_guard<std::mutex> lock(mutex_);
  view_.subscribed = subscribed;
  metrics_.mqtt_connected = subscribed ? 1 : 0;
}

void IngestHealth::journal_refused(const std::string &why) {
  std::lock_guard<std::mutex> lock(mutex_);
  const bool entering = !view_.backpressure;
  view_.backpressure = why;  // the reason may change while paused; the log says it once
  if (!entering) return;
  backpressure_since_ = Clock::now();
  metrics_.backpressure = 1;
  metrics_.backpressure_episodes++;
  log_line(LogLevel::kWarning, "ingest paused, nothing more is acknowledged: " + why +
                                   "; the broker keeps the session's messages until it resumes");
}

void IngestHealth::journal_accepted() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!view_.backpressure) return;
  view_.backpressure.reset();
  metrics_.backpressure = 0;
  log_line(LogLevel::kInfo, "ingest resumed after " + seconds_since(backpressure_since_));
}

void IngestHealth::store_stalled(const std::string &why) {
  std::lock_guard<std::mutex> lock(mutex_);
  const bool entering = !view_.store_stall;
  view_.store_stall = why;
  if (!entering) return;
  stall_since_ = Clock::now();
  metrics_.store_stalled = 1;
  metrics_.store_stall_episodes++;
  log_line(LogLevel::kWarning,
           "store cannot commit, messages wait in the journal: " + why + "; retrying");
}

void IngestHealth::store_writing() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!view_.store_stall) return;
  view_.store_stall.reset();
  metrics_.store_stalled = 0;
  log_line(LogLevel::kInfo, "store commits again after " + seconds_since(stall_since_));
}

IngestHealth::View IngestHealth::view() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return view_;
}

}  // namespace sotto::gw
