# The models the conformance tests run against TFLM's golden data, one line each:
#   name|model file under ../shared/models|golden folder under ../shared/conformance|
#   operator count|cases|layer cases|cases run on Cortex-M4 and RV32 under QEMU|host variants
# Cases are the golden data's input numbers (all of them; missing files fail the test). Big
# models run a few cases on the targets to keep CI short. Host variants: generic, and cortex-m4
# where the Cortex-M4 weight layouts are worth checking through the reference kernels too.
# tests/infer/CMakeLists.txt writes conformance_models.h from this list for the host test.
set(SOTTO_CONFORMANCE_MODELS
  "kws|mlperf-tiny/kws_ref_model.tflite|tflm-golden/kws|13|0,1,4,5,8,9,10|0,1,4,5,8,9,10|0,1,4,5,8,9,10|generic"
  "vww|mlperf-tiny/vww_96_int8.tflite|tflm-golden/vww|31|0,1,4,5,8,9|0,1,4,5,8,9|0,1,4,5,8,9|generic"
  "ic|mlperf-tiny/pretrainedResnet_quant.tflite|tflm-golden/ic|16|0,1,4,5,8,9|0,1,4,5,8,9|0,1,4,5,8,9|generic"
  "ad|mlperf-tiny/ad01_int8.tflite|tflm-golden/ad|10|0,1,4,5,8,9|0,1,4,5,8,9|0,1,4,5,8,9|generic,cortex-m4"
  "hello_world_int8|tflm-examples/hello_world_int8.tflite|tflm-examples/hello_world_int8|3|0,1,8,9|0,1,8,9|0,1,8,9|generic,cortex-m4"
  "micro_speech_quantized|tflm-examples/micro_speech_quantized.tflite|tflm-examples/micro_speech_quantized|4|0,1,8,9|0,1,8,9|0,1,8,9|generic"
  "person_detect|tflm-examples/person_detect.tflite|tflm-examples/person_detect|31|0,1,8,9|0,1,8,9|0,1,8,9|generic"
  "mobilenet_v2_nhwc|tflm-examples/derived/mobilenet_v2_nhwc.tflite|tflm-examples/mobilenet_v2_nhwc|83|0,8|0|0|generic"
  "mobilenet_v2_quantized_1x3x224x224|tflm-examples/mobilenet_v2_quantized_1x3x224x224.tflite|tflm-examples/mobilenet_v2_quantized_1x3x224x224|84|0,8|0|0|generic"
  "mobilenet_v2_mean_requant|tflm-examples/derived/mobilenet_v2_mean_requant.tflite|tflm-examples/mobilenet_v2_mean_requant|81|0,1,8,9|0|0|generic"
  "simple_add_model|tflm-examples/ops/simple_add_model.tflite|tflm-examples/simple_add_model|1|0,1,8,9|0,1,8,9|0,1,8,9|generic"
  "seanet_add_0|tflm-examples/ops/seanet_add_0.tflite|tflm-examples/seanet_add_0|1|0,1,8,9,10|0,1,8,9,10|0,1,8,9,10|generic"
  "seanet_add_16|tflm-examples/ops/seanet_add_16.tflite|tflm-examples/seanet_add_16|1|0,1,8,9,10|0,1,8,9,10|0,1,8,9,10|generic"
  "seanet_sub_0|tflm-examples/ops/seanet_sub_0.tflite|tflm-examples/seanet_sub_0|1|0,1,8,9,10|0,1,8,9,10|0,1,8,9,10|generic"
  "seanet_sub_4|tflm-examples/ops/seanet_sub_4.tflite|tflm-examples/seanet_sub_4|1|0,1,8,9,10|0,1,8,9,10|0,1,8,9,10|generic"
  "seanet_leaky_relu_11|tflm-examples/ops/seanet_leaky_relu_11.tflite|tflm-examples/seanet_leaky_relu_11|1|0,1,8,9,10|0,1,8,9,10|0,1,8,9,10|generic"
  "seanet_leaky_relu_15|tflm-examples/ops/seanet_leaky_relu_15.tflite|tflm-examples/seanet_leaky_relu_15|1|0,1,8,9,10|0,1,8,9,10|0,1,8,9,10|generic"
  "seanet_quantize_0|tflm-examples/ops/seanet_quantize_0.tflite|tflm-examples/seanet_quantize_0|1|0,1,8,9,10|0,1,8,9,10|0,1,8,9,10|generic"
  "seanet_quantize_1|tflm-examples/ops/seanet_quantize_1.tflite|tflm-examples/seanet_quantize_1|1|0,1,8,9,10|0,1,8,9,10|0,1,8,9,10|generic"
  "seanet_strided_slice_12|tflm-examples/ops/seanet_strided_slice_12.tflite|tflm-examples/seanet_strided_slice_12|1|0,1,8,9,10|0,1,8,9,10|0,1,8,9,10|generic"
  "seanet_strided_slice_15|tflm-examples/ops/seanet_strided_slice_15.tflite|tflm-examples/seanet_strided_slice_15|1|0,1,8,9,10|0,1,8,9,10|0,1,8,9,10|generic"
  "keyword_scrambled|tflm-examples/keyword_scrambled.tflite|tflm-examples/keyword_scrambled|15|0,1,8,9|0,1,8,9|0,1,8,9|generic"
  "keyword_scrambled_8bit|tflm-examples/keyword_scrambled_8bit.tflite|tflm-examples/keyword_scrambled_8bit|15|0,1,8,9|0,1,8,9|0,1,8,9|generic"
  "seanet_pad_0|tflm-examples/ops/seanet_pad_0.tflite|tflm-examples/seanet_pad_0|1|0,1,8,9,10|0,1,8,9,10|0,1,8,9,10|generic"
  "seanet_pad_12|tflm-examples/ops/seanet_pad_12.tflite|tflm-examples/seanet_pad_12|1|0,1,8,9,10|0,1,8,9,10|0,1,8,9,10|generic"
  "seanet_conv_0|tflm-examples/ops/seanet_conv_0.tflite|tflm-examples/seanet_conv_0|1|0,1,8,9,10|0,1,8,9,10|0,1,8,9,10|generic"
  "seanet_conv_2|tflm-examples/ops/seanet_conv_2.tflite|tflm-examples/seanet_conv_2|1|0,1,8,9,10|0,1,8,9,10|0,1,8,9,10|generic"
  "seanet_transpose_conv_3|tflm-examples/ops/seanet_transpose_conv_3.tflite|tflm-examples/seanet_transpose_conv_3|1|0,1,8,9,10|0,1,8,9,10|0,1,8,9,10|generic"
  "seanet_transpose_conv_4|tflm-examples/ops/seanet_transpose_conv_4.tflite|tflm-examples/seanet_transpose_conv_4|1|0,1,8,9,10|0,1,8,9,10|0,1,8,9,10|generic"
  "micro_speech_lstm|tflm-examples/micro_speech_lstm.tflite|tflm-examples/micro_speech_lstm|4|0,1,8,9|0,1,8,9|0,1,8,9|generic"
  "dtln_noise_suppression|tflm-examples/dtln_noise_suppression.tflite|tflm-examples/dtln_noise_suppression|4|0,1,8,9|0,1,8,9|0,1,8,9|generic"
)

