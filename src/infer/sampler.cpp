#include "hrm/infer/sampler.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "hrm/util/error.hpp"

namespace hrm::infer {

void validate(const SamplingParams& p) {
  HRM_CHECK(std::isfinite(p.temperature) && p.temperature >= 0,
            "temperature must be >= 0 (got " + std::to_string(p.temperature) + ")", "0 means greedy decoding");
  HRM_CHECK(p.top_p > 0 && p.top_p <= 1, "top_p must be in (0, 1] (got " + std::to_string(p.top_p) + ")",
            "1 disables nucleus sampling");
  HRM_CHECK(p.max_new_tokens >= 1, "max_new_tokens must be >= 1 (got " + std::to_string(p.max_new_tokens) + ")");
}

Sampler::Sampler(const SamplingParams& params, uint64_t seed) : params_(params), rng_(seed) { validate(params_); }

int32_t Sampler::sample(const float* logits, int64_t vocab) {
  const auto higher = [logits](int32_t a, int32_t b) {
    return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
  };
  if (params_.temperature <= 0 || params_.top_k == 1) {
    int32_t best = 0;
    for (int32_t i = 1; i < vocab; ++i) {
      if (higher(i, best)) best = i;
    }
    return best;
  }
  order_.resize(static_cast<size_t>(vocab));
  std::iota(order_.begin(), order_.end(), 0);
  auto keep = static_cast<size_t>(params_.top_k > 0 ? std::min<int64_t>(params_.top_k, vocab) : vocab);
  std::partial_sort(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(keep), order_.end(), higher);
  const double top = logits[order_[0]];
  weights_.resize(keep);
  double total = 0;
  for (size_t i = 0; i < keep; ++i) total += weights_[i] = std::exp((logits[order_[i]] - top) / params_.temperature);
  if (params_.top_p < 1) {
    double mass = 0;
    size_t n = 0;
    while (n < keep && mass < params_.top_p * total) mass += weights_[n++];
    keep = std::max<size_t>(n, 1);
    total = mass > 0 ? mass : weights_[0];
  }
  // 53 random bits -> [0, 1), the same on every platform (std::uniform_real_distribution is not).
  const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53 * total;
  double acc = 0;
  for (size_t i = 0; i < keep; ++i) {
    acc += weights_[i];
    if (u < acc) return order_[i];
  }
  return order_[keep - 1];
}

}  // namespace hrm::infer
