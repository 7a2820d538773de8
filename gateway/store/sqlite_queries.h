// Every query the API and CLI run on the SQLite backend, by name, so a test can check with
// EXPLAIN QUERY PLAN that each one is answered from an index.
#pragma once

#include <string>
#include <vector>

namespace sotto::gw {

struct NamedQuery {
  std::string name;
  std::string sql;
};

std::vector<NamedQuery> sqlite_api_queries();

}  // namespace sotto::gw
