// BatchEngine — the one decode loop of hrm-serve: continuous batching over a TextModel's Decoder.
//
// A Job (one HTTP request: one or more prompts, n samples each) waits in a bounded queue until its
// samples fit in the free slots (--parallel rows); between two decode steps the loop prefills the jobs
// that fit and adds their rows to the running batch (Decoder::add_rows), samples every row, and drops
// the rows that finished or whose client left (Decoder::keep_rows). A job's n samples share one
// prefill. Text reaches the job's owner (an HTTP thread) as it becomes final, through the job's
// mutex and condition variable; the loop never blocks on a client.
//
// Sample i of a prompt draws from seed + i (infer::Sampler), and every row sees only its own prefix,
// so a job's tokens do not depend on the other jobs of the batch (up to floating-point rounding of
// batched matrix products; greedy decoding agrees with a single-client run, tests/serve).
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hrm/infer/sequence.hpp"
#include "hrm/infer/text_model.hpp"
#include "hrm/serve/prefix_cache.hpp"

namespace hrm::serve {

struct EngineOptions {
  int64_t parallel = 4;      // rows decoded together; a job needs prompts x n of them
  int64_t queue_limit = 64;  // jobs waiting for slots; a job beyond that is refused (HTTP 503)
  int64_t context = 0;       // positions per row (prompt + output); 0 = the model's seq_len
  infer::ActOptions act;     // ACT segments per token (as hrm-generate --act/--segments)
  int64_t prefix_cache = 8;  // prompts whose caches are kept for reuse (prefix_cache.hpp); 0 = none
};

struct JobSpec {
  std::vector<std::vector<int32_t>> prompts;  // token ids, each shorter than the context
  int64_t n = 1;                              // samples per prompt
  infer::SamplingParams sampling;             // max_new_tokens: per sample, capped by the context
  std::vector<std::string> stop_sequences;
  // Tokens every sample's reply starts with, fed instead of sampled (a prefix constraint: tool_choice
  // forcing a call); they are part of the reply's text and tokens.
  std::vector<int32_t> forced_start;
};

struct ChoiceOutput {
  std::string pending;  // final text not yet taken by the job's owner
  bool finished = false;
  infer::Completion completion;  // complete once finished
};

// Shared by the engine (writer) and the HTTP thread (reader). Fields below the mutex are guarded by it.
class Job {
 public:
  enum class State { kQueued, kRunning, kFinished, kFailed };
  explicit Job(JobSpec spec);

  const JobSpec& spec() const { return spec_; }
  int64_t rows() const { return static_cast<int64_t>(spec_.prompts.size()) * spec_.n; }
  // The owner no longer wants the output (client gone, shutdown): its rows leave at the next step.
  void cancel();
  bool cancelled() const;

  mutable std::mutex mutex;
  std::condition_variable changed;  // notified whenever something below changes
  State state = State::kQueued;
  std::string error;                  // kFailed: why
  int error_status = 500;             // kFailed: the HTTP status that says it (503: shutting down)
  std::vector<ChoiceOutput> choices;  // prompt-major: choice p * n + i
  std::optional<std::chrono::steady_clock::time_point> first_token_at;

 private:
  JobSpec spec_;
  std::atomic<bool> cancelled_{false};
};

enum class SubmitResult { kQueued, kQueueFull, kShuttingDown };

struct EngineStats {
  int64_t active_rows = 0, queued_jobs = 0;
  int64_t jobs_done = 0, tokens_generated = 0, decode_steps = 0;
  int64_t prompt_tokens = 0;         // prompt tokens of the admitted jobs
  int64_t prefix_hits = 0;           // prompts that continued a cached prefix
  int64_t prefix_tokens_reused = 0;  // prompt tokens not prefilled thanks to the prefix cache
};

class BatchEngine {
 public:
  // Starts the decode loop on its own thread; `model` must outlive the engine and is used only by it.
  BatchEngine(infer::TextModel& model, EngineOptions options);
  ~BatchEngine();
  BatchEngine(const BatchEngine&) = delete;
  BatchEngine& operator=(const BatchEngine&) = delete;

  SubmitResult submit(const std::shared_ptr<Job>& job);
  // Refuses new jobs, fails the queued ones, lets the running ones finish for up to `grace`, then
  // cancels them, and joins the loop. Idempotent.
  void shutdown(std::chrono::milliseconds grace);

  int64_t context() const { return context_; }
  int64_t parallel() const { return options_.parallel; }
  EngineStats stats() const;
  infer::TextModel& model() { return model_; }

 private:
  struct Row {
    std::shared_ptr<Job> job;
    size_t choice = 0;
    infer::TextSequence sequence;
    infer::StopRules rules;
    size_t forced_taken = 0;  // tokens of the job's forced_start fed so far
  };

  void loop();
  std::vector<std::shared_ptr<Job>> wait_and_admit();
  void prefill(const std::vector<std::shared_ptr<Job>>& jobs);
  // Adds a single-prompt job's rows from the prefix cache; false when no cached prefix fits.
  bool prefill_from_cache(const std::shared_ptr<Job>& job);
  void add_job_rows(const std::shared_ptr<Job>& job, const torch::Tensor& logits);
  void sample_and_step();
  void keep_rows(const std::vector<int64_t>& kept, std::vector<int32_t>& next, std::vector<Row>& rows);
  bool keeps_replies(const Job& job) const;
  void remember_reply(int64_t row, std::vector<int32_t> tokens, const torch::Tensor& logits);
  void fail_all(const std::string& message);
  static void fail(Job& job, int status, const std::string& message);

  infer::TextModel& model_;
  EngineOptions options_;
  int64_t context_ = 0;
  infer::TokenTextFn token_text_;
  PrefixCache prefix_cache_;  // loop thread only

  mutable std::mutex mutex_;  // guards queue_, stopping_, draining_deadline_, stats_
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Job>> queue_;
  bool stopping_ = false;
  std::optional<std::chrono::steady_clock::time_point> drain_deadline_;
  EngineStats stats_;

  // Loop thread only.
  std::vector<Row> rows_;
  torch::Tensor logits_;  // [rows, vocab]: the next token's logits of every row
  std::thread thread_;
};

}  // namespace hrm::serve
