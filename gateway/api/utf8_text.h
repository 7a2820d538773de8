// UTF-8 checks for text that came from outside (URLs, headers) and goes back out inside JSON.
// Boost.JSON serializes a string's bytes as they are, so one invalid byte echoed into an error
// message would make the whole reply invalid JSON.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sotto::gw {

// The offset of the first byte that does not begin a well-formed UTF-8 sequence (overlong
// forms, surrogates and code points above U+10FFFF are not well-formed); nullopt when all is.
std::optional<size_t> first_invalid_utf8(std::string_view text);

// text with every byte of an ill-formed sequence written as \xNN (backslash, x, two hex
// digits): always valid UTF-8, and a reader can still see which bytes were sent.
std::string printable_utf8(std::string_view text);

}  // namespace sotto::gw
