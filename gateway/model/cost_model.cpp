// A model's cost on a chip from its .smdl and the target's profile; see cost_model.h.
#include "cost_model.h"

#include <cmath>
#include <iomanip>
#include <set>
#include <sstream>
#include <stdexcept>

#include "op_registry.h"

namespace sotto::gw::model {
namespace {

std::string fixed(double value, int decimals) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(decimals) << value;
  return s.str();
}

// The option's value as a finite number at least `min` (above it when `exclusive`), or
// `fallback` when absent.
double number_option(const Arguments &arguments, const std::string &option, double fallback,
                     double min, bool exclusive, const std::string &unit) {
  const auto text = arguments.value(option);
  if (!text) return fallback;
  size_t used = 0;
  double parsed = 0;
  try {
    parsed = std::stod(*text, &used);
  } catch (const std::exception &) {
    used = 0;
  }
  const bool in_range = exclusive ? parsed > min : parsed >= min;
  if (used == 0 || used != text->size() || !std::isfinite(parsed) || !in_range) {
    throw UsageError(option + " must be a number " + (exclusive ? "above " : "of at least ") +
                     fixed(min, 0) + " (" + unit + "), got '" + *text + "'");
  }
  return parsed;
}

const char *target_name(uint32_t header_target) {
  switch (header_target) {
    case 1:
      return "cortex-m4";
    case 2:
      return "cortex-m0";
    case 3:
      return "rv32";
    default:
      return "generic";
  }
}

}  // namespace

const std::set<std::string> &cost_option_names() {
  static const std::set<std::string> names = {
      "--target",      "--clock-mhz",         "--inferences-per-hour",
      "--battery-mah", "--active-ua-per-mhz", "--sleep-ua",
      "--wake-us",     "--supply-v",          "--cycles-per-instruction"};
  return names;
}

CostOptions cost_options_for(const TargetProfile &profile) {
  CostOptions o;
  o.target = parse_target(profile.name);
  o.power = profile.power;
  return o;
}

std::optional<CostOptions> parse_cost_options(const Arguments &arguments) {
  const auto target_text = arguments.value("--target");
  if (!target_text) {
    for (const std::string &option : cost_option_names()) {
      if (arguments.value(option))
        throw UsageError(option + " needs --target cortex-m4|cortex-m0|rv32");
    }
    return std::nullopt;
  }
  if (*target_text != "cortex-m4" && *target_text != "cortex-m0" && *target_text != "rv32") {
    throw UsageError("--target: no cost model for '" + *target_text +
                     "'; supported: cortex-m4, cortex-m0, rv32");
  }
  CostOptions o = cost_options_for(target_profile(parse_target(*target_text)));
  PowerModel &p = o.power;
  p.clock_mhz = number_option(arguments, "--clock-mhz", p.clock_mhz, 0, true, "MHz");
  p.active_ua_per_mhz =
      number_option(arguments, "--active-ua-per-mhz", p.active_ua_per_mhz, 0, true, "uA/MHz");
  p.sleep_ua = number_option(arguments, "--sleep-ua", p.sleep_ua, 0, false, "uA");
  p.wake_us = number_option(arguments, "--wake-us", p.wake_us, 0, false, "us");
  p.supply_v = number_option(arguments, "--supply-v", p.supply_v, 0, true, "V");
  o.inferences_per_hour = number_option(arguments, "--inferences-per-hour", o.inferences_per_hour,
                                        0, false, "inferences per hour");
  o.battery_mah = number_option(arguments, "--battery-mah", o.battery_mah, 0, true, "mAh");
  o.cycles_per_instruction = number_option(arguments, "--cycles-per-instruction",
                                           o.cycles_per_instruction, 0, true, "cycles");
  return o;
}

