// The read side of the store, on its own read-only connection (WAL lets it run beside the
// writer). Results come back as the JSON documents the HTTP API serves.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "sqlite.h"

namespace sotto::gw {

struct EventFilter {
  std::optional<std::string> device;
  std::optional<std::string> site;
  std::optional<int> kind;
  std::optional<int64_t> before_id;
  int limit = 100;
};

class FleetQueries {
 public:
  FleetQueries(const std::string &path, uint32_t window_s, uint32_t low_battery_mv);

  boost::json::object fleet();
  boost::json::object devices(const std::optional<std::string> &site);
  std::optional<boost::json::object> device(const std::string &id);
  boost::json::object events(const EventFilter &filter);
  // scope is "site" or "device"; window_s must be the configured window (others are not kept).
  boost::json::object aggregates(const std::string &scope, const std::string &id);

 private:
  Database db_;
  uint32_t window_s_;
  uint32_t low_battery_mv_;
};

// Event kind names as the API shows them ("anomaly", ...); nullopt for an unknown name.
const char *kind_name(int64_t kind);
std::optional<int> kind_from_name(const std::string &name);

}  // namespace sotto::gw
