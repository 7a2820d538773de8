// UTF-8 validation and the printable form of text that is not (gateway/api/utf8_text.h).
#include <gtest/gtest.h>

#include "utf8_text.h"

namespace sotto::gw {
namespace {

TEST(Utf8Text, WellFormedTextPasses) {
  for (const std::string text : {"", "farm-north", "caf\xc3\xa9", "\xe2\x82\xac 5",
                                 "\xf0\x9f\x8c\xb1", "\xed\x9f\xbf", "\xf4\x8f\xbf\xbf"}) {
    EXPECT_FALSE(first_invalid_utf8(text)) << text;
    EXPECT_EQ(printable_utf8(text), text);
  }
}

TEST(Utf8Text, IllFormedBytesAreFoundAndShownAsHex) {
  EXPECT_EQ(first_invalid_utf8("ab\xff"), 2u);
  EXPECT_EQ(first_invalid_utf8("\xc0\xaf"), 0u);          // overlong '/'
  EXPECT_EQ(first_invalid_utf8("\xe0\x80\xaf"), 0u);      // overlong '/'
  EXPECT_EQ(first_invalid_utf8("x\xed\xa0\x80"), 1u);     // a UTF-16 surrogate
  EXPECT_EQ(first_invalid_utf8("\xf4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(first_invalid_utf8("\xc3"), 0u);              // cut short
  EXPECT_EQ(first_invalid_utf8("\x80"), 0u);              // a lone continuation byte
  EXPECT_EQ(printable_utf8("device=\xff\xfe!"), "device=\\xFF\\xFE!");
  EXPECT_EQ(printable_utf8("caf\xc3"), "caf\\xC3");
  EXPECT_FALSE(first_invalid_utf8(printable_utf8("\xc0\xaf\xed\xa0\x80")));
}

}  // namespace
}  // namespace sotto::gw
