// Content hashing for deduplication: a stable 64-bit hash (exact duplicates, n-gram sets) and MinHash
// signatures with LSH banding (near duplicates). Stable means: the same on every machine and run, so
// corpus builds are reproducible.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hrm {

// A 64-bit hash of `data` (a seeded multiply–xorshift mix over 8-byte words); not cryptographic.
uint64_t hash64(std::string_view data, uint64_t seed = 0);
// 128 bits as 32 hex digits: two independent hash64 values, for exact-duplicate keys.
std::string content_hash_hex(std::string_view data);

// Whitespace-separated words of `text` (views into it).
std::vector<std::string_view> split_words(std::string_view text);

struct MinHashOptions {
  int num_perm = 128;      // signature length
  int bands = 16;          // LSH bands; num_perm must be a multiple (rows = num_perm / bands)
  int shingle_words = 5;   // a shingle is this many consecutive words
  double threshold = 0.8;  // near duplicate when the estimated Jaccard similarity is at least this
};

// A MinHash signature of the set of word shingles of `text`; empty when the text has fewer words than
// one shingle (such texts take part in exact dedup only).
std::vector<uint32_t> minhash_signature(std::string_view text, const MinHashOptions& options);
// Fraction of equal positions: an estimate of the Jaccard similarity of the two shingle sets.
double estimated_jaccard(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b);

// Near-duplicate index: LSH buckets over signatures; candidates sharing a bucket are confirmed by
// their estimated Jaccard similarity.
class NearDupIndex {
 public:
  explicit NearDupIndex(MinHashOptions options);
  // Index of the first inserted document that is a near duplicate of `signature`, or -1.
  long find(const std::vector<uint32_t>& signature) const;
  // Adds a document (returns its index).
  long insert(std::vector<uint32_t> signature);
  size_t size() const { return signatures_.size(); }

 private:
  uint64_t band_key(const std::vector<uint32_t>& signature, int band) const;
  MinHashOptions options_;
  std::vector<std::vector<uint32_t>> signatures_;
  std::vector<std::unordered_map<uint64_t, std::vector<long>>> buckets_;  // one map per band
};

}  // namespace hrm
