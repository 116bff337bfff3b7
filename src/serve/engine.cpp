#include "hrm/serve/engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "hrm/util/error.hpp"

namespace hrm::serve {

namespace {

// The order of the rows that stay (`kept`: their old indices, increasing) as indices into `kept`: a row
// below the new row count keeps its place, and the last rows move into the places of those that left,
// so the decoder's cache moves one row per row that left (Decoder::keep_rows) instead of every row
// behind it.
std::vector<size_t> fill_from_the_end(const std::vector<int64_t>& kept) {
  const auto n = static_cast<int64_t>(kept.size());
  const auto staying = static_cast<size_t>(std::lower_bound(kept.begin(), kept.end(), n) - kept.begin());
  std::vector<size_t> order;
  size_t in_place = 0, from_the_end = staying;
  for (int64_t i = 0; i < n; ++i) {
    order.push_back(in_place < staying && kept[in_place] == i ? in_place++ : from_the_end++);
  }
  return order;
}

}  // namespace

Job::Job(JobSpec spec)
    : choices(static_cast<size_t>(static_cast<int64_t>(spec.prompts.size()) * spec.n)), spec_(std::move(spec)) {}

void Job::cancel() {
  cancelled_ = true;
  std::lock_guard<std::mutex> lock(mutex);
  changed.notify_all();
}

bool Job::cancelled() const { return cancelled_; }

BatchEngine::BatchEngine(infer::TextModel& model, EngineOptions options)
    : model_(model),
      options_(options),
      prefix_cache_(options.prefix_cache, model.config().attention == AttentionMode::kCausal && !options.act.adaptive) {
  const auto seq_len = model_.config().seq_len;
  context_ = options_.context > 0 ? options_.context : seq_len;
  HRM_CHECK(context_ >= 2 && context_ <= seq_len,
            "--ctx " + std::to_string(context_) + " is outside [2, seq_len = " + std::to_string(seq_len) + "]",
            "the context is prompt + output positions of one request; the model was trained with seq_len");
  HRM_CHECK(options_.parallel >= 1, "--parallel must be >= 1");
  HRM_CHECK(options_.queue_limit >= 0, "--queue must be >= 0");
  HRM_CHECK(options_.prefix_cache >= 0, "--prefix-cache must be >= 0");
  const Tokenizer& tok = model_.tokenizer();
  token_text_ = [&tok](int32_t id) { return tok.decode(&id, 1); };
  thread_ = std::thread([this] { loop(); });
}

BatchEngine::~BatchEngine() { shutdown(std::chrono::milliseconds(0)); }

SubmitResult BatchEngine::submit(const std::shared_ptr<Job>& job) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_) return SubmitResult::kShuttingDown;
  if (static_cast<int64_t>(queue_.size()) >= options_.queue_limit) return SubmitResult::kQueueFull;
  queue_.push_back(job);
  ++stats_.queued_jobs;
  wake_.notify_all();
  return SubmitResult::kQueued;
}

void BatchEngine::shutdown(std::chrono::milliseconds grace) {
  std::deque<std::shared_ptr<Job>> refused;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!stopping_) {
      stopping_ = true;
      drain_deadline_ = std::chrono::steady_clock::now() + grace;
      refused.swap(queue_);
      stats_.queued_jobs = 0;
    }
    wake_.notify_all();
  }
  for (const auto& job : refused) fail(*job, 503, "the server is shutting down");
  if (thread_.joinable()) thread_.join();
}

EngineStats BatchEngine::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void BatchEngine::loop() {
  while (true) {
    const auto admitted = wait_and_admit();
    if (rows_.empty() && admitted.empty()) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
      continue;
    }
    try {
      if (!admitted.empty()) prefill(admitted);
      if (!rows_.empty()) sample_and_step();
    } catch (const std::exception& e) {  // never take the server down: fail the batch, keep serving
      spdlog::error("decode loop: {}", e.what());
      fail_all(std::string("internal error in the decode loop: ") + e.what());
    }
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.active_rows = static_cast<int64_t>(rows_.size());
  }
}

// Waits for work, then takes the queued jobs that fit in the free rows (first come, first served: a
// job that does not fit yet keeps the ones behind it waiting, so large jobs are not starved).
std::vector<std::shared_ptr<Job>> BatchEngine::wait_and_admit() {
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait(lock, [&] { return stopping_ || !rows_.empty() || !queue_.empty(); });
  if (stopping_ && drain_deadline_ && std::chrono::steady_clock::now() >= *drain_deadline_) {
    for (auto& row : rows_) row.job->cancel();
  }
  std::vector<std::shared_ptr<Job>> admitted;
  int64_t free = options_.parallel - static_cast<int64_t>(rows_.size());
  while (!queue_.empty()) {
    const auto& job = queue_.front();
    if (job->cancelled()) {
      queue_.pop_front();
      continue;
    }
    if (job->rows() > free) break;
    free -= job->rows();
    admitted.push_back(job);
    queue_.pop_front();
  }
  stats_.queued_jobs = static_cast<int64_t>(queue_.size());
  return admitted;
}

