#include "hrm/data/minhash.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <set>
#include <string_view>

#include "hrm/util/error.hpp"

namespace {

std::string random_words(std::mt19937& rng, int n) {
  static const char* vocab[] = {"alpha", "beta", "gamma", "delta", "x", "y", "return", "if",    "for",
                                "(",     ")",    "{",     "}",     "=", "+", "count",  "index", "value",
                                "node",  "list", "map",   "i",     "j", "k", "0",      "1"};
  std::string s;
  for (int i = 0; i < n; ++i) s += std::string(vocab[rng() % std::size(vocab)]) + (rng() % 7 == 0 ? "\n" : " ");
  return s;
}

// The hash of content_hash_hex: hash64 with seeds 1 and 2, 16 hex digits each, most significant first.
std::string two_hashes_hex(std::string_view data) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(hrm::hash64(data, 1)),
                static_cast<unsigned long long>(hrm::hash64(data, 2)));
  return buf;
}

// Corpus hashes must not change between builds or machines. The expected values come from an independent
// implementation of the documented algorithm (Python: splitmix64 finalizer over little-endian 8-byte words,
// the tail and its length in the last word), not from this code's own output.
TEST(Hash, MatchesAnIndependentImplementationOfTheAlgorithm) {
  EXPECT_EQ(hrm::hash64(""), 0x48218226ff3cd4bfULL);
  EXPECT_EQ(hrm::hash64("hello"), 0x4588d26ae050699eULL);
  EXPECT_EQ(hrm::hash64("abcdefgh"), 0xe2800dca2fefeb21ULL);  // one full word, empty tail
  EXPECT_EQ(hrm::hash64(std::string("\0", 1)), 0x3c7cc0f628a5e1b2ULL);
  EXPECT_EQ(hrm::hash64("the quick brown fox"), 0x58f104e85ba3945aULL)
      << std::hex << hrm::hash64("the quick brown fox");
  EXPECT_EQ(hrm::content_hash_hex(""), "dce423fc82c0d5b8e60bbbf6ca094f3c");
  EXPECT_EQ(hrm::content_hash_hex("hello"), "9e74ff72cc1b9624050bfb4579c90d64");
  for (const std::string s : {"", "hello", "the quick brown fox", "abcdefgh"})
    EXPECT_EQ(hrm::content_hash_hex(s), two_hashes_hex(s)) << s;
}

TEST(Hash, IsSensitiveToEveryByteTheLengthAndTheSeed) {
  EXPECT_NE(hrm::hash64("abcdefgh1"), hrm::hash64("abcdefgh2"));
  EXPECT_NE(hrm::hash64("a"), hrm::hash64("a", 1));
  EXPECT_NE(hrm::hash64(std::string("\0", 1)), hrm::hash64(""));
  EXPECT_NE(hrm::hash64(std::string("ab\0", 3)), hrm::hash64("ab"));
}

// The Jaccard similarity of the two texts' sets of `k`-word shingles, computed exactly.
double exact_jaccard(const std::string& a, const std::string& b, size_t k) {
  const auto shingles = [k](const std::string& text) {
    const auto words = hrm::split_words(text);
    std::set<std::string> out;
    for (size_t s = 0; s + k <= words.size(); ++s) {
      std::string shingle;
      for (size_t j = 0; j < k; ++j) shingle += std::string(words[s + j]) + " ";
      out.insert(shingle);
    }
    return out;
  };
  const auto sa = shingles(a), sb = shingles(b);
  size_t common = 0;
  for (const auto& s : sa) common += sb.count(s);
  return static_cast<double>(common) / static_cast<double>(sa.size() + sb.size() - common);
}

TEST(MinHash, EstimatesJaccardAndFindsNearDuplicates) {
  std::mt19937 rng(3);
  hrm::MinHashOptions options;
  const std::string base = random_words(rng, 600);
  // Change a few words: still a near duplicate.
  auto words = hrm::split_words(base);
  std::string edited;
  for (size_t i = 0; i < words.size(); ++i)
    edited += (i % 150 == 7 ? std::string("CHANGED") : std::string(words[i])) + " ";
  const std::string other = random_words(rng, 600);

  const auto sb = hrm::minhash_signature(base, options), se = hrm::minhash_signature(edited, options),
             so = hrm::minhash_signature(other, options);
  ASSERT_EQ(sb.size(), 128u);
  // The estimate is within a few standard errors (sqrt(J(1-J)/128) <= 0.045) of the exact similarity.
  const double near = exact_jaccard(base, edited, 5), far = exact_jaccard(base, other, 5);
  EXPECT_GT(near, 0.85);
  EXPECT_LT(far, 0.3);
  EXPECT_NEAR(hrm::estimated_jaccard(sb, se), near, 0.12);
  EXPECT_NEAR(hrm::estimated_jaccard(sb, so), far, 0.12);
  EXPECT_EQ(hrm::estimated_jaccard(sb, sb), 1.0);
  EXPECT_TRUE(hrm::minhash_signature("too few words", options).empty());

  hrm::NearDupIndex index(options);
  EXPECT_EQ(index.find(sb), -1);
  EXPECT_EQ(index.insert(sb), 0);
  EXPECT_EQ(index.find(se), 0);
  EXPECT_EQ(index.find(so), -1);
  EXPECT_EQ(index.find({}), -1);
  EXPECT_THROW(hrm::NearDupIndex(hrm::MinHashOptions{100, 16, 5, 0.8}), hrm::Error);
}

}  // namespace
