// What the rollout API shows: one rollout's state, waves, device counts, failure reasons and
// transfer volume, or the list of all rollouts.
#include <boost/json.hpp>

#include "rollout_engine.h"
#include "rollout_signatures.h"
#include "sotto/v1/ota.pb.h"

namespace sotto::gw {

const char *ota_failure_name(int64_t failure) {
  switch (failure) {
    case sotto_v1_OtaFailure_OTA_FAILURE_NONE:
      return "none";
    case sotto_v1_OtaFailure_OTA_FAILURE_BAD_SIGNATURE:
      return "bad_signature";
    case sotto_v1_OtaFailure_OTA_FAILURE_WRONG_KEY:
      return "wrong_key";
    case sotto_v1_OtaFailure_OTA_FAILURE_DIGEST_MISMATCH:
      return "digest_mismatch";
    case sotto_v1_OtaFailure_OTA_FAILURE_VERSION_NOT_NEWER:
      return "version_not_newer";
    case sotto_v1_OtaFailure_OTA_FAILURE_WRONG_DEVICE_CLASS:
      return "wrong_device_class";
    case sotto_v1_OtaFailure_OTA_FAILURE_SELF_TEST_FAILED:
      return "self_test_failed";
    case sotto_v1_OtaFailure_OTA_FAILURE_TOO_LARGE:
      return "too_large";
    case sotto_v1_OtaFailure_OTA_FAILURE_STORAGE_ERROR:
      return "storage_error";
    case sotto_v1_OtaFailure_OTA_FAILURE_SDK_TOO_OLD:
      return "sdk_too_old";
    case sotto_v1_OtaFailure_OTA_FAILURE_BAD_MANIFEST:
      return "bad_manifest";
    case sotto_v1_OtaFailure_OTA_FAILURE_NO_ANSWER:
      return "no_answer";
    case sotto_v1_OtaFailure_OTA_FAILURE_KEY_REVOKED:
      return "key_revoked";
    case sotto_v1_OtaFailure_OTA_FAILURE_KEY_LIST_FULL:
      return "key_list_full";
    default:
      return "unknown";
  }
}

boost::json::object RolloutEngine::describe(int64_t id, bool with_devices) {
  const RolloutRow row = row_or_404(id);
  boost::json::object out;
  out["id"] = id;
  out["state"] = row.state;
  out["halt_reason"] = row.halt_reason;
  out["kind"] = rollout_kind_name(row.spec.kind);
  if (row.spec.kind == RolloutKind::kKeys) {
    out["key_list_version"] = row.spec.model_version;
    out["adds_key_id"] = row.spec.adds_key_id ? key_id_text(*row.spec.adds_key_id) : "";
    out["retires_key_id"] = row.spec.retires_key_id ? key_id_text(*row.spec.retires_key_id) : "";
  } else {
    out["model_version"] = row.spec.model_version;
  }
  boost::json::array waves;
  for (unsigned percent : row.spec.waves) waves.push_back(percent);
  out["waves"] = std::move(waves);
  out["max_failure_pct"] = row.spec.max_failure_permille / 10.0;
  out["wave_count"] = row.wave_count;
  out["current_wave"] = row.current_wave + 1;

  boost::json::object counts{
      {"total", 0}, {"pending", 0}, {"transferring", 0}, {"activated", 0}, {"failed", 0}};
  boost::json::object failures;
  std::vector<boost::json::object> per_wave(static_cast<size_t>(row.wave_count));
  boost::json::array device_list;
  for (const RolloutDeviceRow &device : store_.devices(id)) {
    counts["total"] = counts["total"].as_int64() + 1;
    counts[device.state] = counts[device.state].as_int64() + 1;
    if (device.state == "failed") {
      const char *name = ota_failure_name(device.failure);
      failures[name] = (failures.contains(name) ? failures[name].as_int64() : 0) + 1;
    }
    if (device.wave >= 0 && device.wave < row.wave_count) {
      boost::json::object &wave = per_wave[static_cast<size_t>(device.wave)];
      for (const char *key : {"devices", "activated", "failed"}) {
        if (!wave.contains(key)) wave[key] = 0;
      }
      wave["devices"] = wave["devices"].as_int64() + 1;
      if (device.state == "activated" || device.state == "failed") {
        wave[device.state] = wave[device.state].as_int64() + 1;
      }
    }
    if (with_devices) {
      device_list.push_back(boost::json::object{
          {"device", device.device},
          {"wave", device.wave + 1},
          {"state", device.state},
          {"next_offset", device.next_offset},
          {"failure", device.state == "failed" ? ota_failure_name(device.failure) : "none"}});
    }
  }
  out["devices"] = std::move(counts);
  out["failures"] = std::move(failures);
  boost::json::array waves_out;
  for (size_t i = 0; i < per_wave.size(); ++i) {
    per_wave[i]["wave"] = static_cast<int64_t>(i + 1);
    waves_out.push_back(std::move(per_wave[i]));
  }
  out["wave_progress"] = std::move(waves_out);
  const TransferTotals totals = totals_.count(id) ? totals_.at(id) : TransferTotals{};
  out["transfer"] = boost::json::object{{"offers", totals.offers},
                                        {"resent_offers", totals.resent_offers},
                                        {"resyncs", totals.resyncs},
                                        {"chunks", totals.chunks},
                                        {"payload_bytes", totals.payload_bytes},
                                        {"wire_bytes", totals.wire_bytes},
                                        {"statuses", totals.statuses},
                                        {"publish_failures", totals.publish_failures}};
  if (with_devices) out["device_list"] = std::move(device_list);
  return out;
}

boost::json::array RolloutEngine::list() {
  boost::json::array out;
  for (int64_t id : store_.all_ids()) out.push_back(describe(id, false));
  return out;
}

}  // namespace sotto::gw
