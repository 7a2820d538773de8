// Float vs int8 agreement over a sample set (see agreement.h).
#include "agreement.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>

#include "float_eval.h"
#include "host_model.h"

namespace sotto::gw::model {
namespace {

size_t argmax(const std::vector<float> &v, size_t begin, size_t end) {
  return static_cast<size_t>(
      std::max_element(v.begin() + static_cast<long>(begin), v.begin() + static_cast<long>(end)) -
      v.begin());
}

double pearson(const std::vector<double> &a, const std::vector<double> &b) {
  const double n = static_cast<double>(a.size());
  double ma = 0, mb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  double cov = 0, va = 0, vb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    cov += (a[i] - ma) * (b[i] - mb);
    va += (a[i] - ma) * (a[i] - ma);
    vb += (b[i] - mb) * (b[i] - mb);
  }
  if (va <= 0 || vb <= 0) return std::numeric_limits<double>::quiet_NaN();
  return cov / std::sqrt(va * vb);
}

}  // namespace

std::vector<ClassAgreement> class_heads(const fp::Graph &graph, size_t output_elements) {
  const int32_t last = graph.producer(graph.output);
  if (last < 0) return {};
  const fp::Op &op = graph.ops[static_cast<size_t>(last)];
  if (op.kind == fp::OpKind::kSoftmax) return {{0, output_elements, 0}};
  const std::vector<int32_t> &shape = graph.tensors[static_cast<size_t>(graph.output)].shape;
  const bool last_axis = op.axis == static_cast<int32_t>(shape.size()) - 1;
  if (op.kind != fp::OpKind::kConcatenation || !last_axis ||
      output_elements != static_cast<size_t>(shape.back()))
    return {};
  std::vector<ClassAgreement> heads;
  size_t at = 0;
  for (int32_t t : op.inputs) {
    const size_t width = static_cast<size_t>(graph.tensors[static_cast<size_t>(t)].shape.back());
    const int32_t from = graph.producer(t);
    if (from >= 0 && graph.ops[static_cast<size_t>(from)].kind == fp::OpKind::kSoftmax) {
      heads.push_back({at, at + width, 0});
    }
    at += width;
  }
  return heads;
}

AgreementReport measure_agreement(const fp::Graph &graph, const std::vector<uint8_t> &smdl,
                                  const std::vector<std::vector<float>> &samples,
                                  const std::string &set) {
  AgreementReport report;
  report.set = set;
  report.samples = samples.size();
  fp::Evaluator reference(graph);
  HostModel quantized(smdl);
  const size_t outputs = graph.tensors[static_cast<size_t>(graph.output)].elements();
  report.classes = class_heads(graph, outputs);
  std::vector<bool> is_class(outputs, false);
  for (const ClassAgreement &h : report.classes) {
    for (size_t i = h.begin; i < h.end; ++i) is_class[i] = true;
  }
  std::vector<std::vector<double>> float_scores(outputs), int8_scores(outputs);
  for (const std::vector<float> &sample : samples) {
    const std::vector<float> want = reference.run(sample);
    const std::vector<float> got = quantized.run_float(sample);
    for (ClassAgreement &h : report.classes) {
      h.agreeing += argmax(want, h.begin, h.end) == argmax(got, h.begin, h.end);
    }
    for (size_t i = 0; i < outputs; ++i) {
      if (is_class[i]) continue;
      float_scores[i].push_back(want[i]);
      int8_scores[i].push_back(got[i]);
    }
  }
  for (size_t i = 0; i < outputs; ++i) {
    if (is_class[i]) continue;
    ScoreAgreement s;
    s.output = i;
    s.correlation = pearson(float_scores[i], int8_scores[i]);
    for (size_t k = 0; k < samples.size(); ++k) {
      s.mean_abs_error +=
          std::fabs(float_scores[i][k] - int8_scores[i][k]) / static_cast<double>(samples.size());
    }
    report.scores.push_back(s);
  }
  return report;
}

void print_agreement(const AgreementReport &r, std::ostream &out) {
  out << "float vs int8 on the " << r.set << " (" << r.samples << " samples):\n";
  const auto old_precision = out.precision();
  out << std::fixed;
  for (const ClassAgreement &h : r.classes) {
    out << "  outputs " << h.begin << "-" << h.end - 1 << " (classes): top-1 agreement "
        << std::setprecision(2)
        << 100.0 * static_cast<double>(h.agreeing) / static_cast<double>(r.samples) << " % ("
        << h.agreeing << "/" << r.samples << ")\n";
  }
  for (const ScoreAgreement &s : r.scores) {
    out << "  output " << s.output << " (score): correlation ";
    if (std::isnan(s.correlation)) {
      out << "n/a (constant over the set)";
    } else {
      out << std::setprecision(4) << s.correlation;
    }
    out << ", mean absolute error " << std::setprecision(4) << s.mean_abs_error << "\n";
  }
  out.unsetf(std::ios::fixed);
  out.precision(old_precision);
}

}  // namespace sotto::gw::model
