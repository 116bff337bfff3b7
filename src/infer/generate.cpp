#include "hrm/infer/generate.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "hrm/util/error.hpp"

namespace hrm::infer {

const char* to_string(FinishReason reason) {
  switch (reason) {
    case FinishReason::kStopToken:
      return "stop_token";
    case FinishReason::kStopSequence:
      return "stop_sequence";
    case FinishReason::kMaxNewTokens:
      return "max_new_tokens";
    case FinishReason::kContextFull:
      return "context_full";
  }
  return "?";
}

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

// Length of the longest suffix of `text` that is a proper prefix of a stop sequence: those bytes may
// still become a stop sequence, so they are not streamed yet.
size_t held_back(const std::string& text, const std::vector<std::string>& stops) {
  size_t best = 0;
  for (const auto& s : stops) {
    for (size_t m = std::min(s.size() - 1, text.size()); m > best; --m) {
      if (text.compare(text.size() - m, m, s, 0, m) == 0) {
        best = m;
        break;
      }
    }
  }
  return best;
}

// Offset of the earliest stop sequence in `text` that ends after `old_size` bytes (earlier text was
// already searched), or npos.
size_t find_stop(const std::string& text, size_t old_size, const std::vector<std::string>& stops) {
  size_t first = std::string::npos;
  for (const auto& s : stops) {
    const size_t from = old_size >= s.size() - 1 ? old_size - (s.size() - 1) : 0;
    first = std::min(first, text.find(s, from));
  }
  return first;
}

struct Sequence {
  Sampler sampler;
  int64_t prompt_length = 0;
  Completion out;
  std::string text;     // all generated text so far (cut at a stop sequence when one appears)
  size_t streamed = 0;  // bytes of `text` already streamed
  bool done = false;
};

class Run {
 public:
  Run(const GenerateOptions& options, int64_t capacity, const TokenTextFn& token_text, const StreamFn& stream)
      : options_(options), capacity_(capacity), token_text_(token_text), stream_(stream) {}

  // Takes sampled token `token` for `seq`; marks it done when it must stop.
  void take(size_t index, Sequence& seq, int32_t token) {
    const auto& stop_tokens = options_.stop_tokens;
    if (std::find(stop_tokens.begin(), stop_tokens.end(), token) != stop_tokens.end()) {
      seq.out.stop_token = token;
      return finish(index, seq, FinishReason::kStopToken);
    }
    seq.out.tokens.push_back(token);
    if (token_text_) {
      const size_t old = seq.text.size();
      seq.text += token_text_(token);
      if (!options_.stop_sequences.empty()) {
        const size_t stop = find_stop(seq.text, old, options_.stop_sequences);
        if (stop != std::string::npos) {
          seq.text.resize(stop);
          return finish(index, seq, FinishReason::kStopSequence);
        }
      }
    }
    if (stream_) {
      const size_t ready = seq.text.size() - held_back(seq.text, options_.stop_sequences);
      if (ready > seq.streamed || !token_text_) {
        stream_({index, token, seq.text.substr(seq.streamed, ready - seq.streamed), false});
        seq.streamed = ready;
      }
    }
    const auto generated = static_cast<int64_t>(seq.out.tokens.size());
    if (generated >= options_.sampling.max_new_tokens) return finish(index, seq, FinishReason::kMaxNewTokens);
    if (seq.prompt_length + generated >= capacity_) return finish(index, seq, FinishReason::kContextFull);
  }

 private:
  void finish(size_t index, Sequence& seq, FinishReason reason) {
    seq.done = true;
    seq.out.finish = reason;
    seq.out.text = seq.text;
    if (stream_) stream_({index, -1, seq.text.substr(std::min(seq.streamed, seq.text.size())), true});
  }

  const GenerateOptions& options_;
  int64_t capacity_;
  const TokenTextFn& token_text_;
  const StreamFn& stream_;
};

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

  std::vector<Sequence> seqs;
  seqs.reserve(static_cast<size_t>(decoder.rows()));
  for (size_t p = 0; p < prompts.size(); ++p) {
    for (int64_t i = 0; i < options.samples; ++i) {
      Sequence s{Sampler(options.sampling, options.sampling.seed + static_cast<uint64_t>(i)),
                 static_cast<int64_t>(prompts[p].size()),
                 {},
                 {},
                 0,
                 false};
      s.out.segments = decoder.segments()[seqs.size()];
      seqs.push_back(std::move(s));
    }
    ++stats.segments_chosen[seqs.back().out.segments];
  }

  Run run(options, capacity, token_text, stream);
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
      const int32_t token = seq.sampler.sample(data + static_cast<int64_t>(r) * logits.size(1), vocab);
      ++stats.generated_tokens;
      run.take(active[r], seq, token);
      if (!seq.done) {
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
  for (auto& s : seqs) result.completions.push_back(std::move(s.out));
  return result;
}

}  // namespace hrm::infer
