#include "hrm/data/minhash.hpp"

#include <gtest/gtest.h>

#include <random>

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

TEST(Hash, IsStableAcrossRunsAndSensitiveToEveryByte) {
  // Fixed values: corpus hashes must not change between builds or machines.
  EXPECT_EQ(hrm::content_hash_hex(""), hrm::content_hash_hex(""));
  EXPECT_EQ(hrm::content_hash_hex("hello").size(), 32u);
  EXPECT_NE(hrm::hash64("abcdefgh1"), hrm::hash64("abcdefgh2"));
  EXPECT_NE(hrm::hash64("a"), hrm::hash64("a", 1));
  EXPECT_NE(hrm::hash64(std::string("\0", 1)), hrm::hash64(""));
  EXPECT_EQ(hrm::hash64("the quick brown fox"), 0x58f104e85ba3945aULL)
      << std::hex << hrm::hash64("the quick brown fox");
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
  EXPECT_GT(hrm::estimated_jaccard(sb, se), 0.85);
  EXPECT_LT(hrm::estimated_jaccard(sb, so), 0.3);
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
