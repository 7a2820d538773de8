// The SQLite schema's version and the one function that creates or migrates it.
#pragma once

#include "sqlite.h"

namespace sotto::gw {

constexpr int kSqliteSchemaVersion = 4;

// Creates the schema in an empty database or migrates an older one in place (one transaction,
// logged); throws StoreError (kind kSchema) for a database written by a newer gateway.
void ensure_schema(Database &db);

}  // namespace sotto::gw