# Cross targets that run fewer of the models (SOTTO_CONFORMANCE_MODELS_<target>: a name, or
# name|cases to run other cases there than the column above). The Cortex-M0 image (nRF51 under
# QEMU microbit) programs the model into the upper 128 KB of its 256 KB of flash and has a
# 13,184 B arena in its 16 KB of RAM. Left out: ad (279 KB model), person_detect and vww (37 KB
# arenas), ic (33 KB arena), the MobileNets (megabytes), simple_add_model (32 KB arena),
# seanet_transpose_conv_4 (15.5 KB arena), micro_speech_lstm (17.4 KB arena) and
# dtln_noise_suppression (368 KB model). Its reference kernels take about 13 times the M4's
# instructions for kws, so kws runs four of its cases there.
set(SOTTO_CONFORMANCE_MODELS_cortex-m0
  "kws|0,1,4,5"
  "hello_world_int8"
  "micro_speech_quantized"
  "keyword_scrambled"
  "keyword_scrambled_8bit"
  "seanet_add_0"
  "seanet_add_16"
  "seanet_sub_0"
  "seanet_sub_4"
  "seanet_leaky_relu_11"
  "seanet_leaky_relu_15"
  "seanet_quantize_0"
  "seanet_quantize_1"
  "seanet_strided_slice_12"
  "seanet_strided_slice_15"
  "seanet_pad_0"
  "seanet_pad_12"
  "seanet_conv_0"
  "seanet_conv_2"
  "seanet_transpose_conv_3"
)
