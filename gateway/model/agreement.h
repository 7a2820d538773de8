// How closely a quantized .smdl follows its float model: both run on the same samples (the
// .smdl on the SDK's own engine, the float graph on the reference evaluator), compared per
// output head: top-1 agreement for a SOFTMAX head (classes), Pearson correlation and mean
// absolute error for every other output (scores).
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "float_graph.h"

namespace sotto::gw::model {

struct ClassAgreement {
  size_t begin = 0, end = 0;  // output elements [begin, end) hold the classes
  size_t agreeing = 0;        // samples whose float and int8 top-1 class are the same
};

struct ScoreAgreement {
  size_t output = 0;
  double correlation = 0;  // NaN when either side is constant over the set
  double mean_abs_error = 0;
};

struct AgreementReport {
  std::string set;  // which samples, as printed: "validation set val.npy"
  size_t samples = 0;
  std::vector<ClassAgreement> classes;
  std::vector<ScoreAgreement> scores;
};

// Which output elements are classes (from a SOFTMAX, directly or through CONCATENATION on the
// last axis); every other element is a score.
std::vector<ClassAgreement> class_heads(const fp::Graph &graph, size_t output_elements);

AgreementReport measure_agreement(const fp::Graph &graph, const std::vector<uint8_t> &smdl,
                                  const std::vector<std::vector<float>> &samples,
                                  const std::string &set);

void print_agreement(const AgreementReport &report, std::ostream &out);

}  // namespace sotto::gw::model
