// LiveCodeBench's stdin comparison rules (testing_util.py grade_stdio), checked against values worked
// out by hand from Python's str.strip/str.split and decimal.Decimal semantics.
#include <gtest/gtest.h>

#include "hrm/eval/lcb_compare.hpp"

namespace lcb = hrm::eval::lcb;

TEST(LcbCompare, StripsLikePython) {
  EXPECT_EQ(lcb::py_strip("  a b \n\t"), "a b");
  EXPECT_EQ(lcb::py_strip("\x1c\x0b a\xc2\xa0"), "a");         // \x1c, \v and NBSP are Python whitespace
  EXPECT_EQ(lcb::py_strip("\xe3\x80\x80x\xe2\x80\x83"), "x");  // U+3000, U+2003
  EXPECT_EQ(lcb::py_strip("\xe2\x80\x8bx"), "\xe2\x80\x8bx");  // U+200B is not whitespace in Python
  const auto parts = lcb::py_split(
      " 1  2\t3\xc2\xa0"
      "4 ");
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[3], "4");
}

TEST(LcbCompare, SplitsIntoStrippedLines) {
  const auto lines = lcb::stripped_lines("\n 1 2 \r\n3\n\n");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "1 2");
  EXPECT_EQ(lines[1], "3");
  EXPECT_EQ(lcb::stripped_lines("").size(), 1u);  // "".split("\n") == [""]
}

TEST(LcbCompare, ParsesDecimalsAsPythonDecimal) {
  auto eq = [](const char* a, const char* b) { return *lcb::parse_decimal(a) == *lcb::parse_decimal(b); };
  EXPECT_TRUE(eq("1.50", "1.5"));
  EXPECT_TRUE(eq("1e2", "100"));
  EXPECT_TRUE(eq("-0", "0.000"));
  EXPECT_TRUE(eq(".5", "0.5"));
  EXPECT_TRUE(eq("5.", "5"));
  EXPECT_TRUE(eq("1_000", "1000"));  // CPython's Decimal() drops underscores
  EXPECT_TRUE(eq("inf", "Infinity"));
  EXPECT_FALSE(eq("-inf", "inf"));
  EXPECT_FALSE(eq("nan", "nan"));
  EXPECT_FALSE(eq("50000000000000000", "50000000000000001"));  // exact, unlike a float comparison
  EXPECT_FALSE(eq("0.1", "0.10000000000000001"));
  EXPECT_FALSE(lcb::parse_decimal("1e"));
  EXPECT_FALSE(lcb::parse_decimal("e5"));
  EXPECT_FALSE(lcb::parse_decimal("0x10"));
  EXPECT_FALSE(lcb::parse_decimal("."));
  EXPECT_FALSE(lcb::parse_decimal("YES"));
  EXPECT_TRUE(lcb::parse_decimal("sNaN12"));
}

TEST(LcbCompare, AcceptsAndRejectsOutputsAsLiveCodeBench) {
  EXPECT_TRUE(lcb::outputs_match("3\n", "3"));
  EXPECT_TRUE(lcb::outputs_match("  1 2  \n3   \n\n\n", "1 2\n3\n"));
  EXPECT_TRUE(lcb::outputs_match("2.5\n", "2.500\n"));
  EXPECT_TRUE(lcb::outputs_match("1 2.0 3e0\n", "1 2 3\n"));
  EXPECT_TRUE(lcb::outputs_match("Yes\r\n", "Yes\n"));
  std::string why;
  EXPECT_FALSE(lcb::outputs_match("1 2\n3\n", "1 2 3\n", &why));
  EXPECT_EQ(why, "Wrong answer: mismatched output length");
  EXPECT_FALSE(lcb::outputs_match("1.3333333\n", "1.333\n", &why));
  EXPECT_EQ(why, "Wrong answer at output_line_idx=0: 1.3333333 != 1.333");
  EXPECT_FALSE(lcb::outputs_match("1  2", "1 2 0", &why));  // token counts differ
  EXPECT_FALSE(lcb::outputs_match("yes", "Yes"));           // text is case-sensitive
  EXPECT_FALSE(lcb::outputs_match("1 2", "1\n2"));
  EXPECT_TRUE(lcb::outputs_match("", "\n"));
}

TEST(LcbCompare, TruncatesInTheMiddleByCodePoints) {
  EXPECT_EQ(lcb::truncate_middle("short"), "short");
  const std::string s = std::string(200, 'a') + std::string(200, 'b');
  EXPECT_EQ(lcb::truncate_middle(s), std::string(150, 'a') + "...(truncated) ..." + std::string(150, 'b'));
  std::string wide;
  for (int i = 0; i < 301; ++i) wide += "\xc3\xa9";
  const std::string t = lcb::truncate_middle(wide);
  EXPECT_EQ(t.substr(0, 300), wide.substr(0, 300));  // 150 code points of 2 bytes
  EXPECT_EQ(t.size(), 600u + 18u);
}
