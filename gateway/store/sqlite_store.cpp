// Opens the SQLite backend: creates or migrates the schema once, then hands out connections.
#include "sqlite_store.h"

#include <filesystem>

#include "sqlite_connections.h"
#include "sqlite_schema.h"

namespace sotto::gw {
namespace {

class SqliteStore : public Store {
 public:
  explicit SqliteStore(SqliteStoreOptions options) : options_(std::move(options)) {
    Database db(options_.path, Database::Mode::kReadWrite, std::chrono::milliseconds(5000));
    ensure_schema(db);
  }

  int schema_version() override { return kSqliteSchemaVersion; }
  std::unique_ptr<StoreWriter> writer() override {
    return std::make_unique<SqliteWriter>(options_.path, options_.synchronous);
  }
  std::unique_ptr<StoreReader> reader() override {
    return std::make_unique<SqliteReader>(options_.path);
  }
  std::string describe() const override { return "SQLite " + options_.path; }

 private:
  SqliteStoreOptions options_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const SqliteStoreOptions &options) {
  return std::make_unique<SqliteStore>(options);
}

std::unique_ptr<StoreReader> open_existing_sqlite_reader(const std::string &path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    throw StoreError(
        StoreError::Kind::kIo,
        "store " + path + ": no database file there (see store.path in sottod's configuration)");
  }
  return std::make_unique<SqliteReader>(path);
}

}  // namespace sotto::gw
