// keygen and model sign: argument checking, files in and out, one line of result. The signing
// itself is in signing_key.cpp and bundle.cpp.
#include "sign_commands.h"

#include <cstdio>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "bundle.h"
#include "cli_arguments.h"
#include "file_bytes.h"
#include "model_sdk_floor.h"
#include "signing_key.h"
#include "sotto/device.h"

namespace sotto::gw {
namespace {

std::string required(const Arguments &arguments, const std::string &name) {
  auto value = arguments.value(name);
  if (!value) throw UsageError("missing " + name);
  return *value;
}

// Unsigned up to 64 bits and in any base stoull reads (0x... for seeds): wider than
// Arguments::integer.
uint64_t number(const Arguments &arguments, const std::string &name, uint64_t fallback,
                uint64_t max) {
  const auto given = arguments.value(name);
  if (!given) return fallback;
  const std::string &text = *given;
  size_t used = 0;
  unsigned long long value = 0;
  try {
    value = std::stoull(text, &used, 0);
  } catch (const std::exception &) {
    used = 0;
  }
  if (used == 0 || used != text.size() || text[0] == '-' || value > max) {
    throw UsageError(name + " " + text + ": expected a number 0.." + std::to_string(max));
  }
  return value;
}

std::array<uint8_t, 32> parse_sha256_hex(const std::string &text) {
  std::array<uint8_t, 32> out{};
  if (text.size() != 64) {
    throw UsageError("--expected-output-sha256: expected 64 hex digits");
  }
  for (size_t i = 0; i < 32; ++i) {
    unsigned value = 0;
    if (std::sscanf(text.c_str() + 2 * i, "%2x", &value) != 1) {
      throw UsageError("--expected-output-sha256: not hex at digit " + std::to_string(2 * i));
    }
    out[i] = static_cast<uint8_t>(value);
  }
  return out;
}

// "0.2.0" for SOTTO_SDK_VERSION's numbering, 200.
std::string sdk_text(uint32_t version) {
  return std::to_string(version / 10000) + "." + std::to_string(version / 100 % 100) + "." +
         std::to_string(version % 100);
}

std::string hex(const uint8_t *bytes, size_t len) {
  std::ostringstream out;
  for (size_t i = 0; i < len; ++i) {
    out << std::hex << std::setw(2) << std::setfill('0') << static_cast<unsigned>(bytes[i]);
  }
  return out.str();
}

template <typename Body>
int guarded(const char *usage, std::ostream &err, Body body) {
  try {
    return body();
  } catch (const UsageError &error) {
    err << "error: " << error.what() << "\nusage: " << usage << "\n";
    return 2;
  } catch (const std::exception &error) {
    err << "error: " << error.what() << "\n";
    return 1;
  }
}

}  // namespace

int keygen_command(const std::vector<std::string> &args, std::ostream &out, std::ostream &err) {
  return guarded("sottoctl keygen --out DIR", err, [&] {
    const Arguments arguments(args, {"--out"});
    arguments.positionals({});
    const std::string dir = required(arguments, "--out");
    SigningKey key = SigningKey::generate();
    write_key_pair(dir, key);
    out << "wrote " << dir << "/signing_key.pem (mode 0600) and " << dir
        << "/signing_key.pub.pem, key id " << std::hex << std::setw(8) << std::setfill('0')
        << key.key_id() << std::dec << "\n";
    return 0;
  });
}

int model_sign_command(const std::vector<std::string> &args, std::ostream &out, std::ostream &err,
                       const SelfTestRunner &self_test) {
  const char *usage =
      "sottoctl model sign MODEL.smdl --key KEY --version N --target-class CLASS -o BUNDLE "
      "[--model-id N] [--min-sdk N] [--self-test-seed N] [--expected-output-sha256 HEX]";
  return guarded(usage, err, [&] {
    const Arguments arguments(args, {"--key", "--version", "--target-class", "-o", "--model-id",
                                     "--min-sdk", "--self-test-seed", "--expected-output-sha256"});
    const std::string model_path = arguments.positionals({"MODEL"})[0];
    ManifestFields fields;
    fields.version = static_cast<uint32_t>(number(arguments, "--version", 0, UINT32_MAX));
    if (fields.version == 0) {
      throw UsageError("--version must be given and above 0");
    }
    required(arguments, "--target-class");
    fields.device_class = static_cast<uint8_t>(number(arguments, "--target-class", 0, UINT8_MAX));
    fields.model_id = static_cast<uint16_t>(number(arguments, "--model-id", 1, UINT16_MAX));
    fields.min_sdk_version =
        static_cast<uint32_t>(number(arguments, "--min-sdk", SOTTO_SDK_VERSION, UINT32_MAX));
    fields.self_test_input_seed =
        number(arguments, "--self-test-seed", 0x736f74746f000000ull + fields.version, UINT64_MAX);
    const std::string key_path = required(arguments, "--key");
    const std::string bundle_path = required(arguments, "-o");
    std::vector<uint8_t> model = read_file_bytes(model_path);
    const auto expected = arguments.value("--expected-output-sha256");
    if (expected) {
      fields.self_test_output_sha256 = parse_sha256_hex(*expected);
    } else if (!self_test) {
      throw UsageError("no inference engine linked: give --expected-output-sha256");
    }
    if (self_test) {
      // A bundle no device could activate is refused here, not discovered wave by wave.
      std::array<uint8_t, 32> computed{};
      try {
        computed = self_test(model, fields.self_test_input_seed);
      } catch (const std::exception &error) {
        throw std::runtime_error(model_path + ": " + error.what());
      }
      if (expected && computed != fields.self_test_output_sha256) {
        throw std::runtime_error(model_path + ": self-test output sha256 is " +
                                 hex(computed.data(), computed.size()) +
                                 ", not the --expected-output-sha256 " + *expected);
      }
      fields.self_test_output_sha256 = computed;
    }
    // Firmware older than the blob's floor would accept the offer, download the model and then
    // refuse it: such a bundle is refused here, with the import option that avoids the need.
    ModelSdkFloor floor;
    try {
      floor = model_sdk_floor(model);
    } catch (const std::exception &error) {
      throw std::runtime_error(model_path + ": " + error.what());
    }
    if (fields.min_sdk_version < floor.sdk_version) {
      throw UsageError(model_path + " needs SDK " + sdk_text(floor.sdk_version) + " or later (" +
                       floor.needs + "): --min-sdk " + std::to_string(fields.min_sdk_version) +
                       " would offer it to firmware that cannot run it");
    }
    SigningKey key = SigningKey::load_private_pem_file(key_path);
    const std::vector<uint8_t> bytes = serialize_bundle(make_bundle(key, fields, model));
    write_file_atomically(bundle_path, bytes.data(), bytes.size());
    auto digest = sha256_of(model);
    out << "signed " << model_path << ": model " << fields.model_id << " version " << fields.version
        << " class " << unsigned{fields.device_class} << ", " << model.size() << " bytes, sha256 "
        << hex(digest.data(), digest.size()) << ", key id " << std::hex << std::setw(8)
        << std::setfill('0') << key.key_id() << std::dec << " -> " << bundle_path << " ("
        << bytes.size() << " bytes)\n";
    return 0;
  });
}

}  // namespace sotto::gw
