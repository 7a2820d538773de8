// Parses the fleet's topic shape sotto/v1/<site>/<device>/<channel>.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sotto::gw {

enum class Channel { kEvent, kHealth, kOtaStatus };

struct Topic {
  std::string site;
  std::string device;
  Channel channel;
};

// True for ids matching [a-z0-9][a-z0-9-]{0,31}.
bool is_valid_id(std::string_view id);
// nullopt for any other shape, an invalid id or an unknown channel.
std::optional<Topic> parse_topic(std::string_view topic);

}  // namespace sotto::gw
