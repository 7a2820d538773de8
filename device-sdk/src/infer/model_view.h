// Typed views into a validated .smdl blob (internal to the runtime).
#ifndef SOTTO_INFER_MODEL_VIEW_H
#define SOTTO_INFER_MODEL_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "smdl_format.h"
#include "sotto/error.h"
#include "sotto/model.h"

namespace sotto_infer {

struct ModelView {
  const sotto_smdl_header_t *header;
  const sotto_smdl_tensor_t *tensors;
  const sotto_smdl_op_t *ops;
  const uint32_t *io;  // graph inputs, then outputs: tensor indices
  uint32_t stream_count;
  const sotto_smdl_stream_t *streams;  // ascending by first_op
  const uint8_t *data;
  const int32_t *constants_i32(uint32_t offset) const {
    return reinterpret_cast<const int32_t *>(data + offset);
  }
};

// Typed pointers at the offsets the blob's header gives; only for a header whose table and data
// offsets (and a version 3 stream table's count) open_view has already checked against the blob.
inline ModelView view_at(const uint8_t *blob) {
  const sotto_smdl_header_t *h = reinterpret_cast<const sotto_smdl_header_t *>(blob);
  ModelView view;
  view.header = h;
  view.tensors = reinterpret_cast<const sotto_smdl_tensor_t *>(blob + h->tensor_table_offset);
  view.ops = reinterpret_cast<const sotto_smdl_op_t *>(blob + h->op_table_offset);
  view.io = reinterpret_cast<const uint32_t *>(blob + h->io_table_offset);
  // Version 2 has no stream table (smdl_format.h): it runs every op whole.
  const uint32_t *stream_table = view.io + h->input_count + h->output_count;
  const bool has_streams = h->format_version == SOTTO_SMDL_VERSION;
  view.stream_count = has_streams ? stream_table[0] : 0;
  view.streams =
      has_streams ? reinterpret_cast<const sotto_smdl_stream_t *>(stream_table + 1) : nullptr;
  view.data = blob + h->data_offset;
  return view;
}

// Validates the blob and fills `view` (the blob must stay in place); fills `fault` either way.
sotto_err_t open_view(const uint8_t *blob, size_t blob_bytes, ModelView *view,
                      sotto_model_fault_t *fault);

}  // namespace sotto_infer

#endif
