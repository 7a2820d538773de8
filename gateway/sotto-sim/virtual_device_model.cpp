// A virtual device's model: which one runs (OTA, factory image or none) and its record.
#include <iostream>

#include "file_bytes.h"
#include "npy.h"
#include "virtual_device.h"  // the class whose members these are

namespace sotto::gw::sim {

// What the firmware runs: the updater's verified active model, else the factory image, else
// nothing (the rules decide). A model that does not fit the device's sensors is refused, named
// once on stderr and in the summary, and the next choice runs.
void VirtualDevice::choose_model() {
  sotto_ota_manifest_t manifest{};
  const uint8_t *ota_blob = ota_ ? ota_->active_model(&manifest) : nullptr;
  const uint32_t ota_version = ota_blob != nullptr ? manifest.version : 0;
  if (model_chosen_ && ota_version == ota_version_seen_) return;  // nothing new was activated
  model_chosen_ = true;
  ota_version_seen_ = ota_version;
  model_id_ = 0;
  model_version_ = 0;
  model_refused_.clear();
  if (ota_blob != nullptr) {
    const std::string why = inference_->load(ota_blob, manifest.model_bytes);
    if (why.empty()) {
      model_id_ = manifest.model_id;
      model_version_ = manifest.version;
    } else {
      model_refused_ = "model " + std::to_string(manifest.model_id) + " v" +
                       std::to_string(manifest.version) + ": " + why;
    }
  }
  if (model_id_ == 0 && factory_model_ != nullptr) {
    const std::string why = inference_->load(
        reinterpret_cast<const uint8_t *>(factory_model_->blob.data()), factory_model_->bytes);
    if (why.empty()) {
      model_id_ = factory_model_->model_id;
      model_version_ = 1;
    } else {
      model_refused_ = factory_model_->path + ": " + why;
    }
  }
  if (model_id_ == 0) inference_->unload();  // nothing fits: the rules decide
  if (!model_refused_.empty()) {
    std::cerr << "sotto-sim: " << device_id_ << " refused " << model_refused_ << "\n";
  }
  sotto_device_set_model(&device_, model_id_, model_version_);
}

void VirtualDevice::write_inference_record(const std::string &dir) const {
  const std::vector<InferenceRecord> &records = inference_->records();
  if (records.empty()) return;
  std::vector<float> windows, outputs;
  for (const InferenceRecord &r : records) {
    windows.insert(windows.end(), r.window.begin(), r.window.end());
    outputs.insert(outputs.end(), r.outputs.begin(), r.outputs.end());
  }
  const auto n = static_cast<int64_t>(records.size());
  std::vector<int64_t> window_shape{n};
  if (site_.kind == SiteKind::kAgri) {
    window_shape.push_back(static_cast<int64_t>(records[0].window.size()));
  } else {  // channels first, as dataset.h and the ONNX model
    const int64_t channels = site_.kind == SiteKind::kWearable ? 2 : 1;
    window_shape.push_back(channels);
    window_shape.push_back(static_cast<int64_t>(records[0].window.size()) / channels);
  }
  const std::string stem = dir + "/" + device_id_;
  const std::vector<uint8_t> x = encode_npy(window_shape, windows);
  const std::vector<uint8_t> y =
      encode_npy({n, static_cast<int64_t>(records[0].outputs.size())}, outputs);
  write_file_atomically(stem + "_x.npy", x.data(), x.size());
  write_file_atomically(stem + "_y.npy", y.data(), y.size());
  std::string log;
  for (const std::string &line : inference_->decision_log()) log += line + "\n";
  write_file_atomically(stem + "_decisions.txt", log.data(), log.size());
}

}  // namespace sotto::gw::sim
