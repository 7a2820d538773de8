// The web dashboard in a real browser: Debian's headless Chromium on sottod's page, the gateway
// fed by sotto-sim through a real mosquitto. The page must show the fleet's real numbers (the
// same as `sottoctl fleet --json` and the API), follow a rollout as it moves, send an operator's
// pause, resume and abort, and log no console error (DashboardTest::TearDown). Screenshots for a
// person to look at go to <build>/screenshots/dashboard/. Deadlines only bound the polling.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <thread>

#include "dashboard_fixture.h"

namespace sotto::test {
namespace {

constexpr size_t kModelBytes = 8192;
constexpr int kEventsPerDevice = 12;

int64_t integer(const boost::json::value &value, const char *key) {
  const auto *found = value.as_object().if_contains(key);
  return found ? found->to_number<int64_t>() : 0;
}

std::string text(const boost::json::value &value, const char *key) {
  return std::string(value.at(key).as_string());
}

// The page's battery text: millivolts rounded half up to centivolts ("3.31 V"), "—" when unknown.
std::string volts_text(int64_t millivolts) {
  if (millivolts <= 0) return "—";
  const int64_t centivolts = (millivolts + 5) / 10;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%lld.%02lld V", static_cast<long long>(centivolts / 100),
                static_cast<long long>(centivolts % 100));
  return buffer;
}

std::string model_text(const boost::json::value &device) {
  const int64_t id = integer(device, "model_id");
  const int64_t version = integer(device, "model_version");
  if (id == 0 && version == 0) return "no model";
  return "model " + std::to_string(id) + " v" + std::to_string(version);
}

int64_t utc_ms(const std::string &iso) {  // "2026-12-04T13:00:00.000Z"
  std::tm parts{};
  int milliseconds = 0;
  std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &parts.tm_year, &parts.tm_mon, &parts.tm_mday,
              &parts.tm_hour, &parts.tm_min, &parts.tm_sec, &milliseconds);
  parts.tm_year -= 1900;
  parts.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&parts)) * 1000 + milliseconds;
}

// What the device page's event chart must hold: the buckets of the newest 48 windows
// (charts.js MAX_WINDOWS), as (segments, events).
std::pair<int64_t, int64_t> chart_expectation(const boost::json::value &aggregates) {
  const int64_t window_ms = integer(aggregates, "window_s") * 1000;
  const auto &buckets = aggregates.at("buckets").as_array();
  int64_t newest = INT64_MIN;
  for (const auto &bucket : buckets) newest = std::max(newest, utc_ms(text(bucket, "start")));
  int64_t segments = 0;
  int64_t events = 0;
  for (const auto &bucket : buckets) {
    if (utc_ms(text(bucket, "start")) < newest - 47 * window_ms) continue;
    segments += 1;
    events += integer(bucket, "count");
  }
  return {segments, events};
}

// The numbers a rollout card shows.
struct CardNumbers {
  std::string state;
  int64_t activated;
  int64_t failed;
  bool operator==(const CardNumbers &other) const {
    return state == other.state && activated == other.activated && failed == other.failed;
  }
};

class Dashboard : public DashboardTest {
 protected:
  std::string card(int64_t id) const { return "[data-rollout=\"" + std::to_string(id) + "\"] "; }
  CardNumbers card_numbers(int64_t id) {
    return {shown_text(card(id) + "[data-field=state]"),
            shown_number(card(id) + "[data-field=activated]"),
            shown_number(card(id) + "[data-field=failed]")};
  }
  void wait_for_card_state(int64_t id, const std::string &state) {
    browser_->wait_for("document.querySelector(" + js_string(card(id) + "[data-field=state]") +
                           ")?.textContent === " + js_string(state),
                       "rollout " + std::to_string(id) + " " + state);
  }
  // Every wave's devices, activated and failed on the card equal the API's view.
  void expect_waves_as_api(int64_t id, const boost::json::object &view) {
    for (const auto &wave : view.at("wave_progress").as_array()) {
      const std::string at = card(id) + "[data-wave=\"" + std::to_string(integer(wave, "wave")) +
                             "\"] [data-field=wave-";
      EXPECT_EQ(shown_number(at + "devices]"), integer(wave, "devices")) << at;
      EXPECT_EQ(shown_number(at + "activated]"), integer(wave, "activated")) << at;
      EXPECT_EQ(shown_number(at + "failed]"), integer(wave, "failed")) << at;
    }
  }
};

