// sotto-bench-cost-fit: fits the per-op instruction table of one target (deploy/cost-table.sh).
// Reads a list of "NAME MODEL.smdl PROFILE" lines; each PROFILE holds the image's profile run
// ("op INDEX KIND instructions N" per op) and a "direct N" line (one plain sotto_invoke). The
// observer's own cost is the profile's sum minus the direct count, spread evenly over the ops.
// Per op kind it fits instructions = per_call + per_mac * macs + per_output * outputs +
// per_input * inputs + per_row * output rows + per_block * walked sparse blocks by weighted least
// squares (weight 1 / count, so small ops count too) over the subsets of shape terms, keeping the
// best fit whose coefficients are all >= 0. Prints the INSTRUCTIONS rows on stdout; --report
// writes, per model, the QEMU count, the table's estimate (from the printed, rounded
// coefficients, as sottoctl computes it) and the estimate of a table fitted without that model
// (leave one model out).
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "file_bytes.h"
#include "host_model.h"
#include "target_profile.h"

namespace {

using sotto::gw::model::OpInstructionCost;
using sotto::gw::model::OpShape;

struct Sample {
  std::string op;
  OpShape shape;
  double instructions;
  size_t model;
};

struct Measured {
  std::string name;
  uint64_t direct = 0;
  std::vector<size_t> samples;  // indices into the sample list
};

constexpr int kTerms = 6;

std::array<double, kTerms> terms(const OpShape &s) {
  return {1.0,
          static_cast<double>(s.macs),
          static_cast<double>(s.output_elements),
          static_cast<double>(s.input_elements),
          static_cast<double>(s.output_rows),
          static_cast<double>(s.walked_blocks)};
}

// Weighted least squares on the terms in `use` (bit k: term k); false when singular or a
// coefficient is negative.
bool solve(const std::vector<const Sample *> &samples, unsigned use,
           std::array<double, kTerms> *coef, double *residual) {
  std::vector<int> cols;
  for (int k = 0; k < kTerms; ++k) {
    if (use & (1u << k)) cols.push_back(k);
  }
  const size_t n = cols.size();
  std::vector<std::vector<double>> a(n, std::vector<double>(n + 1, 0.0));
  // Scale each term to its largest value so the normal equations stay well conditioned.
  std::vector<double> scale(n, 1.0);
  for (size_t i = 0; i < n; ++i) {
    for (const Sample *s : samples) scale[i] = std::max(scale[i], terms(s->shape)[cols[i]]);
  }
  for (const Sample *s : samples) {
    const auto t = terms(s->shape);
    const double w = 1.0 / std::max(s->instructions, 1.0);
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < n; ++j) a[i][j] += w * t[cols[i]] / scale[i] * t[cols[j]] / scale[j];
      a[i][n] += w * t[cols[i]] / scale[i] * s->instructions;
    }
  }
  for (size_t i = 0; i < n; ++i) {  // Gauss-Jordan with partial pivoting
    size_t pivot = i;
    for (size_t r = i + 1; r < n; ++r) {
      if (std::fabs(a[r][i]) > std::fabs(a[pivot][i])) pivot = r;
    }
    if (std::fabs(a[pivot][i]) < 1e-9) return false;
    std::swap(a[i], a[pivot]);
    for (size_t r = 0; r < n; ++r) {
      if (r == i) continue;
      const double f = a[r][i] / a[i][i];
      for (size_t c = i; c <= n; ++c) a[r][c] -= f * a[i][c];
    }
  }
  coef->fill(0.0);
  for (size_t i = 0; i < n; ++i) {
    (*coef)[cols[i]] = a[i][n] / a[i][i] / scale[i];
    if ((*coef)[cols[i]] < 0) return false;
  }
  *residual = 0;
  for (const Sample *s : samples) {
    const auto t = terms(s->shape);
    double predicted = 0;
    for (int k = 0; k < kTerms; ++k) predicted += (*coef)[k] * t[k];
    *residual += (predicted - s->instructions) * (predicted - s->instructions) /
                 std::max(s->instructions, 1.0);
  }
  return true;
}

// The best non-negative fit over the term subsets (the constant term may be left out too);
// the coefficients printed as %.9g and read back, exactly what the shipped table holds.
OpInstructionCost fit(const std::vector<const Sample *> &samples) {
  // At most one term fewer than the distinct shapes seen (one term when fewer than three), so
  // a fit never just passes through its few points; and at least one size term, as no kernel's
  // work is the same for every shape.
  std::set<std::array<double, kTerms>> shapes;
  for (const Sample *s : samples) shapes.insert(terms(s->shape));
  const int max_terms = std::max(1, static_cast<int>(shapes.size()) - 1);
  std::array<double, kTerms> best{};
  double best_residual = -1;
  for (unsigned use = 2; use < (1u << kTerms); ++use) {
    if (__builtin_popcount(use) > max_terms) continue;
    std::array<double, kTerms> coef{};
    double residual = 0;
    if (!solve(samples, use, &coef, &residual)) continue;
    if (best_residual < 0 || residual < best_residual * (1 - 1e-9)) {
      best = coef;
      best_residual = residual;
    }
  }
  auto rounded = [](double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.9g", v);
    return std::stod(text);
  };
  return {rounded(best[0]),
          rounded(best[1]),
          rounded(best[2]),
          rounded(best[3]),
          rounded(best[4]),
          rounded(best[5]),
          static_cast<uint32_t>(samples.size())};
}

