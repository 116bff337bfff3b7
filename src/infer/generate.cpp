#include "hrm/infer/generate.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "hrm/util/error.hpp"

namespace hrm::infer {

double GenerationStats::decode_tokens_per_second() const {
  return decode_seconds > 0 ? static_cast<double>(decoded_tokens) / decode_seconds : 0.0;
}

std::string format_stats(const GenerationStats& s) {
  const auto mib = [](int64_t bytes) { return std::to_string(bytes / (1 << 20)) + " MiB"; };
  std::string act;
  for (const auto& [segments, prompts] : s.segments_chosen) {
    act += (act.empty() ? "" : ", ") + std::to_string(segments) + ": " + std::to_string(prompts);
  }
  char rates[160];
  std::snprintf(rates, sizeof rates, "prefill %.3f s (%.1f tok/s), decode %.3f s (%.1f tok/s)", s.prefill_seconds,
                s.prefill_seconds > 0 ? static_cast<double>(s.prompt_tokens) / s.prefill_seconds : 0.0,
                s.decode_seconds, s.decode_tokens_per_second());
  return std::to_string(s.prompts) + " prompts, " + std::to_string(s.sequences) + " sequences, " +
         std::to_string(s.prompt_tokens) + " prompt tokens, " + std::to_string(s.generated_tokens) + " generated; " +
         rates + "; KV cache " + std::to_string(s.kv_bytes_per_token) + " bytes/token (" + mib(s.kv_cache_bytes) +
         " allocated); peak RSS " + mib(s.peak_rss_bytes) + "; ACT segments -> prompts {" + act + "}";
}

int64_t peak_rss_bytes() {
  struct rusage usage {};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

GenerationResult generate(Decoder& decoder, const std::vector<std::vector<int32_t>>& prompts,
                          const GenerateOptions& options, const TokenTextFn& token_text, const StreamFn& stream) {
  const auto& c = decoder.config();
  validate(options.sampling);
  HRM_CHECK(options.samples >= 1, "samples per prompt must be >= 1 (got " + std::to_string(options.samples) + ")");
  HRM_CHECK(options.stop_sequences.empty() || token_text, "stop sequences need the tokens' text",
            "pass token_text (e.g. the tokenizer's decode) to generate()");
  for (const auto& s : options.stop_sequences) HRM_CHECK(!s.empty(), "a stop sequence is empty");
  const int64_t vocab = options.vocab_limit > 0 ? std::min(options.vocab_limit, c.vocab_size) : c.vocab_size;
  HRM_CHECK(!prompts.empty(), "generate: no prompts");

  int64_t longest = 0;
  GenerationResult result;
  auto& stats = result.stats;
  for (const auto& p : prompts) {
    longest = std::max<int64_t>(longest, static_cast<int64_t>(p.size()));
    stats.prompt_tokens += static_cast<int64_t>(p.size());
  }
  const int64_t capacity = std::min(longest + options.sampling.max_new_tokens, c.seq_len);

  const auto t_prefill = Clock::now();
  auto logits = decoder.prefill(prompts, std::vector<int64_t>(prompts.size(), options.samples), options.act, capacity);
  stats.prefill_seconds = seconds_since(t_prefill);
  stats.prompts = static_cast<int64_t>(prompts.size());
  stats.sequences = decoder.rows();
  stats.kv_bytes_per_token = decoder.cache().bytes_per_token();
  stats.kv_cache_bytes = decoder.cache().allocated_bytes();

  StopRules rules{options.stop_tokens, options.stop_sequences, options.sampling.max_new_tokens, capacity};
  std::vector<TextSequence> seqs;
  seqs.reserve(static_cast<size_t>(decoder.rows()));
  for (size_t p = 0; p < prompts.size(); ++p) {
    for (int64_t i = 0; i < options.samples; ++i) {
      seqs.emplace_back(options.sampling, options.sampling.seed + static_cast<uint64_t>(i),
                        static_cast<int64_t>(prompts[p].size()), decoder.segments()[seqs.size()]);
    }
    ++stats.segments_chosen[seqs.back().completion().segments];
  }

  std::vector<size_t> active(seqs.size());  // sequence of each decoder row
  for (size_t i = 0; i < active.size(); ++i) active[i] = i;
  const auto t_decode = Clock::now();
  while (true) {
    logits = logits.contiguous();
    const float* data = logits.data_ptr<float>();
    std::vector<int64_t> keep;
    std::vector<int32_t> next;
    for (size_t r = 0; r < active.size(); ++r) {
      auto& seq = seqs[active[r]];
      const int32_t token = seq.sample(data + static_cast<int64_t>(r) * logits.size(1), vocab);
      ++stats.generated_tokens;
      seq.take(token, rules, token_text, stream, active[r]);
      if (!seq.done()) {
        keep.push_back(static_cast<int64_t>(r));
        next.push_back(token);
      }
    }
    if (keep.empty()) break;
    if (keep.size() < active.size()) {
      decoder.keep_rows(keep);
      std::vector<size_t> still;
      for (const auto r : keep) still.push_back(active[static_cast<size_t>(r)]);
      active = std::move(still);
    }
    logits = decoder.step(next);
    ++stats.decode_steps;
    stats.decoded_tokens += static_cast<int64_t>(next.size());
  }
  stats.decode_seconds = seconds_since(t_decode);
  stats.peak_rss_bytes = peak_rss_bytes();
  for (auto& s : seqs) result.completions.push_back(s.release());
  return result;
}

}  // namespace hrm::infer
