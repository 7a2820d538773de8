// `sottoctl model inspect --target`: a model's cost on a chip. The formulas are checked with a
// fixed profile (fixed kernel sizes, instruction costs and power model) on TFLM's hello_world
// (three FULLY_CONNECTED ops), the figures worked out by hand in the comments; the shipped
// profiles through the command; and every refusal by its message.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli_arguments.h"
#include "cost_model.h"
#include "file_bytes.h"
#include "importer.h"
#include "model_commands.h"

namespace sotto::gw::model {
namespace {

std::vector<uint8_t> hello_world_blob(Target target) {
  return import_tflite(read_file_bytes(std::string(SOTTO_SHARED_DIR) +
                                       "/models/tflm-examples/hello_world_int8.tflite"),
                       target);
}

TargetProfile fixed_profile() {
  TargetProfile p;
  p.name = "cortex-m4";
  p.engine_core_flash_bytes = 1000;
  p.kernel_flash_bytes = {{"FULLY_CONNECTED", 500}};
  p.op_instructions = {{"FULLY_CONNECTED", {100, 2, 10, 1, 0, 0, 5}}};
  p.instruction_source = "fixed test table";
  p.power = {"Test part", "test figures", 100, 2, 10, 3.0, 50};
  return p;
}

CostOptions fixed_options(const TargetProfile &p) {
  CostOptions o = cost_options_for(p);
  o.inferences_per_hour = 3600;
  o.battery_mah = 1000;
  return o;
}

TEST(CostModel, FixedProfileGivesTheHandWorkedFigures) {
  const std::vector<uint8_t> blob = hello_world_blob(Target::kCortexM4);
  HostModel model(blob);
  const TargetProfile profile = fixed_profile();
  const CostOptions options = fixed_options(profile);
  const ModelCost c = estimate_cost(model, profile, options);
  EXPECT_EQ(c.arena_bytes, model.header().arena_bytes);
  EXPECT_EQ(c.model_bytes, blob.size());
  EXPECT_EQ(c.weight_bytes, 16u + 256u + 16u);
  // The blob, the core and one FULLY_CONNECTED kernel (three ops, linked once).
  EXPECT_EQ(c.flash_bytes, blob.size() + 1000 + 500);
  // 1 -> 16: 100 + 2*16 + 10*16 + 1*1 = 293; 16 -> 16: 100 + 2*256 + 10*16 + 16 = 788;
  // 16 -> 1: 100 + 2*16 + 10*1 + 16 = 158.
  EXPECT_EQ(c.instructions, 1239u);
  // Awake 1239 / 50 MHz = 24.78 us + 10 us wake-up = 34.78 us at 100 uA/MHz * 50 MHz = 5 mA.
  EXPECT_NEAR(c.active_seconds, 34.78e-6, 1e-12);
  EXPECT_NEAR(c.energy_uj, 3.0 * 5000 * 34.78e-6, 1e-9);  // 0.5217 uJ
  // One per second: 0.5217 uW awake + 3 V * 2 uA * (1 - 34.78e-6) asleep = 6.52149132 uW.
  EXPECT_NEAR(c.average_mw, 0.00652149132, 1e-12);
  // 1000 mAh / (6.52149132 uW / 3 V) = 460,017.5 h = 19,167.4 days.
  EXPECT_NEAR(c.battery_days, 1000 / (0.00652149132 / 3.0) / 24, 1e-6);
  std::ostringstream out;
  print_cost(c, profile, options, out);
  EXPECT_EQ(
      out.str(),
      "cost on cortex-m4, power model Test part\n"
      "  arena " +
          std::to_string(c.arena_bytes) +
          " B of RAM\n"
          "  flash " +
          std::to_string(blob.size() + 1500) + " B = model " + std::to_string(blob.size()) +
          " B (weights 288 B) + engine core 1000 B + kernels 500 B (FULLY_CONNECTED 500)\n"
          "  instructions 1239 per inference (fixed test table)\n"
          "  awake 34.8 us per inference: run 24.8 us at 50.0 MHz, 1.00 cycles per "
          "instruction, + wake-up 10.0 us\n"
          "  energy 0.522 uJ per inference (100.0 uA/MHz at 3.00 V)\n"
          "  average power 0.0065 mW (6.52 uW) at 3600 inferences per hour (awake 0.0035 % of the "
          "time, sleeping at 2.00 uA)\n"
          "  battery 1000 mAh lasts 19167.4 days (MCU alone: no sensor, radio or "
          "self-discharge)\n"
          "  source: test figures\n");
}

// An int16 CONV_2D costs CONV_2D_16X8's kernel, not CONV_2D's: the profile here has no CONV_2D
// size at all, so counting the int8 kernel would be refused.
TEST(CostModel, AnInt16ConvolutionCostsTheConv2d16x8Kernel) {
  const std::vector<uint8_t> blob =
      import_tflite(read_file_bytes(std::string(SOTTO_SHARED_DIR) +
                                    "/models/tflm-examples/ops/seanet_conv_0.tflite"),
                    Target::kCortexM4);
  HostModel model(blob);
  TargetProfile profile = fixed_profile();
  profile.kernel_flash_bytes = {{"CONV_2D_16X8", 700}};
  const ModelCost c = estimate_cost(model, profile, fixed_options(profile));
  EXPECT_EQ(c.flash_bytes, blob.size() + 1000 + 700);
  ASSERT_EQ(1u, c.kernel_bytes.size());
  EXPECT_EQ("CONV_2D_16X8", c.kernel_bytes[0].first);
}

TEST(CostModel, CyclesPerInstructionAndRateScaleTheFigures) {
  const std::vector<uint8_t> blob = hello_world_blob(Target::kCortexM4);
  HostModel model(blob);
  const TargetProfile profile = fixed_profile();
  CostOptions options = fixed_options(profile);
  options.cycles_per_instruction = 2;
  options.inferences_per_hour = 60;
  const ModelCost c = estimate_cost(model, profile, options);
  // 2478 cycles / 50 MHz = 49.56 us + 10 us.
  EXPECT_NEAR(c.active_seconds, 59.56e-6, 1e-12);
  EXPECT_NEAR(c.energy_uj, 3.0 * 5000 * 59.56e-6, 1e-9);
  const double duty = 59.56e-6 / 60;
  EXPECT_NEAR(c.average_mw, (3.0 * 5000 * 59.56e-6 / 60 + 6 * (1 - duty)) / 1000, 1e-12);
}

TEST(CostModel, AnOpTheTableHasNotMeasuredLeavesNoInstructionFigure) {
  HostModel model(hello_world_blob(Target::kCortexM4));
  TargetProfile profile = fixed_profile();
  profile.op_instructions = {{"SOFTMAX", {1, 1, 1, 1, 1, 1, 1}}};
  const CostOptions options = fixed_options(profile);
  const ModelCost c = estimate_cost(model, profile, options);
  EXPECT_EQ(c.unmeasured_ops, std::vector<std::string>{"FULLY_CONNECTED"});
  std::ostringstream out;
  print_cost(c, profile, options, out);
  EXPECT_NE(out.str().find("  instructions not known: no measured cost of FULLY_CONNECTED on "
                           "cortex-m4 (fixed test table); no energy figures\n"),
            std::string::npos)
      << out.str();
  EXPECT_EQ(out.str().find(" uJ "), std::string::npos);
}

TEST(CostModel, TooManyInferencesForTheHourIsRefused) {
  HostModel model(hello_world_blob(Target::kCortexM4));
  const TargetProfile profile = fixed_profile();
  CostOptions options = fixed_options(profile);
  options.inferences_per_hour = 200000000;  // 34.78 us each: 6956 s of work per hour
  try {
    estimate_cost(model, profile, options);
    FAIL() << "expected a refusal";
  } catch (const std::runtime_error &e) {
    EXPECT_STREQ(e.what(),
                 "--inferences-per-hour 200000000 needs 6956.0 s awake per hour at 50.0 MHz: at "
                 "most 103507763 inferences fit in an hour");
  }
}

TEST(CostModel, ShippedProfilesCostTheModelsOwnKernels) {
  const std::string dir = ::testing::TempDir();
  const std::vector<uint8_t> blob = hello_world_blob(Target::kCortexM4);
  const std::string path = dir + "/hello_world_m4.smdl";
  write_file_atomically(path, blob.data(), blob.size());
  const TargetProfile &m4 = target_profile(Target::kCortexM4);
  std::ostringstream out;
  model_inspect_command({path, "--target", "cortex-m4"}, out);
  const uint32_t fc = m4.kernel_flash_bytes.at("FULLY_CONNECTED");
  EXPECT_NE(
      out.str().find("  flash " + std::to_string(blob.size() + m4.engine_core_flash_bytes + fc) +
                     " B = model " + std::to_string(blob.size()) +
                     " B (weights 288 B) + "
                     "engine core " +
                     std::to_string(m4.engine_core_flash_bytes) + " B + kernels " +
                     std::to_string(fc) + " B (FULLY_CONNECTED " + std::to_string(fc) + ")\n"),
      std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("cost on cortex-m4, power model STM32L476 (Cortex-M4F, 80 MHz)\n"),
            std::string::npos);
  // The Cortex-M0's rows are measured under QEMU microbit like the others: the same estimate as
  // the shipped table gives, with its energy figures.
  std::ostringstream m0;
  model_inspect_command({path, "--target", "cortex-m0"}, m0);
  EXPECT_NE(m0.str().find("  note: imported for cortex-m4; import with --target cortex-m0 for "
                          "this chip's weight layouts and kernels\n"),
            std::string::npos);
  const TargetProfile &m0_profile = target_profile(Target::kCortexM0);
  const ModelCost m0_cost =
      estimate_cost(HostModel(blob), m0_profile, cost_options_for(m0_profile));
  ASSERT_TRUE(m0_cost.unmeasured_ops.empty());
  EXPECT_NE(m0.str().find("  instructions " + std::to_string(m0_cost.instructions) +
                          " per inference (per-op table fitted to QEMU -icount counts)\n"),
            std::string::npos)
      << m0.str();
  EXPECT_NE(m0.str().find("  energy "), std::string::npos) << m0.str();
}

std::string refusal(const std::vector<std::string> &args) {
  try {
    std::ostringstream out;
    model_inspect_command(args, out);
  } catch (const UsageError &e) {
    return e.what();
  }
  return "accepted";
}

TEST(CostModel, BadOptionsAreRefusedByName) {
  const std::string path = ::testing::TempDir() + "/hello_world_refusals.smdl";
  const std::vector<uint8_t> blob = hello_world_blob(Target::kCortexM4);
  write_file_atomically(path, blob.data(), blob.size());
  EXPECT_EQ(refusal({path, "--target", "esp8266"}),
            "--target: no cost model for 'esp8266'; supported: cortex-m4, cortex-m0, rv32");
  EXPECT_EQ(refusal({path, "--target", "generic"}),
            "--target: no cost model for 'generic'; supported: cortex-m4, cortex-m0, rv32");
  EXPECT_EQ(refusal({path, "--target", "cortex-m4", "--clock-mhz", "fast"}),
            "--clock-mhz must be a number above 0 (MHz), got 'fast'");
  EXPECT_EQ(refusal({path, "--target", "cortex-m4", "--clock-mhz", "0"}),
            "--clock-mhz must be a number above 0 (MHz), got '0'");
  EXPECT_EQ(refusal({path, "--target", "cortex-m4", "--clock-mhz", "80MHz"}),
            "--clock-mhz must be a number above 0 (MHz), got '80MHz'");
  EXPECT_EQ(refusal({path, "--target", "rv32", "--inferences-per-hour", "-1"}),
            "--inferences-per-hour must be a number of at least 0 (inferences per hour), got '-1'");
  EXPECT_EQ(refusal({path, "--target", "rv32", "--battery-mah", "0"}),
            "--battery-mah must be a number above 0 (mAh), got '0'");
  EXPECT_EQ(refusal({path, "--target", "rv32", "--sleep-ua", "-0.5"}),
            "--sleep-ua must be a number of at least 0 (uA), got '-0.5'");
  EXPECT_EQ(refusal({path, "--clock-mhz", "80"}),
            "--clock-mhz needs --target cortex-m4|cortex-m0|rv32");
}

}  // namespace
}  // namespace sotto::gw::model
