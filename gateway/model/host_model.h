// A .smdl opened on the host with the device runtime, as the device sees it in flash: for
// `sottoctl model inspect|run` and for measuring a quantized model against its float reference.
#pragma once

#include <cstdint>
#include <vector>

#include "smdl_format.h"
#include "sotto/model.h"

namespace sotto::gw::model {

class HostModel {
 public:
  // Opens the blob (copied into 4-byte aligned storage) and attaches an arena; throws
  // std::runtime_error naming the loader's error.
  explicit HostModel(const std::vector<uint8_t> &bytes);
  HostModel(const HostModel &) = delete;
  HostModel &operator=(const HostModel &) = delete;

  const sotto_smdl_header_t &header() const;
  const sotto_smdl_tensor_t *tensors() const;
  const sotto_smdl_op_t *ops() const;
  sotto_model_t *model() { return &model_; }
  // Input or output `index` (0-based, the model's order); zeroed beyond the count.
  sotto_tensor_t input(uint32_t index = 0) const;
  sotto_tensor_t output(uint32_t index = 0) const;
  // Quantizes `input` (the model input's elements, NHWC) as the input tensor says, runs the
  // model and returns the output as float (dequantized when int8).
  std::vector<float> run_float(const std::vector<float> &input);

 private:
  std::vector<uint32_t> blob_;
  std::vector<uint32_t> arena_;
  sotto_model_t model_{};
};

}  // namespace sotto::gw::model
