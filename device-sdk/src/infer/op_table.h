/* Every operator the inference engine knows, one row each. The single source for the .smdl op
 * kinds (smdl_format.h), op names in loader faults and tools, the importer's TFLite mapping
 * (gateway/model) and the build's kernel selection (CMakeLists.txt here reads the rows).
 *
 * ROW(NAME, KIND, TFLITE_BUILTIN, STEM)
 *   NAME            the operator's name (TFLite's where TFLite has the op)
 *   KIND            its number in a .smdl blob: never renumber or reuse one
 *   TFLITE_BUILTIN  the TFLite BuiltinOperator code the importer lowers into it, -1 for none
 *   STEM            its files: kernels/reference/STEM.cpp holds the loader's check
 *                   (check_STEM: what a valid op record is) and the oracle kernel
 *                   (reference::STEM: what it computes); kernels/<target>/STEM.cpp, when present,
 *                   an optimized kernel (<target>::STEM, bit-exact with the reference) that the
 *                   build for that target runs instead.
 *
 * CONV_2D_16X8 is no kind of its own in a blob: a CONV_2D with int16 activations runs it, chosen
 * at load from the tensor types (sotto_smdl_kernel_kind in smdl_format.h), so that an engine for
 * int8 models links none of the int16 path. (Kind 22 is left to the LSTM row.)
 *
 * Adding an op: a row here, kernels/reference/STEM.cpp, and the importer's lowering
 * (Compiler::lower_STEM in gateway/model). Adding a target kernel: kernels/<target>/STEM.cpp.
 * An integrator links a subset with SOTTO_INFER_ONLY_OPS (CMake); a model using an op left out
 * is refused at open with SOTTO_ERR_MODEL_UNSUPPORTED_OP. */
#ifndef SOTTO_INFER_OP_TABLE_H
#define SOTTO_INFER_OP_TABLE_H

/* clang-format off */
#define SOTTO_OP_TABLE(ROW)                                  \
  ROW(CONV_2D,           1,  3,   conv_2d)                   \
  ROW(DEPTHWISE_CONV_2D, 2,  4,   depthwise_conv_2d)         \
  ROW(FULLY_CONNECTED,   3,  9,   fully_connected)           \
  ROW(AVERAGE_POOL_2D,   4,  1,   average_pool_2d)           \
  ROW(MAX_POOL_2D,       5,  17,  max_pool_2d)               \
  ROW(ADD,               6,  0,   add)                       \
  ROW(RESHAPE,           7,  22,  reshape)                   \
  ROW(SOFTMAX,           8,  25,  softmax)                   \
  ROW(MUL,               9,  18,  mul)                       \
  ROW(LOGISTIC,          10, 14,  logistic)                  \
  ROW(CONCATENATION,     11, 2,   concatenation)             \
  ROW(PAD,               12, 34,  pad)                       \
  ROW(MEAN,              13, 40,  mean)                      \
  ROW(QUANTIZE,          14, 114, quantize)                  \
  ROW(DEQUANTIZE,        15, 6,   dequantize)                \
  ROW(SUB,               16, 41,  sub)                       \
  ROW(LEAKY_RELU,        17, 98,  leaky_relu)                \
  ROW(STRIDED_SLICE,     18, 45,  strided_slice)             \
  ROW(TRANSPOSE,         19, 39,  transpose)                 \
  ROW(TRANSPOSE_CONV,    20, 67,  transpose_conv)            \
  ROW(SVDF,              21, 27,  svdf)                      \
  ROW(UNIDIRECTIONAL_SEQUENCE_LSTM, 22, 44, lstm)         \
  ROW(CONV_2D_16X8,      23, -1,  conv_2d_16x8)
/* clang-format on */

#endif /* SOTTO_INFER_OP_TABLE_H */
