// sotto-dataset: writes a site kind's labelled training and held-out sets as .npy files for
// the training script (deploy/train/train.py) and for `sottoctl model import --calibration`.
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli_arguments.h"
#include "dataset.h"
#include "file_bytes.h"
#include "npy.h"

namespace {

constexpr const char *kUsage =
    "usage: sotto-dataset --kind agri|industrial|wearable --out DIR [--train N] [--heldout N] "
    "[--seed S]\n"
    "writes DIR/<kind>_{train,heldout}_{x,y}.npy (float32, samples on the first axis)\n";

void write(const std::string &path, const std::vector<int64_t> &shape,
           const std::vector<float> &v) {
  const std::vector<uint8_t> bytes = sotto::gw::encode_npy(shape, v);
  sotto::gw::write_file_atomically(path, bytes.data(), bytes.size());
}

}  // namespace

int main(int argc, char **argv) {
  using namespace sotto::gw;
  try {
    const Arguments arguments(std::vector<std::string>(argv + 1, argv + argc),
                              {"--kind", "--out", "--train", "--heldout", "--seed"});
    arguments.positionals({});
    const auto kind_name = arguments.value("--kind");
    const auto out = arguments.value("--out");
    if (!kind_name || !out) throw UsageError("missing --kind or --out");
    sim::SiteKind kind;
    try {
      kind = sim::parse_site_kind(*kind_name);
    } catch (const std::invalid_argument &e) {
      throw UsageError(std::string("--kind: ") + e.what());
    }
    const auto train = static_cast<size_t>(arguments.integer("--train", 1, 1000000, 4000));
    const auto heldout = static_cast<size_t>(arguments.integer("--heldout", 1, 1000000, 1000));
    const auto seed = static_cast<uint64_t>(arguments.integer("--seed", 0, INT64_MAX, 1));
    for (const auto &[split, n, name] : {std::tuple{sim::Split::kTrain, train, "train"},
                                         std::tuple{sim::Split::kHeldOut, heldout, "heldout"}}) {
      const sim::Dataset d = sim::make_dataset(kind, seed, split, n);
      const std::string stem = *out + "/" + *kind_name + "_" + name;
      write(stem + "_x.npy", d.x_shape, d.x);
      write(stem + "_y.npy", d.y_shape, d.y);
      double positives[2] = {0, 0};
      for (size_t i = 0; i < d.y.size(); i += 2) {
        positives[0] += d.y[i] > 0 ? 1 : 0;
        positives[1] += d.y[i + 1] > 0 ? 1 : 0;
      }
      std::cout << stem << "_{x,y}.npy: " << n << " samples, labels non-zero " << positives[0]
                << " / " << positives[1] << "\n";
    }
    return 0;
  } catch (const UsageError &e) {
    std::cerr << "sotto-dataset: " << e.what() << "\n" << kUsage;
    return 2;
  } catch (const std::exception &e) {
    std::cerr << "sotto-dataset: " << e.what() << "\n";
    return 1;
  }
}
