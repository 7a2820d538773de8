// Topic parsing: the shape is fixed, so a split and three checks are all it takes.
#include "topic.h"

#include <vector>

namespace sotto::gw {

bool is_valid_id(std::string_view id) {
  if (id.empty() || id.size() > 32) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > 0);
    if (!ok) return false;
  }
  return true;
}

std::optional<Topic> parse_topic(std::string_view topic) {
  std::vector<std::string_view> levels;
  size_t start = 0;
  while (true) {
    size_t slash = topic.find('/', start);
    levels.push_back(topic.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (levels.size() < 5 || levels[0] != "sotto" || levels[1] != "v1") return std::nullopt;
  if (!is_valid_id(levels[2]) || !is_valid_id(levels[3])) return std::nullopt;
  Channel channel;
  if (levels.size() == 5 && levels[4] == "event") {
    channel = Channel::kEvent;
  } else if (levels.size() == 5 && levels[4] == "health") {
    channel = Channel::kHealth;
  } else if (levels.size() == 6 && levels[4] == "ota" && levels[5] == "status") {
    channel = Channel::kOtaStatus;
  } else {
    return std::nullopt;
  }
  return Topic{std::string(levels[2]), std::string(levels[3]), channel};
}

}  // namespace sotto::gw