// Jobs whose prompt continues a cached prefix join the batch from it; the others are prefilled
// together, and their prompts' caches are kept for later requests.
void BatchEngine::prefill(const std::vector<std::shared_ptr<Job>>& jobs) {
  std::vector<std::shared_ptr<Job>> fresh_jobs;
  std::vector<std::vector<int32_t>> prompts;
  std::vector<int64_t> copies;
  int64_t prompt_tokens = 0;
  for (const auto& job : jobs) {
    for (const auto& p : job->spec().prompts) prompt_tokens += static_cast<int64_t>(p.size());
    if (prefill_from_cache(job)) continue;
    fresh_jobs.push_back(job);
    for (const auto& p : job->spec().prompts) {
      prompts.push_back(p);
      copies.push_back(job->spec().n);
    }
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.prompt_tokens += prompt_tokens;
  }
  if (fresh_jobs.empty()) return;
  torch::Tensor fresh;
  try {
    fresh = model_.decoder().add_rows(prompts, copies, options_.act, context_);
  } catch (const std::exception& e) {  // a prompt the model cannot take fails its jobs only
    for (const auto& job : fresh_jobs) fail(*job, 400, e.what());
    return;
  }
  int64_t offset = 0;
  for (const auto& job : fresh_jobs) {
    const auto& spec = job->spec();
    const auto first_row = static_cast<int64_t>(rows_.size());
    add_job_rows(job, fresh.narrow(0, offset, job->rows()));
    offset += job->rows();
    if (prefix_cache_.enabled() && spec.prompts.size() == 1) {
      const auto length = static_cast<int64_t>(spec.prompts[0].size());
      prefix_cache_.add(spec.prompts[0], model_.decoder().save_prefix(first_row, length),
                        fresh[offset - job->rows()].clone());
    }
  }
}

bool BatchEngine::prefill_from_cache(const std::shared_ptr<Job>& job) {
  const auto& spec = job->spec();
  if (!prefix_cache_.enabled() || spec.prompts.size() != 1) return false;
  const auto& prompt = spec.prompts[0];
  const auto hit = prefix_cache_.find(prompt);
  if (!hit) return false;
  const std::vector<int32_t> rest(prompt.begin() + hit->used, prompt.end());
  torch::Tensor logits;
  try {
    logits = model_.decoder().add_rows_from_prefix(hit->entry->state, hit->used, rest, spec.n, context_);
  } catch (const std::exception& e) {
    fail(*job, 400, e.what());
    return true;
  }
  const auto used = hit->used;
  const auto first_row = static_cast<int64_t>(rows_.size());
  if (hit->whole) {
    logits = hit->entry->logits.unsqueeze(0).expand({spec.n, -1}).contiguous();
  } else {  // the longer prompt is worth keeping too
    prefix_cache_.add(prompt, model_.decoder().save_prefix(first_row, static_cast<int64_t>(prompt.size())),
                      logits[0].clone());
  }
  add_job_rows(job, logits);
  std::lock_guard<std::mutex> lock(mutex_);
  ++stats_.prefix_hits;
  stats_.prefix_tokens_reused += used;
  return true;
}

// The rows of a job whose decoder rows were just appended, with their first logits.
void BatchEngine::add_job_rows(const std::shared_ptr<Job>& job, const torch::Tensor& logits) {
  const auto& segments = model_.decoder().segments();
  const std::vector<int32_t> stop_tokens = {tok::kEndId, tok::kEosId};
  const auto& spec = job->spec();
  for (size_t p = 0; p < spec.prompts.size(); ++p) {
    const auto prompt_length = static_cast<int64_t>(spec.prompts[p].size());
    for (int64_t i = 0; i < spec.n; ++i) {
      const auto row = rows_.size();
      infer::StopRules rules{stop_tokens, spec.stop_sequences, spec.sampling.max_new_tokens, context_};
      rows_.push_back({job, p * static_cast<size_t>(spec.n) + static_cast<size_t>(i),
                       infer::TextSequence(spec.sampling, spec.sampling.seed + static_cast<uint64_t>(i), prompt_length,
                                           segments[row]),
                       std::move(rules)});
    }
  }
  {
    std::lock_guard<std::mutex> lock(job->mutex);
    job->state = Job::State::kRunning;
  }
  logits_ = logits_.defined() && logits_.size(0) > 0 ? torch::cat({logits_, logits}) : logits;
}

