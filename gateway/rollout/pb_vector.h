// nanopb messages encoded into a std::vector, for the gateway's signers.
#ifndef SOTTO_GW_ROLLOUT_PB_VECTOR_H
#define SOTTO_GW_ROLLOUT_PB_VECTOR_H

#include <pb_encode.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace sotto::gw {

// max_bytes: the message's nanopb worst case (<Message>_size). Throws std::runtime_error with
// nanopb's reason when the message does not encode.
template <typename Message>
std::vector<uint8_t> encode_to_vector(const pb_msgdesc_t *fields, const Message &message,
                                      size_t max_bytes) {
  std::vector<uint8_t> out(max_bytes);
  pb_ostream_t stream = pb_ostream_from_buffer(out.data(), out.size());
  if (!pb_encode(&stream, fields, &message)) {
    throw std::runtime_error(std::string("encode: ") + PB_GET_ERROR(&stream));
  }
  out.resize(stream.bytes_written);
  return out;
}

}  // namespace sotto::gw

#endif  // SOTTO_GW_ROLLOUT_PB_VECTOR_H
