#include "hrm/data/minhash.hpp"

#include <cstring>
#include <limits>

#include "hrm/util/error.hpp"

namespace hrm {

namespace {

inline uint64_t mix(uint64_t x) {  // splitmix64 finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

uint64_t hash64(std::string_view data, uint64_t seed) {
  uint64_t h = mix(seed + 0x9e3779b97f4a7c15ULL + data.size());
  size_t i = 0;
  for (; i + 8 <= data.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, data.data() + i, 8);
    h = mix(h ^ w) + 0x9e3779b97f4a7c15ULL;
  }
  uint64_t tail = 0;
  for (size_t k = 0; i + k < data.size(); ++k) tail |= uint64_t(static_cast<unsigned char>(data[i + k])) << (8 * k);
  return mix(h ^ tail ^ (uint64_t(data.size() - i) << 56));
}

std::string content_hash_hex(std::string_view data) {
  static const char* digits = "0123456789abcdef";
  std::string out(32, '0');
  const uint64_t parts[2] = {hash64(data, 1), hash64(data, 2)};
  for (int p = 0; p < 2; ++p) {
    for (int i = 0; i < 16; ++i) out[static_cast<size_t>(p * 16 + i)] = digits[(parts[p] >> (60 - 4 * i)) & 0xF];
  }
  return out;
}

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (i < text.size()) {
    while (i < text.size() && space(text[i])) ++i;
    const size_t b = i;
    while (i < text.size() && !space(text[i])) ++i;
    if (i > b) words.push_back(text.substr(b, i - b));
  }
  return words;
}

std::vector<uint32_t> minhash_signature(std::string_view text, const MinHashOptions& options) {
  const auto words = split_words(text);
  const size_t k = static_cast<size_t>(options.shingle_words);
  if (words.size() < k) return {};
  const size_t n = static_cast<size_t>(options.num_perm);
  // Permutation i of a shingle hash h: the high 32 bits of (a_i * h + b_i), a_i odd.
  static thread_local std::vector<uint64_t> a, b;
  if (a.size() != n) {
    a.resize(n);
    b.resize(n);
    for (size_t i = 0; i < n; ++i) {
      a[i] = mix(0x1234 + 2 * i) | 1;
      b[i] = mix(0x5678 + 2 * i + 1);
    }
  }
  std::vector<uint32_t> sig(n, std::numeric_limits<uint32_t>::max());
  std::vector<uint64_t> word_hash(words.size());
  for (size_t i = 0; i < words.size(); ++i) word_hash[i] = hash64(words[i]);
  for (size_t s = 0; s + k <= words.size(); ++s) {
    uint64_t h = 0;
    for (size_t j = 0; j < k; ++j) h = mix(h ^ word_hash[s + j]);
    for (size_t i = 0; i < n; ++i) {
      const uint32_t v = static_cast<uint32_t>((a[i] * h + b[i]) >> 32);
      if (v < sig[i]) sig[i] = v;
    }
  }
  return sig;
}

double estimated_jaccard(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  if (a.empty() || a.size() != b.size()) return 0.0;
  size_t same = 0;
  for (size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
  return static_cast<double>(same) / static_cast<double>(a.size());
}

NearDupIndex::NearDupIndex(MinHashOptions options) : options_(options) {
  if (options_.num_perm <= 0 || options_.bands <= 0 || options_.num_perm % options_.bands != 0) {
    throw Error("MinHash num_perm (" + std::to_string(options_.num_perm) + ") must be a positive multiple of bands (" +
                std::to_string(options_.bands) + ")");
  }
  buckets_.resize(static_cast<size_t>(options_.bands));
}

uint64_t NearDupIndex::band_key(const std::vector<uint32_t>& signature, int band) const {
  const int rows = options_.num_perm / options_.bands;
  const auto* p = reinterpret_cast<const char*>(signature.data() + band * rows);
  return hash64(std::string_view(p, sizeof(uint32_t) * static_cast<size_t>(rows)), static_cast<uint64_t>(band));
}

long NearDupIndex::find(const std::vector<uint32_t>& signature) const {
  if (signature.empty()) return -1;
  // Big buckets (boilerplate shared by many files) are checked up to a bound to keep this linear.
  constexpr size_t kMaxChecksPerBucket = 64;
  for (int band = 0; band < options_.bands; ++band) {
    const auto& map = buckets_[static_cast<size_t>(band)];
    const auto it = map.find(band_key(signature, band));
    if (it == map.end()) continue;
    size_t checked = 0;
    for (long idx : it->second) {
      if (++checked > kMaxChecksPerBucket) break;
      if (estimated_jaccard(signature, signatures_[static_cast<size_t>(idx)]) >= options_.threshold) return idx;
    }
  }
  return -1;
}

long NearDupIndex::insert(std::vector<uint32_t> signature) {
  const long idx = static_cast<long>(signatures_.size());
  if (!signature.empty()) {
    for (int band = 0; band < options_.bands; ++band)
      buckets_[static_cast<size_t>(band)][band_key(signature, band)].push_back(idx);
  }
  signatures_.push_back(std::move(signature));
  return idx;
}

}  // namespace hrm