// One step of the batch: every row samples its next token from logits_, finished rows and rows whose
// job was cancelled leave, the rest are fed their token.
void BatchEngine::sample_and_step() {
  const auto logits = logits_.contiguous();
  const float* data = logits.data_ptr<float>();
  const int64_t vocab = std::min<int64_t>(model_.tokenizer().vocab_size(), logits.size(1));
  std::vector<int64_t> keep;
  std::vector<int32_t> next;
  std::vector<Row> still;
  int64_t sampled = 0, finished_jobs = 0;
  std::vector<std::pair<int64_t, std::vector<int32_t>>> replies;  // finished rows worth keeping in the cache
  for (size_t r = 0; r < rows_.size(); ++r) {
    auto& row = rows_[r];
    auto& job = *row.job;
    if (job.cancelled()) {  // the owner left or the shutdown grace ran out: the row leaves
      fail(job, 503, "the request was cancelled (client gone or server shutting down)");
      continue;
    }
    const auto& forced = job.spec().forced_start;
    const int32_t token = row.forced_taken < forced.size()
                              ? forced[row.forced_taken++]
                              : row.sequence.sample(data + static_cast<int64_t>(r) * logits.size(1), vocab);
    ++sampled;
    {
      std::lock_guard<std::mutex> lock(job.mutex);
      if (!job.first_token_at) job.first_token_at = std::chrono::steady_clock::now();
      auto& choice = job.choices[row.choice];
      row.sequence.take(
          token, row.rules, token_text_, [&](const infer::StreamEvent& e) { choice.pending += e.text; }, row.choice);
      if (row.sequence.done()) {
        choice.finished = true;
        choice.completion = row.sequence.release();
        if (keeps_replies(job)) {
          auto tokens = job.spec().prompts[0];
          tokens.insert(tokens.end(), choice.completion.tokens.begin(), choice.completion.tokens.end());
          replies.emplace_back(static_cast<int64_t>(r), std::move(tokens));
        }
        bool all = true;
        for (const auto& c : job.choices) all = all && c.finished;
        if (all) {
          job.state = Job::State::kFinished;
          ++finished_jobs;
        }
      }
      job.changed.notify_all();
    }
    if (!row.sequence.done()) {
      keep.push_back(static_cast<int64_t>(r));
      next.push_back(token);
      still.push_back(std::move(row));
    }
  }
  for (auto& [r, tokens] : replies) remember_reply(r, std::move(tokens), logits[r]);
  if (keep.size() < static_cast<size_t>(logits.size(0))) keep_rows(keep, next, still);
  rows_ = std::move(still);
  logits_ = rows_.empty() ? torch::Tensor() : model_.decoder().step(next);
  std::lock_guard<std::mutex> lock(mutex_);
  stats_.tokens_generated += sampled;
  stats_.jobs_done += finished_jobs;
  if (!rows_.empty()) ++stats_.decode_steps;
}

// The rows that stay (`kept`: old indices, increasing; `next` and `rows` in the same order) in the order
// fill_from_the_end gives them, in the decoder and in `next` and `rows`.
void BatchEngine::keep_rows(const std::vector<int64_t>& kept, std::vector<int32_t>& next, std::vector<Row>& rows) {
  std::vector<int64_t> moved_kept;
  std::vector<int32_t> moved_next;
  std::vector<Row> moved_rows;
  for (const auto i : fill_from_the_end(kept)) {
    moved_kept.push_back(kept[i]);
    moved_next.push_back(next[i]);
    moved_rows.push_back(std::move(rows[i]));
  }
  model_.decoder().keep_rows(moved_kept);
  next = std::move(moved_next);
  rows = std::move(moved_rows);
}

// A finished single-prompt, single-sample reply is what the next turn of its conversation starts with, so
// its cache is kept like a prompt's. Only where the cache of a prefix shorter than a prompt is reusable
// (PrefixCache::partial: causal attention, fixed segments).
bool BatchEngine::keeps_replies(const Job& job) const {
  return prefix_cache_.enabled() && prefix_cache_.partial() && job.spec().prompts.size() == 1 && job.spec().n == 1;
}

// Row `row`'s cache holds its prompt and every reply token fed back (all but the last one sampled,
// unless that was a stop token); `logits` are the row's latest, those after the fed tokens.
void BatchEngine::remember_reply(int64_t row, std::vector<int32_t> tokens, const torch::Tensor& logits) {
  const auto fed = model_.decoder().positions()[static_cast<size_t>(row)];
  if (fed > static_cast<int64_t>(tokens.size())) return;  // not a row this reply was decoded in: keep nothing
  tokens.resize(static_cast<size_t>(fed));
  prefix_cache_.add(std::move(tokens), model_.decoder().save_prefix(row, fed), logits.clone());
}

void BatchEngine::fail(Job& job, int status, const std::string& message) {
  std::lock_guard<std::mutex> lock(job.mutex);
  if (job.state == Job::State::kFinished || job.state == Job::State::kFailed) return;
  job.state = Job::State::kFailed;
  job.error = message;
  job.error_status = status;
  job.changed.notify_all();
}

void BatchEngine::fail_all(const std::string& message) {
  for (auto& row : rows_) fail(*row.job, 500, message);
  rows_.clear();
  logits_ = torch::Tensor();
  model_.decoder().keep_rows({});
}

}  // namespace hrm::serve
