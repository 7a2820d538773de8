// Thin RAII over the SQLite C API: a connection and prepared statements. Every failure throws
// StoreError with the kind a caller can act on and a message naming the database file.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store.h"

namespace sotto::gw {

class Statement {
 public:
  Statement(sqlite3 *db, const char *sql);
  ~Statement();
  Statement(const Statement &) = delete;
  Statement &operator=(const Statement &) = delete;

  Statement &bind(int index, int64_t value);
  Statement &bind(int index, const std::string &value);
  Statement &bind_blob(int index, const std::vector<uint8_t> &value);
  Statement &bind_null(int index);
  Statement &bind(int index, const std::optional<int64_t> &value) {
    return value ? bind(index, *value) : bind_null(index);
  }
  // True while a row is available; false when done. Throws StoreError.
  bool step();
  void run() {
    step();
    reset();
  }
  void reset();

  int64_t integer(int column) const;
  std::optional<int64_t> optional_integer(int column) const;
  std::string text(int column) const;
  std::vector<uint8_t> blob(int column) const;

 private:
  sqlite3 *db_;
  sqlite3_stmt *statement_ = nullptr;
};

class Database {
 public:
  enum class Mode { kReadWrite, kReadOnly };
  // busy_timeout: how long one statement waits for another connection's lock before failing
  // with StoreError::Kind::kBusy.
  Database(const std::string &path, Mode mode, std::chrono::milliseconds busy_timeout);
  ~Database();
  Database(const Database &) = delete;
  Database &operator=(const Database &) = delete;

  void exec(const char *sql);
  void exec(const std::string &sql) { exec(sql.c_str()); }
  int changes() const { return sqlite3_changes(db_); }
  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  sqlite3 *handle() const { return db_; }
  const std::string &path() const { return path_; }

 private:
  sqlite3 *db_ = nullptr;
  std::string path_;
};

// The StoreError for SQLite result code `code` on connection db, naming the file and what to do.
StoreError sqlite_error(sqlite3 *db, int code, const std::string &what);

// Runs BEGIN IMMEDIATE .. COMMIT around a scope; rolls back when an exception leaves it.
class Transaction {
 public:
  explicit Transaction(Database &db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
  ~Transaction();
  Transaction(const Transaction &) = delete;
  Transaction &operator=(const Transaction &) = delete;
  void commit();

 private:
  Database &db_;
  bool done_ = false;
};

}  // namespace sotto::gw
