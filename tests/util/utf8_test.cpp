// The one UTF-8 validator: strict by default (no overlongs, surrogates or values above U+10FFFF),
// surrogates accepted on request (Python's pickled str), offsets and lines that errors can name.
#include "hrm/util/utf8.hpp"

#include <gtest/gtest.h>

namespace hrm {
namespace {

TEST(Utf8, FindsTheFirstInvalidByte) {
  EXPECT_TRUE(utf8::is_valid("plain ascii\n"));
  EXPECT_TRUE(utf8::is_valid("\xF0\x9F\x98\x80 \xE2\x82\xAC \xC3\xA9 \xF4\x8F\xBF\xBF"));
  EXPECT_EQ(utf8::first_invalid("ab\xFF"), 2u);
  EXPECT_EQ(utf8::first_invalid("a\xC0\xAF"), 1u);         // overlong
  EXPECT_EQ(utf8::first_invalid("a\xE0\x80\xAF"), 1u);     // overlong
  EXPECT_EQ(utf8::first_invalid("ab\xED\xA0\x80"), 2u);    // surrogate
  EXPECT_EQ(utf8::first_invalid("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(utf8::first_invalid("abc\xE2\x82"), 3u);       // truncated
  EXPECT_EQ(utf8::first_invalid("\x80"), 0u);              // lone continuation
  EXPECT_EQ(utf8::describe_invalid("x\ny\n\xFE"), "invalid UTF-8 at byte offset 4 (line 3, byte 0xfe)");
}

TEST(Utf8, SequenceLengthsOfEachForm) {
  const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  EXPECT_EQ(utf8::sequence_length(text, 0), 1u);
  EXPECT_EQ(utf8::sequence_length(text, 1), 2u);
  EXPECT_EQ(utf8::sequence_length(text, 3), 3u);
  EXPECT_EQ(utf8::sequence_length(text, 6), 4u);
  EXPECT_EQ(utf8::sequence_length(text, 2), 0u);  // a continuation byte starts nothing
  EXPECT_EQ(utf8::sequence_length("\xC3", 0), 0u);
}

TEST(Utf8, SurrogatesOnlyWhenAsked) {
  const std::string lone_high = "x\xED\xA0\x80y", lone_low = "\xED\xBF\xBF";
  EXPECT_FALSE(utf8::is_valid(lone_high));
  EXPECT_TRUE(utf8::is_valid(lone_high, utf8::Surrogates::kAccept));
  EXPECT_TRUE(utf8::is_valid(lone_low, utf8::Surrogates::kAccept));
  EXPECT_EQ(utf8::sequence_length(lone_high, 1, utf8::Surrogates::kAccept), 3u);
  // Everything else stays strict.
  EXPECT_EQ(utf8::first_invalid("ok\xC0\xAF", utf8::Surrogates::kAccept), 2u);
  EXPECT_EQ(utf8::first_invalid("\xF4\x90\x80\x80", utf8::Surrogates::kAccept), 0u);
  EXPECT_EQ(utf8::first_invalid("\xED\xA0", utf8::Surrogates::kAccept), 0u);  // truncated
}

}  // namespace
}  // namespace hrm
