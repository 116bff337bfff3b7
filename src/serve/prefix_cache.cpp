#include "hrm/serve/prefix_cache.hpp"

#include <algorithm>

namespace hrm::serve {

std::optional<PrefixCache::Hit> PrefixCache::find(const std::vector<int32_t>& prompt) {
  auto best = entries_.end();
  Hit hit;
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    const auto& tokens = it->tokens;
    const auto common = static_cast<int64_t>(
        std::mismatch(tokens.begin(), tokens.end(), prompt.begin(), prompt.end()).first - tokens.begin());
    const auto length = static_cast<int64_t>(prompt.size());
    const bool whole = common == length && tokens.size() == prompt.size();
    // A partial reuse leaves at least the prompt's last token to feed (its logits are the reply's first).
    const int64_t used = whole ? length : partial_ ? std::min(common, length - 1) : 0;
    if (used > hit.used) {
      best = it;
      hit = {nullptr, used, whole};
    }
  }
  if (best == entries_.end()) return std::nullopt;
  entries_.splice(entries_.begin(), entries_, best);
  hit.entry = &entries_.front();
  return hit;
}

void PrefixCache::add(std::vector<int32_t> tokens, infer::PrefixState state, torch::Tensor logits) {
  if (capacity_ <= 0) return;
  entries_.remove_if([&](const Entry& e) { return e.tokens == tokens; });
  entries_.push_front({std::move(tokens), std::move(state), std::move(logits)});
  while (static_cast<int64_t>(entries_.size()) > capacity_) entries_.pop_back();
}

}  // namespace hrm::serve
