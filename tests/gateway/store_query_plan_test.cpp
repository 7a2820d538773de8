// The indexes the API's queries need exist: every query the SQLite backend runs for the API and
// CLI is checked with EXPLAIN QUERY PLAN. Events are never sorted in a temporary B-tree (their
// order comes from an index, so LIMIT stops the walk early) and events, boots and aggregates are
// only ever searched through an index or walked in index order.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <map>

#include "sqlite.h"
#include "sqlite_queries.h"
#include "test_store.h"

namespace sotto::gw {
namespace {

std::string plan_of(Database &db, const std::string &sql) {
  Statement plan(db.handle(), ("EXPLAIN QUERY PLAN " + sql).c_str());
  std::string text;
  while (plan.step()) text += plan.text(3) + "\n";
  return text;
}

TEST(StoreQueryPlan, EveryApiQueryUsesAnIndex) {
  const std::string path =
      ::testing::TempDir() + "/sotto-plan-" + std::to_string(::getpid()) + ".db";
  for (const char *suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  { test::TestStore store(path); }
  Database db(path, Database::Mode::kReadOnly, std::chrono::seconds(1));
  std::map<std::string, std::string> plans;
  for (const NamedQuery &query : sqlite_api_queries()) plans[query.name] = plan_of(db, query.sql);
  ASSERT_EQ(plans.size(), 22u);

  for (const auto &[name, plan] : plans) {
    const bool touches_events =
        plan.find(" e ") != std::string::npos || plan.find(" e\n") != std::string::npos;
    if (touches_events) {
      EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << name << ":\n" << plan;
    }
    for (const char *full_scan : {"SCAN events", "SCAN b", "SCAN boots", "SCAN aggregates"}) {
      EXPECT_EQ(plan.find(full_scan), std::string::npos) << name << ":\n" << plan;
    }
    // The only walk of the event table is newest first by id, which LIMIT stops early.
    for (size_t at = plan.find("SCAN e"); at != std::string::npos;
         at = plan.find("SCAN e", at + 1)) {
      EXPECT_EQ(plan.compare(at, 7, "SCAN e\n"), 0) << name << ":\n" << plan;
    }
    // Every device is read only by the two views that show every device.
    if (name != "fleet: sites" && name != "devices") {
      EXPECT_EQ(plan.find("SCAN d"), std::string::npos) << name << ":\n" << plan;
    }
  }
  EXPECT_NE(
      plans["devices/{id}"].find("SEARCH d USING INDEX sqlite_autoindex_devices_1 (device_id=?)"),
      std::string::npos);
  EXPECT_NE(plans["devices?site"].find("SEARCH d USING INDEX devices_site (site_key=?)"),
            std::string::npos);
  EXPECT_NE(
      plans["fleet: models per site"].find("SEARCH devices USING INDEX devices_site (site_key=?)"),
      std::string::npos)
      << plans["fleet: models per site"];
  EXPECT_NE(plans["events?device: one boot?kind"].find(
                "SEARCH e USING INDEX events_dedupe (boot_key=? AND seq<?)"),
            std::string::npos);
  EXPECT_NE(plans["events?site?before_id"].find(
                "SEARCH e USING INDEX events_site (site_key=? AND rowid<?)"),
            std::string::npos);
  EXPECT_NE(plans["events?before_id"].find("SEARCH e USING INTEGER PRIMARY KEY (rowid<?)"),
            std::string::npos);
  EXPECT_NE(plans["aggregates?scope=device"].find(
                "SEARCH aggregates USING PRIMARY KEY (scope=? AND scope_key=? AND window_s=?)"),
            std::string::npos);
}

}  // namespace
}  // namespace sotto::gw
