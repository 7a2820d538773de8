// Opening and running a .smdl on the host through the SDK's own loader and engine.
#include "host_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "importer.h"  // fault_text

namespace sotto::gw::model {

HostModel::HostModel(const std::vector<uint8_t> &bytes) : blob_((bytes.size() + 3) / 4) {
  if (!bytes.empty()) std::memcpy(blob_.data(), bytes.data(), bytes.size());
  if (sotto_model_open(&model_, blob_.data(), bytes.size()) != SOTTO_OK) {
    throw std::runtime_error("invalid model: " + fault_text(*sotto_model_open_fault(&model_)));
  }
  arena_.resize((sotto_model_arena_bytes(&model_) + 3) / 4 + 1);
  sotto_model_attach_arena(&model_, arena_.data(), arena_.size() * 4);
}

const sotto_smdl_header_t &HostModel::header() const {
  return *reinterpret_cast<const sotto_smdl_header_t *>(blob_.data());
}

const sotto_smdl_tensor_t *HostModel::tensors() const {
  return reinterpret_cast<const sotto_smdl_tensor_t *>(
      reinterpret_cast<const uint8_t *>(blob_.data()) + header().tensor_table_offset);
}

const sotto_smdl_op_t *HostModel::ops() const {
  return reinterpret_cast<const sotto_smdl_op_t *>(reinterpret_cast<const uint8_t *>(blob_.data()) +
                                                   header().op_table_offset);
}

sotto_tensor_t HostModel::input(uint32_t index) const {
  sotto_tensor_t t{};
  sotto_model_input(&model_, index, &t);
  return t;
}

sotto_tensor_t HostModel::output(uint32_t index) const {
  sotto_tensor_t t{};
  sotto_model_output(&model_, index, &t);
  return t;
}

std::vector<float> HostModel::run_float(const std::vector<float> &input) {
  const sotto_tensor_t in = this->input();
  const bool int8_in = in.type == SOTTO_TENSOR_INT8;
  const size_t elements = int8_in ? in.bytes : in.bytes / 4;
  if (input.size() != elements) {
    throw std::runtime_error("sample has " + std::to_string(input.size()) +
                             " values; the model input takes " + std::to_string(elements));
  }
  if (int8_in) {
    auto *q = static_cast<int8_t *>(in.data);
    for (size_t i = 0; i < elements; ++i) {
      const float v = std::round(input[i] / in.scale) + static_cast<float>(in.zero_point);
      q[i] = static_cast<int8_t>(std::clamp(v, -128.0f, 127.0f));
    }
  } else {
    std::memcpy(in.data, input.data(), in.bytes);
  }
  const sotto_err_t e = sotto_invoke(&model_);
  if (e != SOTTO_OK) throw std::runtime_error(std::string("invoke failed: ") + sotto_err_name(e));
  const sotto_tensor_t out = output();
  std::vector<float> result;
  if (out.type == SOTTO_TENSOR_INT8) {
    const auto *q = static_cast<const int8_t *>(out.data);
    for (size_t i = 0; i < out.bytes; ++i) {
      result.push_back(static_cast<float>(q[i] - out.zero_point) * out.scale);
    }
  } else {
    result.resize(out.bytes / 4);
    std::memcpy(result.data(), out.data, out.bytes);
  }
  return result;
}

}  // namespace sotto::gw::model
