// The float reference: runs a float graph (float_graph.h) on one NHWC sample, in float32 with
// the obvious loops. It is what quantization is measured against and where calibration ranges
// come from, so it keeps every intermediate tensor.
#pragma once

#include <vector>

#include "float_graph.h"

namespace sotto::gw::model::fp {

class Evaluator {
 public:
  explicit Evaluator(const Graph &graph);
  // Runs every op on `input` (the graph input's elements, NHWC) and returns the output.
  const std::vector<float> &run(const std::vector<float> &input);
  // Tensor t's values from the last run.
  const std::vector<float> &value(size_t t) const { return values_[t]; }

 private:
  void run_op(const Op &op);
  const Graph &g_;
  std::vector<std::vector<float>> values_;
};

}  // namespace sotto::gw::model::fp
