// The store writer thread: applies the journal to the store in batches (one transaction each,
// hundreds to thousands of messages), runs other writes between batches (the rollout engine's,
// through run()), and deletes events past store.retention_days in small batches when ingest is
// idle. It is the only thread that writes to the store.
//
// When the store cannot commit (a lock held by another connection, a full disk), the batch stays
// in the journal, IngestHealth says why, and the same batch is tried again until it commits:
// nothing is dropped. Replay after a restart is the same loop, from the position the store
// committed last.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "ingest.h"
#include "ingest_health.h"
#include "journal.h"
#include "metrics.h"
#include "store.h"

namespace sotto::gw {

struct IngestWriterOptions {
  size_t batch_messages = 4096;
  uint32_t retention_days = 0;  // 0: keep events for ever
  int64_t retention_batch_rows = 1000;
  std::chrono::seconds retention_every{600};
  // Test-only: hold each batch this long before applying it, so a test can kill sottod while
  // acknowledged messages are provably only in the journal (SOTTO_TEST_WRITER_HOLD_MS).
  std::chrono::milliseconds test_hold{0};
};

class IngestWriter {
 public:
  IngestWriter(Journal &journal, Ingest &ingest, Registry &registry, StoreWriter &writer,
               IngestHealth &health, Metrics &metrics, IngestWriterOptions options);
  ~IngestWriter();
  IngestWriter(const IngestWriter &) = delete;
  IngestWriter &operator=(const IngestWriter &) = delete;

  void start();
  // Applies what the journal holds (unless the store cannot commit), then ends the thread.
  void stop();

  // Runs job(writer) on the writer thread between batches and returns its result; rethrows what
  // it threw (StoreError while the store cannot commit).
  template <typename Job>
  auto run(Job job) -> decltype(job(std::declval<StoreWriter &>())) {
    using Result = decltype(job(std::declval<StoreWriter &>()));
    auto task =
        std::make_shared<std::packaged_task<Result()>>([this, job] { return job(writer_); });
    std::future<Result> result = task->get_future();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      jobs_.push_back([task] { (*task)(); });
    }
    journal_.wake();
    return result.get();
  }

  // Queues job(writer) for the writer thread and returns at once. Jobs, run()'s and post()'s,
  // run in the order they were queued, so a run() waits for every job posted before it. A job
  // posted after stop() never runs; what it throws is its own to catch.
  void post(std::function<void(StoreWriter &)> job) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      jobs_.push_back([this, job = std::move(job)] { job(writer_); });
    }
    journal_.wake();
  }

  // Returns once every job queued before it has run.
  void wait_for_queued() {
    run([](StoreWriter &) { return 0; });
  }

  // Takes effect at the next retention pass (config reload).
  void set_retention_days(uint32_t days) {
    run([this, days](StoreWriter &) {
      options_.retention_days = days;
      return 0;
    });
  }

  // One retention pass as the thread runs it: deletes in batches everything received before
  // now_ms - retention_days; returns how many events and quarantined messages went.
  int64_t expire(int64_t now_ms);

 private:
  void loop();
  void run_jobs();
  bool apply(const JournalRead &read);
  bool stopping();
  // One retention batch; true while more may be due.
  bool expire_batch(int64_t now_ms);

  Journal &journal_;
  Ingest &ingest_;
  Registry &registry_;
  StoreWriter &writer_;
  IngestHealth &health_;
  Metrics &metrics_;
  IngestWriterOptions options_;
  std::thread thread_;
  std::mutex mutex_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
};

}  // namespace sotto::gw
