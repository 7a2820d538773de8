// Reads the TFLite flatbuffer fields the importer uses (field numbers from the public schema).
#include "tflite_model.h"

#include <cstdint>
#include <stdexcept>

namespace sotto::gw::model {

std::string operator_name(const TfOperator &op) {
  const std::string name = builtin_op_name(op.builtin);
  return op.custom.empty() ? name : name + " '" + op.custom + "'";
}

void parse_tflite(std::vector<uint8_t> bytes, TfModel *model) {
  model->bytes = std::move(bytes);
  const std::vector<uint8_t> &buf = model->bytes;
  if (buf.size() < 8 || std::string(reinterpret_cast<const char *>(buf.data()) + 4, 4) != "TFL3") {
    throw std::runtime_error("not a TFLite flatbuffer (missing TFL3 identifier)");
  }
  const FlatTable root = flat_root(buf);
  // Model: 1 operator_codes, 2 subgraphs, 4 buffers.
  // OperatorCode: 0 deprecated_builtin_code, 1 custom_code, 3 builtin_code.
  std::vector<int32_t> opcodes;
  std::vector<std::string> custom_codes;
  for (const FlatTable &oc : root.table_vector(1)) {
    const int32_t deprecated = oc.scalar<int8_t>(0, 0);
    const int32_t builtin = oc.scalar<int32_t>(3, 0);
    opcodes.push_back(builtin > deprecated ? builtin : deprecated);
    custom_codes.push_back(oc.string(1));
  }
  const std::vector<FlatTable> subgraphs = root.table_vector(2);
  if (subgraphs.size() != 1) {
    throw std::runtime_error("expected exactly 1 subgraph, found " +
                             std::to_string(subgraphs.size()));
  }
  const std::vector<FlatTable> buffers = root.table_vector(4);
  const FlatTable &sg = subgraphs[0];
  for (const FlatTable &t : sg.table_vector(0)) {
    TfTensor tensor;
    tensor.index = static_cast<int32_t>(model->tensors.size());
    tensor.shape = t.scalar_vector<int32_t>(0);
    tensor.type = t.scalar<int8_t>(1, 0);
    tensor.buffer = t.scalar<uint32_t>(2, 0);
    tensor.name = t.string(3);
    tensor.is_variable = t.scalar<uint8_t>(5, 0) != 0;
    const FlatTable q = t.table(4);
    if (q.valid()) {
      tensor.scales = q.scalar_vector<float>(2);
      tensor.zero_points = q.scalar_vector<int64_t>(3);
      tensor.quantized_dimension = q.scalar<int32_t>(6, 0);
    }
    if (tensor.buffer >= buffers.size()) {
      throw std::runtime_error(tensor.label() + " names buffer " + std::to_string(tensor.buffer) +
                               " of " + std::to_string(buffers.size()));
    }
    tensor.data = buffers[tensor.buffer].scalar_vector<uint8_t>(0);
    model->tensors.push_back(std::move(tensor));
  }
  model->inputs = sg.scalar_vector<int32_t>(1);
  model->outputs = sg.scalar_vector<int32_t>(2);
  // Tensor indices name model->tensors; -1 marks an absent optional operator input.
  const auto check_indices = [&](const std::vector<int32_t> &indices, int32_t lowest,
                                 const char *what) {
    for (int32_t t : indices) {
      if (t < lowest || t >= static_cast<int32_t>(model->tensors.size())) {
        throw std::runtime_error(what);
      }
    }
  };
  for (const FlatTable &o : sg.table_vector(3)) {
    TfOperator op;
    const uint32_t idx = o.scalar<uint32_t>(0, 0);
    if (idx >= opcodes.size()) throw std::runtime_error("operator names a missing opcode");
    op.builtin = opcodes[idx];
    op.custom = custom_codes[idx];
    op.inputs = o.scalar_vector<int32_t>(1);
    op.outputs = o.scalar_vector<int32_t>(2);
    op.options = o.table(4);
    check_indices(op.inputs, INT32_MIN, "bad tensor index");
    check_indices(op.outputs, 0, "bad tensor index");
    model->operators.push_back(std::move(op));
  }
  check_indices(model->inputs, 0, "bad input");
  check_indices(model->outputs, 0, "bad output");
}

}  // namespace sotto::gw::model