ModelCost estimate_cost(const HostModel &model, const TargetProfile &profile,
                        const CostOptions &options) {
  const sotto_smdl_header_t &h = model.header();
  const sotto_smdl_op_t *ops = model.ops();
  ModelCost c;
  c.imported_for = target_name(h.target);
  c.arena_bytes = h.arena_bytes;
  c.model_bytes = h.total_bytes;
  c.engine_core_bytes = profile.engine_core_flash_bytes;
  c.flash_bytes = c.model_bytes + c.engine_core_bytes;
  std::set<std::string> linked, unmeasured;
  for (uint32_t i = 0; i < h.op_count; ++i) {
    // The kernel the device links for this op (an int16 CONV_2D: CONV_2D_16X8's).
    const std::string name =
        sotto_infer::op_name(sotto_smdl_kernel_kind(&ops[i], model.tensors(), h.tensor_count));
    c.weight_bytes += ops[i].weights_bytes;
    if (linked.insert(name).second) {
      const auto flash = profile.kernel_flash_bytes.find(name);
      if (flash == profile.kernel_flash_bytes.end()) {
        throw std::runtime_error("the " + profile.name + " profile has no flash size for " + name +
                                 " (op " + std::to_string(i) +
                                 "): regenerate it with deploy/cost-table.sh");
      }
      c.kernel_bytes.emplace_back(name, flash->second);
      c.flash_bytes += flash->second;
    }
    const std::string key = op_cost_key(ops[i], model.tensors());
    const auto cost = profile.op_instructions.find(key);
    if (cost == profile.op_instructions.end()) {
      if (unmeasured.insert(key).second) c.unmeasured_ops.push_back(key);
      continue;
    }
    c.instructions += cost->second.instructions(op_shape(ops[i], model.tensors()));
  }
  if (!c.unmeasured_ops.empty()) return c;

  const PowerModel &p = options.power;
  const double run_seconds =
      static_cast<double>(c.instructions) * options.cycles_per_instruction / (p.clock_mhz * 1e6);
  c.active_seconds = run_seconds + p.wake_us * 1e-6;
  const double active_ua = p.active_ua_per_mhz * p.clock_mhz;
  c.energy_uj = p.supply_v * active_ua * c.active_seconds;  // V x uA x s = uJ
  const double per_second = options.inferences_per_hour / 3600.0;
  c.duty = per_second * c.active_seconds;
  if (c.duty > 1) {
    throw std::runtime_error("--inferences-per-hour " + fixed(options.inferences_per_hour, 0) +
                             " needs " + fixed(c.duty * 3600, 1) + " s awake per hour at " +
                             fixed(p.clock_mhz, 1) + " MHz: at most " +
                             std::to_string(static_cast<uint64_t>(3600 / c.active_seconds)) +
                             " inferences fit in an hour");
  }
  const double average_uw = per_second * c.energy_uj + p.supply_v * p.sleep_ua * (1 - c.duty);
  c.average_mw = average_uw / 1000;
  const double average_ma = average_uw / p.supply_v / 1000;
  c.battery_days = options.battery_mah / average_ma / 24;
  return c;
}

void print_cost(const ModelCost &c, const TargetProfile &profile, const CostOptions &o,
                std::ostream &out) {
  const PowerModel &p = o.power;
  out << "cost on " << profile.name << ", power model " << p.part << "\n";
  if (c.imported_for != profile.name) {
    out << "  note: imported for " << c.imported_for << "; import with --target " << profile.name
        << " for this chip's weight layouts and kernels\n";
  }
  out << "  arena " << c.arena_bytes << " B of RAM\n";
  uint64_t kernels = 0;
  std::string list;
  for (const auto &[name, bytes] : c.kernel_bytes) {
    kernels += bytes;
    list += (list.empty() ? "" : ", ") + name + " " + std::to_string(bytes);
  }
  out << "  flash " << c.flash_bytes << " B = model " << c.model_bytes << " B (weights "
      << c.weight_bytes << " B) + engine core " << c.engine_core_bytes << " B + kernels " << kernels
      << " B (" << list << ")\n";
  if (profile.op_instructions.empty()) {
    out << "  instructions not known on " << profile.name << ": " << profile.instruction_source
        << "; no energy figures\n";
    return;
  }
  if (!c.unmeasured_ops.empty()) {
    std::string names;
    for (const std::string &n : c.unmeasured_ops) names += (names.empty() ? "" : ", ") + n;
    out << "  instructions not known: no measured cost of " << names << " on " << profile.name
        << " (" << profile.instruction_source << "); no energy figures\n";
    return;
  }
  out << "  instructions " << c.instructions << " per inference (" << profile.instruction_source
      << ")\n";
  const double run_us = c.active_seconds * 1e6 - p.wake_us;
  out << "  awake " << fixed(c.active_seconds * 1e6, 1) << " us per inference: run "
      << fixed(run_us, 1) << " us at " << fixed(p.clock_mhz, 1) << " MHz, "
      << fixed(o.cycles_per_instruction, 2) << " cycles per instruction, + wake-up "
      << fixed(p.wake_us, 1) << " us\n";
  out << "  energy " << fixed(c.energy_uj, 3) << " uJ per inference ("
      << fixed(p.active_ua_per_mhz, 1) << " uA/MHz at " << fixed(p.supply_v, 2) << " V)\n";
  out << "  average power " << fixed(c.average_mw, 4) << " mW (" << fixed(c.average_mw * 1000, 2)
      << " uW) at " << fixed(o.inferences_per_hour, 0) << " inferences per hour (awake "
      << fixed(c.duty * 100, 4) << " % of the time, sleeping at " << fixed(p.sleep_ua, 2)
      << " uA)\n";
  out << "  battery " << fixed(o.battery_mah, 0) << " mAh lasts " << fixed(c.battery_days, 1)
      << " days (MCU alone: no sensor, radio or self-discharge)\n";
  out << "  source: " << p.source << "\n";
}

}  // namespace sotto::gw::model
