// Reads a float32 TFLite model (already NHWC) into a float graph for the quantizer: weights
// and biases as float, SAME/VALID padding made explicit, RELU/RELU6 fused into the op before.
#pragma once

#include "float_graph.h"
#include "tflite_model.h"

namespace sotto::gw::model {

// True for a model with no int8 tensor and a FLOAT32 input: one that still needs quantizing.
bool is_float_tflite(const TfModel &model);

fp::Graph read_float_tflite(const TfModel &model);

}  // namespace sotto::gw::model