// The overview's numbers per site are `sottoctl fleet --json`'s; the device table holds every
// device with the API's battery, model, drops, queue and events, and its filters narrow it; a
// device's page lists its events and charts them over the aggregation windows.
TEST_F(Dashboard, ShowsTheFleetsOwnNumbersOnAPhone) {
  run_quiet_fleet(kEventsPerDevice);
  const boost::json::value fleet = sottoctl_json({"fleet"});
  const auto &sites = fleet.at("sites").as_array();
  ASSERT_EQ(sites.size(), 2u) << boost::json::serialize(fleet);

  Chromium &browser = open_dashboard_on_phone();
  browser.wait_for("document.querySelectorAll('[data-site]').length === 2", "two site cards");
  int64_t devices = 0;
  int64_t events = 0;
  for (const auto &site : sites) {
    const std::string at = "[data-site=\"" + text(site, "site") + "\"] [data-field=";
    EXPECT_EQ(shown_number(at + "devices]"), integer(site, "devices")) << at;
    EXPECT_EQ(shown_number(at + "events]"), integer(site, "events")) << at;
    EXPECT_EQ(shown_number(at + "events-dropped]"), integer(site, "events_dropped")) << at;
    EXPECT_EQ(shown_number(at + "low-battery-devices]"), integer(site, "low_battery_devices"))
        << at;
    // The quiet fleet has no models: every device decides by rules.
    EXPECT_EQ(shown_text(at + "models]"), "rules on " + std::to_string(integer(site, "devices")))
        << at;
    for (const char *kind : {"anomaly", "classification", "threshold", "heartbeat"}) {
      EXPECT_EQ(shown_number(at + "kind-" + kind + "]"), integer(site.at("by_kind"), kind))
          << at << kind;
    }
    devices += integer(site, "devices");
    events += integer(site, "events");
  }
  EXPECT_EQ(devices, kDashboardDevices);
  EXPECT_EQ(events, kDashboardDevices * kEventsPerDevice);
  EXPECT_EQ(shown_number("[data-scope=fleet] [data-field=devices]"), devices);
  EXPECT_EQ(shown_number("[data-scope=fleet] [data-field=events]"), events);
  EXPECT_EQ(shown_number("[data-field=open-rollouts]"), 0);
  EXPECT_EQ(shown_number("[data-field=quarantined]"), 0);
  screenshot("overview-phone");

  // The device table, reached as a person would: the Devices tab.
  browser.click("[data-nav=devices]");
  browser.wait_for("document.querySelectorAll('table.registry tbody tr').length === 24",
                   "24 device rows");
  const boost::json::value rows = browser.evaluate(
      "[...document.querySelectorAll('table.registry tbody tr')].map((row) => {"
      " const f = (name) => row.querySelector(`[data-field=\"${name}\"]`).textContent;"
      " return {device: row.dataset.device,"
      " site: row.querySelector('[data-label=\"Site\"]').textContent, battery: f('battery'),"
      " model: f('model'), drops: f('events_dropped'), queue: f('events_queued'),"
      " events: f('events')}; })");
  std::map<std::string, boost::json::object> shown;
  for (const auto &row : rows.as_array()) shown[text(row, "device")] = row.as_object();
  const boost::json::value registry = api("/api/v1/devices");
  ASSERT_EQ(registry.at("devices").as_array().size(), 24u);
  for (const auto &device : registry.at("devices").as_array()) {
    const std::string id = text(device, "device");
    ASSERT_TRUE(shown.count(id)) << id << " is not in the table";
    const auto &row = shown.at(id);
    EXPECT_EQ(text(row, "site"), text(device, "site")) << id;
    EXPECT_EQ(text(row, "battery"), volts_text(integer(device, "battery_mv"))) << id;
    EXPECT_EQ(text(row, "model"), model_text(device)) << id;
    EXPECT_EQ(text(row, "drops"), std::to_string(integer(device, "events_dropped"))) << id;
    EXPECT_EQ(text(row, "queue"), std::to_string(integer(device, "events_queued"))) << id;
    EXPECT_EQ(text(row, "events"), std::to_string(integer(device, "events"))) << id;
  }
  screenshot("devices-phone");

  // Filters: a site (the select's change, as picking an option fires it), then typed text.
  browser.evaluate(
      "(() => { const s = document.getElementById('filter-site'); s.value = 'plant-1';"
      " s.dispatchEvent(new Event('change')); })()");
  browser.wait_for(
      "(() => { const rows = [...document.querySelectorAll('table.registry tbody tr')];"
      " return rows.length === 12 && rows.every((r) => r.dataset.device.startsWith('plant-1-'));"
      " })()",
      "exactly plant-1's 12 devices");
  EXPECT_EQ(shown_number("[data-field=matching]"), 12);
  browser.click("#filter-text");
  browser.type("007");
  browser.wait_for("document.querySelectorAll('table.registry tbody tr').length === 1",
                   "one device matching 007");
  EXPECT_EQ(shown_text("table.registry tbody tr [data-label=Device] a"), "plant-1-007");
  EXPECT_EQ(browser.evaluate("location.hash").as_string(), "#/devices?site=plant-1&q=007");

  // The device's page: its events newest first, and its aggregate windows charted.
  browser.click("table.registry tbody tr [data-label=Device] a");
  browser.wait_for("document.querySelectorAll('#timeline li[data-event]').length === 12",
                   "plant-1-007's 12 events");
  const boost::json::value newest = api("/api/v1/events?device=plant-1-007&limit=1");
  EXPECT_EQ(shown_text("[data-device-view=plant-1-007] [data-field=events]"), "12");
  EXPECT_EQ(browser.evaluate("document.querySelector('#timeline li[data-event]').dataset.event")
                .as_string(),
            std::to_string(integer(newest.at("events").as_array().at(0), "id")));
  const auto [segments, charted] =
      chart_expectation(api("/api/v1/aggregates?scope=device&id=plant-1-007"));
  EXPECT_EQ(charted, 12);
  EXPECT_EQ(shown_number("[data-chart=counts] [data-field=chart-events]"), charted);
  EXPECT_EQ(browser.evaluate("document.querySelectorAll('[data-chart=counts] rect.bar').length")
                .to_number<int64_t>(),
            segments);
  EXPECT_EQ(browser.evaluate("document.querySelectorAll('[data-chart=scores] circle').length")
                .to_number<int64_t>(),
            browser
                .evaluate("new Set([...document.querySelectorAll('[data-chart=counts] "
                          "rect.bar')].map((r) => r.getAttribute('x'))).size")
                .to_number<int64_t>());
  screenshot("device-phone");

  // The same table on a desktop screen: a real table rather than cards.
  browser.set_viewport(1280, 900, 1, false);
  browser.navigate(page_url("#/devices"));
  browser.wait_for("document.querySelectorAll('table.registry tbody tr').length === 24",
                   "24 device rows on a desktop");
  EXPECT_EQ(browser
                .evaluate("getComputedStyle(document.querySelector('table.registry thead'))"
                          ".display")
                .as_string(),
            "table-header-group");
  screenshot("devices-desktop");
}

