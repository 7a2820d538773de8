// The web dashboard's browser-test fixture: the rollout fixture's broker, sottod and fleet key,
// plus Debian's headless Chromium on the gateway's page, reading what a person would see. The
// gateway requires bearer tokens (http.require_token): the page is refused data until the test
// types an operator's token into its token dialog, as a person would.
#pragma once

#include <boost/json.hpp>
#include <memory>
#include <string>
#include <vector>

#include "chromium.h"
#include "rollout_fixture.h"

namespace sotto::test {

// The test fleet: 12 devices at each of two sites (ids farm-north-001..012, plant-1-001..012).
constexpr int kDashboardDevices = 24;
constexpr const char *kDashboardSites = "farm-north:agri,plant-1:industrial";

class DashboardTest : public RolloutTest {
 protected:
  void SetUp() override;
  void TearDown() override;
  // require_token on, and an operator's token made with `sottoctl token create` before start.
  void configure_gateway(GatewayProcess &gateway) override;

  // Runs sotto-sim to completion: every device sends Health and exactly this many events, all
  // acknowledged, and waits until the gateway has applied its journal to the store; then the
  // fleet is quiet and its numbers stay put.
  void run_quiet_fleet(int events_per_device);
  // The gateway's JSON for an API target, and `sottoctl --json ARGS` run as a person would.
  boost::json::value api(const std::string &target) const;
  boost::json::value sottoctl_json(const std::vector<std::string> &args);
  std::string page_url(const std::string &fragment = "") const;

  // Starts Chromium with a phone's viewport (390x844 CSS pixels at 2x) on the dashboard and logs
  // in: the gateway's refusal opens the token dialog, which must say a token is asked for.
  Chromium &open_dashboard_on_phone(const std::string &fragment = "");
  // Waits for the token dialog, checks the refusal it shows and types the operator's token.
  void log_in_on_the_page();
  // The number in the first element matching the selector ("1,234" reads 1234); throws when it
  // is missing or not a number.
  int64_t shown_number(const std::string &selector);
  std::string shown_text(const std::string &selector);
  // Waits until the status line says the view is live (its data fetched without an error).
  void wait_until_live();
  // build/.../screenshots/dashboard/<name>.png
  void screenshot(const std::string &name);

  std::unique_ptr<Chromium> browser_;
  int sottoctl_runs_ = 0;
  std::string token_file_;  // the operator's token, mode 0600
};

}  // namespace sotto::test
