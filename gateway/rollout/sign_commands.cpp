// keygen and model sign: argument checking, files in and out, one line of result. The signing
// itself is in signing_key.cpp and bundle.cpp.
#include "sign_commands.h"

#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>

#include "bundle.h"
#include "signing_key.h"
#include "sotto/device.h"

namespace sotto::gw {
namespace {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// --name VALUE pairs plus positionals; every option takes a value.
struct ParsedArgs {
  std::map<std::string, std::string> options;
  std::vector<std::string> positionals;
};

ParsedArgs parse(const std::vector<std::string> &args, const std::vector<std::string> &known) {
  ParsedArgs parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &word = args[i];
    if (word.size() > 1 && word[0] == '-') {
      bool is_known = false;
      for (const auto &name : known) {
        is_known = is_known || name == word;
      }
      if (!is_known) {
        throw UsageError("unknown option " + word);
      }
      if (i + 1 >= args.size()) {
        throw UsageError(word + " needs a value");
      }
      parsed.options[word] = args[++i];
    } else {
      parsed.positionals.push_back(word);
    }
  }
  return parsed;
}

const std::string &required(const ParsedArgs &parsed, const std::string &name) {
  auto it = parsed.options.find(name);
  if (it == parsed.options.end()) {
    throw UsageError("missing " + name);
  }
  return it->second;
}

uint64_t number(const ParsedArgs &parsed, const std::string &name, uint64_t fallback,
                uint64_t max) {
  auto it = parsed.options.find(name);
  if (it == parsed.options.end()) {
    return fallback;
  }
  const std::string &text = it->second;
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

std::vector<uint8_t> read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + path);
  }
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// Written beside the target and renamed over it: a bundle file is complete or absent.
void write_file_atomically(const std::string &path, const std::vector<uint8_t> &bytes) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char *>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) {
      throw std::runtime_error("cannot write " + temp);
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    throw std::runtime_error("cannot rename " + temp + " to " + path);
  }
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
    ParsedArgs parsed = parse(args, {"--out"});
    if (!parsed.positionals.empty()) {
      throw UsageError("unexpected " + parsed.positionals[0]);
    }
    const std::string &dir = required(parsed, "--out");
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
    ParsedArgs parsed = parse(args, {"--key", "--version", "--target-class", "-o", "--model-id",
                                     "--min-sdk", "--self-test-seed", "--expected-output-sha256"});
    if (parsed.positionals.size() != 1) {
      throw UsageError("expected exactly one MODEL file");
    }
    ManifestFields fields;
    fields.version = static_cast<uint32_t>(number(parsed, "--version", 0, UINT32_MAX));
    if (fields.version == 0) {
      throw UsageError("--version must be given and above 0");
    }
    required(parsed, "--target-class");
    fields.device_class = static_cast<uint8_t>(number(parsed, "--target-class", 0, UINT8_MAX));
    fields.model_id = static_cast<uint16_t>(number(parsed, "--model-id", 1, UINT16_MAX));
    fields.min_sdk_version =
        static_cast<uint32_t>(number(parsed, "--min-sdk", SOTTO_SDK_VERSION, UINT32_MAX));
    fields.self_test_input_seed =
        number(parsed, "--self-test-seed", 0x736f74746f000000ull + fields.version, UINT64_MAX);
    const std::string &key_path = required(parsed, "--key");
    const std::string &bundle_path = required(parsed, "-o");
    std::vector<uint8_t> model = read_file(parsed.positionals[0]);
    auto expected = parsed.options.find("--expected-output-sha256");
    if (expected != parsed.options.end()) {
      fields.self_test_output_sha256 = parse_sha256_hex(expected->second);
    } else if (self_test) {
      fields.self_test_output_sha256 = self_test(model, fields.self_test_input_seed);
    } else {
      throw UsageError("no inference engine linked: give --expected-output-sha256");
    }
    SigningKey key = SigningKey::load_private_pem_file(key_path);
    const std::vector<uint8_t> bytes = serialize_bundle(make_bundle(key, fields, model));
    write_file_atomically(bundle_path, bytes);
    auto digest = sha256_of(model);
    out << "signed " << parsed.positionals[0] << ": model " << fields.model_id << " version "
        << fields.version << " class " << unsigned{fields.device_class} << ", " << model.size()
        << " bytes, sha256 " << hex(digest.data(), digest.size()) << ", key id " << std::hex
        << std::setw(8) << std::setfill('0') << key.key_id() << std::dec << " -> " << bundle_path
        << " (" << bytes.size() << " bytes)\n";
    return 0;
  });
}

}  // namespace sotto::gw
