// The ingest journal: an append-only log of received messages in segment files under
// <data dir>/journal/, written before a message is acknowledged and read by the store writer.
//
// Record: u32 body length, u32 CRC-32 of the body, body = i64 received_ms, u16 topic length,
// topic, payload (little endian). A segment starts with the 8-byte magic "SOTJRNL1" and is
// named by its number ("0000000000000042.journal"). A torn or corrupt record can only be the
// tail of a segment: opening the journal cuts the last segment there, and a reader treats it as
// that segment's end.
//
// Durability: append() is one write() for a whole batch, so an appended batch survives a kill
// of the process; with sync_each_append (store.synchronous = "full") it is also fdatasync'ed
// before append() returns, so it survives a power cut. A segment is deleted once the store
// committed everything in it (applied()).
//
// Threads: append() from the ingest thread, read() and applied() from the writer thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "received_message.h"
#include "store_rows.h"

namespace sotto::gw {

struct JournalOptions {
  std::string dir;
  uint64_t segment_bytes = 8 << 20;          // a new segment starts past this size
  uint64_t max_unapplied_bytes = 256 << 20;  // append() refuses past this backlog
  bool sync_each_append = false;
};

// What one read() returns: messages in order, the position after the last of them (or past a
// finished segment), and the record bytes they took.
struct JournalRead {
  std::vector<ReceivedMessage> messages;
  JournalPosition end;
  uint64_t bytes = 0;
};

class Journal {
 public:
  // Opens or creates the journal, cuts a torn tail, deletes segments the store already applied
  // (everything before `applied`). Throws std::runtime_error naming the file.
  Journal(JournalOptions options, const JournalPosition &applied);
  ~Journal();
  Journal(const Journal &) = delete;
  Journal &operator=(const Journal &) = delete;

  // Appends the batch as one write. False, with the reason in *why, when it cannot take it:
  // the write failed (the journal is left as before) or the backlog is over its limit.
  bool append(const std::vector<ReceivedMessage> &batch, std::string *why);

  // Up to max_records messages after `from`, in order; waits up to `wait` for one to arrive.
  // read.end == from (and no messages) when nothing new is there.
  JournalRead read(const JournalPosition &from, size_t max_records, std::chrono::milliseconds wait);
  // The store committed everything up to read.end: counts its bytes as applied and deletes the
  // segments before it.
  void applied(const JournalRead &read);
  // Wakes a reader waiting in read() once (other work for the reader's thread).
  void wake();

  uint64_t unapplied_bytes() const { return appended_bytes_ - applied_bytes_; }
  uint64_t records_appended() const { return records_appended_; }
  // The position a fresh reader starts from when the store has applied nothing yet.
  JournalPosition start() const;
  const std::string &dir() const { return options_.dir; }

 private:
  std::string segment_path(int64_t segment) const;
  void open_for_append(int64_t segment, bool create);
  // Bytes of valid records in the segment file (the offset after the last whole record).
  uint64_t valid_length(const std::string &path, uint64_t size) const;

  JournalOptions options_;
  // Appender (ingest thread).
  int fd_ = -1;
  int64_t segment_ = 0;
  uint64_t size_ = 0;
  std::vector<uint8_t> buffer_;
  // Shared with the reader.
  mutable std::mutex mutex_;
  std::condition_variable appended_;
  JournalPosition end_;        // durable end: what readers may see
  int64_t first_segment_ = 0;  // oldest segment still on disk
  bool woken_ = false;
  std::atomic<uint64_t> appended_bytes_{0};
  std::atomic<uint64_t> applied_bytes_{0};
  std::atomic<uint64_t> records_appended_{0};
};

}  // namespace sotto::gw