// Two rollouts start while their devices are offline (the page shows them at 0). The operator
// pauses and resumes one and aborts the other from the page. Then the first wave's devices come
// online (the page shows wave 1 finished, wave 2 waiting), then all of them, and the page follows
// the rollout to done: 11 activated and 1 self-test failure, as the API says.
TEST_F(Dashboard, FollowsARolloutAndSendsTheOperatorsPauseResumeAndAbort) {
  run_quiet_fleet(2);
  const int64_t farm = start_rollout(signed_bundle(key_, test_model(kModelBytes, 11), 2, 1),
                                     "site=farm-north&waves=50,100&max_failure_pct=20");
  const int64_t plant = start_rollout(signed_bundle(key_, test_model(kModelBytes, 12), 2, 2),
                                      "site=plant-1&waves=100&max_failure_pct=2");
  ASSERT_GT(farm, 0);
  ASSERT_GT(plant, 0);

  Chromium &browser = open_dashboard_on_phone("#/rollouts");
  browser.wait_for("document.querySelectorAll('[data-rollout]').length === 2", "two rollouts");
  EXPECT_EQ(card_numbers(farm), (CardNumbers{"running", 0, 0}));
  EXPECT_EQ(shown_number(card(farm) + "[data-field=current-wave]"), 1);
  expect_waves_as_api(farm, rollout(farm));
  screenshot("rollouts-phone-waiting");

  browser.click(card(farm) + "[data-action=pause]");
  wait_for_card_state(farm, "paused");
  EXPECT_EQ(rollout(farm).at("state").as_string(), "paused");
  browser.click(card(farm) + "[data-action=resume]");
  wait_for_card_state(farm, "running");
  EXPECT_EQ(rollout(farm).at("state").as_string(), "running");

  browser.click(card(plant) + "[data-action=abort]");  // asks once more on the card
  browser.wait_for(
      "!!document.querySelector(" + js_string(card(plant) + "[data-action=confirm-abort]") + ")",
      "the abort confirmation");
  EXPECT_EQ(rollout(plant).at("state").as_string(), "running");
  browser.click(card(plant) + "[data-action=confirm-abort]");
  wait_for_card_state(plant, "aborted");
  EXPECT_EQ(rollout(plant).at("state").as_string(), "aborted");
  EXPECT_EQ(
      browser
          .evaluate("document.querySelectorAll(" + js_string(card(plant) + "button") + ").length")
          .to_number<int64_t>(),
      0);

  // Wave 1's six devices come online (farm-north-001..006; 003's self-test fails, 1 of 6 is
  // under 20 %): the page shows wave 1 finished and wave 2 waiting for its offline devices.
  std::vector<CardNumbers> seen{card_numbers(farm)};
  {
    auto first_wave =
        start_sim(ota_fleet(6, "farm-north:agri", {"--fail-self-test", "farm-north-003"}));
    browser.wait_for("document.querySelector(" +
                         js_string(card(farm) + "[data-field=current-wave]") +
                         ")?.textContent === '2'",
                     "rollout " + std::to_string(farm) + " in wave 2");
    seen.push_back(card_numbers(farm));
    const boost::json::object view = rollout(farm);
    EXPECT_EQ(integer(view.at("devices"), "activated"), 5);
    EXPECT_EQ(
        shown_number(card(farm) + "[data-reason=self_test_failed] [data-field=failure-count]"), 1);
    expect_waves_as_api(farm, view);
    screenshot("rollouts-phone-wave-2");
    stop_sim(*first_wave);
  }
  // The whole fleet comes online: the page follows wave 2 to done.
  auto sim = start_sim(
      ota_fleet(kDashboardDevices, kDashboardSites, {"--fail-self-test", "farm-north-003"}));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (seen.back().state != "done" && std::chrono::steady_clock::now() < deadline) {
    const CardNumbers now = card_numbers(farm);
    if (!(now == seen.back())) seen.push_back(now);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(seen.back().state, "done") << "the page never showed rollout " << farm << " done";
  EXPECT_EQ(seen[0], (CardNumbers{"running", 0, 0}));
  EXPECT_EQ(seen[1], (CardNumbers{"running", 5, 1}));
  EXPECT_EQ(seen.back(), (CardNumbers{"done", 11, 1}));
  for (size_t i = 1; i < seen.size(); ++i) {  // the page's progress never goes back
    EXPECT_GE(seen[i].activated, seen[i - 1].activated);
    EXPECT_GE(seen[i].failed, seen[i - 1].failed);
  }
  const boost::json::object done = rollout(farm);
  EXPECT_EQ(integer(done.at("devices"), "activated"), 11);
  EXPECT_EQ(shown_number(card(farm) + "[data-reason=self_test_failed] [data-field=failure-count]"),
            1);
  expect_waves_as_api(farm, done);
  screenshot("rollouts-phone-done");

  // The rollout's own page: every device, the failed one with its reason.
  browser.click(card(farm) + "h2 a");
  browser.wait_for("document.querySelectorAll('table.registry tbody tr').length === 12",
                   "rollout " + std::to_string(farm) + "'s 12 devices");
  EXPECT_EQ(shown_text("tr[data-device=farm-north-003] [data-label=Failure]"), "self_test_failed");
  EXPECT_EQ(shown_text("tr[data-device=farm-north-004] [data-label=State]"), "activated");
  screenshot("rollout-detail-phone");

  // Live: the overview's event count grows while the page stays open (the fleet is running).
  browser.click("[data-nav=overview]");
  browser.wait_for("!!document.querySelector('[data-site=farm-north] [data-field=events]')",
                   "the farm-north card");
  const int64_t before = shown_number("[data-site=farm-north] [data-field=events]");
  browser.wait_for(
      "Number(document.querySelector('[data-site=farm-north] [data-field=events]')"
      ".textContent.replace(/,/g, '')) > " +
          std::to_string(before),
      "farm-north's event count growing past " + std::to_string(before));
  browser.set_viewport(1280, 900, 1, false);
  wait_until_live();
  screenshot("overview-desktop");
  stop_sim(*sim);
}

}  // namespace
}  // namespace sotto::test
