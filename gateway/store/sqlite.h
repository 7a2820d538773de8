// Thin RAII over the SQLite C API: a connection and prepared statements that throw on error.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>

namespace sotto::gw {

class Statement {
 public:
  Statement(sqlite3 *db, const char *sql);
  ~Statement();
  Statement(const Statement &) = delete;
  Statement &operator=(const Statement &) = delete;

  Statement &bind(int index, int64_t value);
  Statement &bind(int index, const std::string &value);
  Statement &bind_null(int index);
  Statement &bind(int index, const std::optional<int64_t> &value) {
    return value ? bind(index, *value) : bind_null(index);
  }
  // True while a row is available; false when done. Throws on error.
  bool step();
  void run() { step(); }
  void reset();

  int64_t integer(int column) const;
  std::optional<int64_t> optional_integer(int column) const;
  std::string text(int column) const;

 private:
  sqlite3 *db_;
  sqlite3_stmt *statement_ = nullptr;
};

class Database {
 public:
  Database(const std::string &path, bool read_only);
  ~Database();
  Database(const Database &) = delete;
  Database &operator=(const Database &) = delete;

  void exec(const char *sql);
  int changes() const { return sqlite3_changes(db_); }
  sqlite3 *handle() const { return db_; }

 private:
  sqlite3 *db_ = nullptr;
};

}  // namespace sotto::gw
