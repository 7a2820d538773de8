// The API's JSON shapes of what the store returns: devices, events, aggregates, the fleet
// summary, quarantined messages, and the names of event kinds and reading quantities.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "store_rows.h"

namespace sotto::gw {

// Event kind names as the API shows them ("anomaly", ...); "unknown" for other numbers.
const char *kind_name(int64_t kind);
// nullopt for a name that is not a kind.
std::optional<int> kind_from_name(const std::string &name);

boost::json::object device_json(const DeviceRecord &device);
boost::json::object event_page_json(const EventPage &page);
boost::json::object fleet_json(const std::vector<SiteSummary> &sites);
boost::json::object aggregates_json(const std::string &scope, const std::string &id,
                                    int64_t window_s, const std::vector<AggregateBucket> &buckets);
boost::json::object quarantine_json(const std::vector<QuarantineRecord> &rows, int64_t total);

}  // namespace sotto::gw
