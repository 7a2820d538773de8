// The store writer thread (see the header).
#include "ingest_writer.h"

#include <algorithm>

#include "log.h"
#include "time_format.h"

namespace sotto::gw {
namespace {

constexpr std::chrono::milliseconds kIdleWait{200};
constexpr std::chrono::milliseconds kFirstRetry{50};
constexpr std::chrono::milliseconds kLastRetry{2000};

}  // namespace

IngestWriter::IngestWriter(Journal &journal, Ingest &ingest, Registry &registry,
                           StoreWriter &writer, IngestHealth &health, Metrics &metrics,
                           IngestWriterOptions options)
    : journal_(journal),
      ingest_(ingest),
      registry_(registry),
      writer_(writer),
      health_(health),
      metrics_(metrics),
      options_(options) {}

IngestWriter::~IngestWriter() {
  stop();
}

void IngestWriter::start() {
  thread_ = std::thread([this] { loop(); });
}

void IngestWriter::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  journal_.wake();
  thread_.join();
}

bool IngestWriter::stopping() {
  std::lock_guard<std::mutex> lock(mutex_);
  return stopping_;
}

void IngestWriter::run_jobs() {
  while (true) {
    std::function<void()> job;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();  // a packaged_task: its exception goes to the caller of run()
  }
}

void IngestWriter::loop() {
  JournalPosition position = registry_.journal_position();
  auto next_expiry = std::chrono::steady_clock::now();
  bool expiring = false;
  while (true) {
    run_jobs();
    const bool finishing = stopping();
    const JournalRead read = journal_.read(position, options_.batch_messages,
                                           finishing ? std::chrono::milliseconds(0) : kIdleWait);
    metrics_.journal_bytes = static_cast<int64_t>(journal_.unapplied_bytes());
    if (options_.retention_days > 0 && !finishing) {
      const auto now = std::chrono::steady_clock::now();
      if (!expiring && now >= next_expiry) expiring = true;
      if (expiring && !expire_batch(now_ms())) {
        expiring = false;
        next_expiry = now + options_.retention_every;
      }
    }
    if (read.messages.empty() && read.end == position) {
      if (finishing) return;
      continue;
    }
    if (options_.test_hold.count() > 0) std::this_thread::sleep_for(options_.test_hold);
    if (!apply(read)) return;  // stopping while the store cannot commit: the journal keeps it
    journal_.applied(read);
    position = read.end;
  }
}

// Commits the batch, retrying with growing pauses until the store takes it.
bool IngestWriter::apply(const JournalRead &read) {
  std::chrono::milliseconds pause = kFirstRetry;
  while (true) {
    try {
      ingest_.apply(read.messages, read.end);
      health_.store_writing();
      return true;
    } catch (const StoreError &error) {
      health_.store_stalled(error.what());
    } catch (const std::exception &error) {
      // Never dropped: whatever failed, the batch waits in the journal and is tried again.
      health_.store_stalled(std::string("unexpected failure: ") + error.what());
    }
    run_jobs();
    if (stopping()) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, kLastRetry);
  }
}

bool IngestWriter::expire_batch(int64_t now_ms) {
  const int64_t cutoff = now_ms - int64_t{options_.retention_days} * 86'400'000;
  try {
    const int64_t deleted = writer_.delete_received_before(cutoff, options_.retention_batch_rows);
    metrics_.retention_deleted += static_cast<uint64_t>(deleted);
    return deleted >= options_.retention_batch_rows;
  } catch (const StoreError &error) {
    health_.store_stalled(error.what());
    return false;  // tried again at the next pass
  }
}

int64_t IngestWriter::expire(int64_t now_ms) {
  const uint64_t before = metrics_.retention_deleted;
  while (expire_batch(now_ms)) {
  }
  return static_cast<int64_t>(metrics_.retention_deleted - before);
}

}  // namespace sotto::gw