std::map<std::string, OpInstructionCost> fit_all(const std::vector<Sample> &samples,
                                                 size_t leave_out) {
  std::map<std::string, std::vector<const Sample *>> by_op;
  for (const Sample &s : samples) {
    if (s.model != leave_out) by_op[s.op].push_back(&s);
  }
  std::map<std::string, OpInstructionCost> table;
  for (const auto &[op, list] : by_op) table[op] = fit(list);
  return table;
}

// The model's total from a table; -1 when an op kind has no row.
double estimate(const Measured &m, const std::vector<Sample> &samples,
                const std::map<std::string, OpInstructionCost> &table) {
  double total = 0;
  for (size_t i : m.samples) {
    const auto row = table.find(samples[i].op);
    if (row == table.end()) return -1;
    total += static_cast<double>(row->second.instructions(samples[i].shape));
  }
  return total;
}

void read_model(const std::string &name, const std::string &smdl, const std::string &profile,
                std::vector<Sample> *samples, std::vector<Measured> *models) {
  sotto::gw::model::HostModel model(sotto::gw::read_file_bytes(smdl));
  const uint32_t op_count = model.header().op_count;
  std::vector<double> per_op(op_count, -1);
  Measured m;
  m.name = name;
  std::ifstream in(profile);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string first, kind, label;
    words >> first;
    if (first == "op") {
      uint32_t index = 0;
      double n = 0;
      if (!(words >> index >> kind >> label >> n) || index >= op_count) {
        std::string message = profile;
        message.append(": bad line '").append(line).append("'");
        throw std::runtime_error(message);
      }
      per_op[index] = n;
    } else if (first == "direct") {
      words >> m.direct;
    }
  }
  double sum = 0;
  for (uint32_t i = 0; i < op_count; ++i) {
    if (per_op[i] < 0) throw std::runtime_error(profile + ": no count for op " + std::to_string(i));
    sum += per_op[i];
  }
  if (m.direct == 0) throw std::runtime_error(profile + ": no 'direct N' line");
  const double observer = std::max(0.0, (sum - static_cast<double>(m.direct)) / op_count);
  for (uint32_t i = 0; i < op_count; ++i) {
    const sotto_smdl_op_t &op = model.ops()[i];
    m.samples.push_back(samples->size());
    samples->push_back({sotto::gw::model::op_cost_key(op, model.tensors()),
                        sotto::gw::model::op_shape(op, model.tensors()),
                        std::max(0.0, per_op[i] - observer), models->size()});
  }
  models->push_back(m);
}

}  // namespace

int main(int argc, char **argv) {
  std::string target, list, report;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string option = argv[i];
    if (option == "--target") {
      target = argv[i + 1];
    } else if (option == "--list") {
      list = argv[i + 1];
    } else if (option == "--report") {
      report = argv[i + 1];
    }
  }
  if (target.empty() || list.empty() || report.empty()) {
    std::cerr << "usage: sotto-bench-cost-fit --target T --list MODELS.txt --report FIT.json\n";
    return 2;
  }
  try {
    std::vector<Sample> samples;
    std::vector<Measured> models;
    std::ifstream in(list);
    std::string name, smdl, profile;
    while (in >> name >> smdl >> profile) read_model(name, smdl, profile, &samples, &models);
    const auto table = fit_all(samples, models.size());
    for (const auto &[op, c] : table) {
      std::printf("INSTRUCTIONS(\"%s\", \"%s\", %.9g, %.9g, %.9g, %.9g, %.9g, %.9g, %u)\n",
                  target.c_str(), op.c_str(), c.per_call, c.per_mac, c.per_output, c.per_input,
                  c.per_row, c.per_block, c.samples);
    }
    std::ofstream out(report);
    out << "{\"target\": \"" << target << "\", \"models\": {";
    for (size_t k = 0; k < models.size(); ++k) {
      const Measured &m = models[k];
      const double shipped = estimate(m, samples, table);
      const double without = estimate(m, samples, fit_all(samples, k));
      out << (k ? ", " : "") << "\"" << m.name << "\": {\"qemu\": " << m.direct
          << ", \"table\": " << static_cast<uint64_t>(shipped)
          << ", \"table_vs_qemu\": " << shipped / static_cast<double>(m.direct)
          << ", \"table_without_this_model\": ";
      if (without < 0) {
        out << "null, \"table_without_this_model_vs_qemu\": null}";
      } else {
        out << static_cast<uint64_t>(without)
            << ", \"table_without_this_model_vs_qemu\": " << without / static_cast<double>(m.direct)
            << "}";
      }
    }
    out << "}}\n";
  } catch (const std::exception &e) {
    std::cerr << "sotto-bench-cost-fit: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
