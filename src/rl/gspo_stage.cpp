// The gspo run loop: sampling, sandboxed judging, GSPO updates, held-out pass@k (docs/rl.md).
#include "hrm/rl/gspo_stage.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <optional>
#include <random>
#include <nlohmann/json.hpp>

#include "hrm/eval/lcb_score.hpp"
#include "hrm/model/checkpoint.hpp"
#include "hrm/model/runtime.hpp"
#include "hrm/rl/gspo_update.hpp"
#include "hrm/rl/policy_forward.hpp"
#include "hrm/rl/rollout.hpp"
#include "hrm/rl/rollout_judge.hpp"
#include "hrm/rl/signal_pool.hpp"
#include "hrm/train/metrics_log.hpp"
#include "hrm/util/date.hpp"
#include "hrm/util/error.hpp"

namespace hrm::rl {

namespace fs = std::filesystem;

namespace {

// The KL penalty's reference: a frozen copy of the starting weights (or of another checkpoint with the
// same vocabulary and length), never updated, never differentiated.
HRMInner load_reference(const std::string& dir, const ModelConfig& policy) {
  const auto meta = read_checkpoint_meta(dir);
  HRM_CHECK(meta.config.vocab_size == policy.vocab_size && meta.config.seq_len == policy.seq_len,
            "reference checkpoint '" + dir + "' has vocab_size " + std::to_string(meta.config.vocab_size) +
                " and seq_len " + std::to_string(meta.config.seq_len) + ", the policy " +
                std::to_string(policy.vocab_size) + " and " + std::to_string(policy.seq_len),
            "use a reference trained with the policy's tokenizer and seq_len (or leave 'reference' out: the policy)");
  HRMInner ref(meta.config);
  load_checkpoint(dir, *ref);
  for (auto& p : ref->parameters()) p.requires_grad_(false);
  ref->eval();
  return ref;
}

// The trained policy has seen the starting checkpoint's data and the training problems (their
// contest_date; rows without one add nothing): the newest of those dates, "" when none is known.
std::string data_cutoff(const std::string& policy_dir, const PromptSet& train) {
  std::string cutoff = read_checkpoint_meta(policy_dir).train_state.value("data_cutoff", std::string());
  for (const auto& p : train.problems) {
    if (p.contest_date.size() >= 10 && is_iso_date(p.contest_date.substr(0, 10)))
      cutoff = std::max(cutoff, p.contest_date.substr(0, 10));
  }
  return cutoff;
}

bool passed(const Judgement& j) { return j.tests_total > 0 && j.tests_passed == j.tests_total; }

// pass@k with n samples per problem; `adaptive`: the Q head halts each prompt after 1..segments.
GspoEvalResult evaluate(Policy& policy, const PromptSet& set, int64_t n, const std::vector<int>& ks, double temperature,
                        int64_t segments, bool adaptive, int64_t max_new_tokens, RolloutJudge& judge, uint64_t seed) {
  std::vector<size_t> all(set.problems.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  RolloutOptions o;
  o.samples = n, o.temperature = temperature, o.max_new_tokens = max_new_tokens, o.segments = segments, o.seed = seed;
  o.adaptive = adaptive;
  const auto s = sample_rollouts(policy, set, all, o);
  const auto judged = judge.judge(s.rollouts);
  std::vector<int> correct(set.problems.size(), 0);
  for (size_t i = 0; i < judged.size(); ++i) correct[s.prompt_of[i]] += passed(judged[i]) ? 1 : 0;
  GspoEvalResult r;
  r.problems = static_cast<int64_t>(set.problems.size());
  r.n = n;
  for (int k : ks) {
    double sum = 0;
    for (int c : correct) sum += eval::lcb::pass_at_k(static_cast<int>(n), c, k);
    r.pass_at.emplace_back(k, sum / static_cast<double>(correct.size()));
  }
  return r;
}

eval::lcb::JudgeOptions judge_options(double timeout) {
  eval::lcb::JudgeOptions o;
  o.timeout_seconds = timeout;
  return o;
}

// One rollout batch from sampling to its judgement.
struct InFlight {
  Sampled sampled;
  SequenceBatch batch;
  torch::Tensor logp_behav, logp_ref, sampled_at;
  std::future<std::vector<Judgement>> judged;
  JudgeStats stats;
};

// What the rollout batches drawn for one update add up to (the step's sampling metrics).
struct DrawTotals {
  double reward = 0, passed = 0, length = 0, segments = 0, sandbox_seconds = 0;
  int64_t sequences = 0, groups = 0, zero_signal = 0, judged = 0, cached = 0, rollouts = 0;
  std::map<int64_t, int64_t> segment_counts;  // ACT segments -> sequences
};

// The stage's state and its phases; run() strings them together.
class GspoLoop {
 public:
  GspoLoop(const GspoStageConfig& c, const std::string& out_dir);
  GspoEvalResult run();

 private:
  std::vector<size_t> next_prompts();
  std::unique_ptr<InFlight> start_rollout();
  void start_judging(InFlight& f);
  // Rewards of a judged batch: the JudgedBatch view the updater reads, its sums added to `totals`.
  JudgedBatch judged_batch(InFlight& f, const std::vector<Judgement>& judged, DrawTotals& totals,
                           torch::Tensor& rewards, torch::Tensor& passed);
  UpdateStats draw_and_update(int64_t step, DrawTotals& totals);
  void log_step(int64_t step, const DrawTotals& t, const UpdateStats& u, double seconds);
  void run_eval(int64_t step);
  void save_final();

  const GspoStageConfig& c_;
  std::string out_dir_;
  Policy policy_;
  int64_t segments_, max_new_;
  PromptSet train_;
  std::optional<PromptSet> held_out_;
  RolloutJudge judge_, eval_judge_;
  PolicyUpdater updater_;
  HRMInner reference_{nullptr};  // only with a KL penalty
  MetricsLog log_;
  std::mt19937_64 order_rng_, minibatch_rng_;
  std::vector<size_t> order_;
  size_t cursor_ = 0;
  int64_t rollout_index_ = 0;
  SignalPool pool_;
  std::unique_ptr<InFlight> current_;  // sampled (and being judged) ahead of the next update
  GspoEvalResult last_eval_;
};

GspoLoop::GspoLoop(const GspoStageConfig& c, const std::string& out_dir)
    : c_(c),
      out_dir_(out_dir),
      policy_(load_policy(c.policy)),
      segments_(c.segments > 0 ? c.segments : policy_.model->config().halt_max_steps),
      max_new_(std::min<int64_t>(c.max_new_tokens, policy_.model->config().seq_len)),
      train_(load_prompts(c.problems, *policy_.tokenizer, policy_.model->config().seq_len, c.problems_before)),
      judge_(judge_options(c.judge_timeout)),
      eval_judge_(judge_options(c.judge_timeout)),
      updater_(c, *policy_.model, segments_, policy_.vocab()),
      log_((fs::path(out_dir) / "metrics.jsonl").string(), /*log_interval=*/1, /*enabled=*/true),
      order_rng_(c.seed),
      minibatch_rng_(c.seed + 1),
      pool_(c.group_size) {
  const auto& mc = policy_.model->config();
  if (!c.eval_problems.empty()) held_out_ = load_prompts(c.eval_problems, *policy_.tokenizer, mc.seq_len);
  // Only a KL penalty needs the reference: without one nothing is loaded and nothing extra computed.
  if (c.gspo.kl_coef > 0) reference_ = load_reference(c.reference, mc);
  // Prompt order: a seeded shuffle, walked in order and reshuffled at the end of each pass.
  order_.resize(train_.problems.size());
  for (size_t i = 0; i < order_.size(); ++i) order_[i] = i;
  std::shuffle(order_.begin(), order_.end(), order_rng_);
}

std::vector<size_t> GspoLoop::next_prompts() {
  std::vector<size_t> chosen;
  for (int64_t i = 0; i < c_.prompts_per_step; ++i) {
    if (cursor_ == order_.size()) {
      std::shuffle(order_.begin(), order_.end(), order_rng_);
      cursor_ = 0;
    }
    chosen.push_back(order_[cursor_++]);
  }
  return chosen;
}

std::unique_ptr<InFlight> GspoLoop::start_rollout() {
  auto f = std::make_unique<InFlight>();
  const uint64_t index = static_cast<uint64_t>(++rollout_index_);
  RolloutOptions o;
  o.samples = c_.group_size, o.temperature = c_.temperature, o.max_new_tokens = max_new_;
  o.segments = segments_, o.adaptive = c_.adaptive_segments, o.exploration = c_.halt_exploration;
  o.seed = c_.seed * 1000003ULL + index * 7919ULL;
  f->sampled = sample_rollouts(policy_, train_, next_prompts(), o);
  std::vector<std::vector<int32_t>> prompts;
  for (size_t p : f->sampled.prompt_of) prompts.push_back(train_.ids[p]);
  f->batch = make_sequence_batch(prompts, f->sampled.responses, policy_.model->config().seq_len);
  // Rows decoded with their own segment counts are replayed with them (fixed: every row has segments_).
  if (c_.adaptive_segments) f->batch.segments = torch::tensor(f->sampled.segments, torch::kLong);
  const auto rows = static_cast<int64_t>(f->sampled.responses.size());
  f->sampled_at = torch::full({rows}, updater_.version(), torch::kLong);
  torch::NoGradGuard no_grad;
  f->logp_behav = policy_forward(*policy_.model, f->batch, segments_, updater_.distribution()).logp.detach();
  // Once per rollout, with the segments the policy is trained with: the minibatches index into it.
  if (reference_) f->logp_ref = policy_forward(*reference_, f->batch, segments_, updater_.distribution()).logp.detach();
  return f;
}

// One judge call at a time (the judge's cache is not shared between threads).
void GspoLoop::start_judging(InFlight& f) {
  f.judged = std::async(std::launch::async, [this, &f] { return judge_.judge(f.sampled.rollouts, &f.stats); });
}

JudgedBatch GspoLoop::judged_batch(InFlight& f, const std::vector<Judgement>& judged, DrawTotals& t,
                                   torch::Tensor& rewards, torch::Tensor& passes) {
  std::vector<float> r, p;
  for (size_t i = 0; i < judged.size(); ++i) {
    auto j = judged[i];
    j.segments = f.sampled.segments[i];
    r.push_back(static_cast<float>(reward(j, c_.reward)));
    p.push_back(passed(j) ? 1.0f : 0.0f);
    t.reward += r.back(), t.passed += p.back();
    t.length += static_cast<double>(j.response_tokens);
    t.segments += static_cast<double>(j.segments);
    ++t.segment_counts[j.segments];
  }
  rewards = torch::tensor(r), passes = torch::tensor(p);
  t.sequences += static_cast<int64_t>(judged.size());
  t.sandbox_seconds += f.stats.seconds;
  t.judged += f.stats.judged, t.cached += f.stats.cached;
  ++t.rollouts;
  return {f.batch, f.logp_behav, f.logp_ref, rewards, passes, f.sampled_at};
}

// Draws rollout batches for one update — one, or with resample_zero_signal until prompts_per_step groups
// with signal are pooled or the extra budget is spent — and trains on them. With `pipeline` the next batch
// is sampled (with the weights before this update) while the sandbox judges the current one.
UpdateStats GspoLoop::draw_and_update(int64_t step, DrawTotals& t) {
  const bool resample = c_.resample_zero_signal > 0;
  for (int64_t draw = 0;; ++draw) {
    std::unique_ptr<InFlight> next = c_.pipeline && step < c_.steps ? start_rollout() : nullptr;
    const auto judged = current_->judged.get();
    if (next) start_judging(*next);
    torch::Tensor rewards, passes;
    const auto batch = judged_batch(*current_, judged, t, rewards, passes);
    if (!resample) {
      auto u = updater_.update(batch, minibatch_rng_);
      t.groups = u.groups, t.zero_signal = u.zero_signal_groups;
      current_ = std::move(next);
      return u;
    }
    const auto signal = updater_.group_signal(rewards, passes);
    t.groups += signal.size(0);
    t.zero_signal += signal.size(0) - signal.sum().item<int64_t>();
    pool_.add(batch, signal);
    current_ = std::move(next);
    if (pool_.groups() >= c_.prompts_per_step || draw == c_.resample_zero_signal) break;
    if (!current_) {  // nothing prefetched (no pipeline, or the last step): draw the extra batch now
      current_ = start_rollout();
      start_judging(*current_);
    }
  }
  const auto taken = pool_.take(c_.prompts_per_step);
  return taken.groups > 0 ? updater_.update(taken.judged(), minibatch_rng_) : UpdateStats{};
}

void GspoLoop::log_step(int64_t step, const DrawTotals& t, const UpdateStats& u, double seconds) {
  const double n = static_cast<double>(std::max<int64_t>(1, t.sequences));
  nlohmann::json segments = nlohmann::json::object();
  for (const auto& [k, count] : t.segment_counts) segments[std::to_string(k)] = count;
  nlohmann::json j{{"step", step},
                   {"stage", "gspo"},
                   {"objective", c_.objective},
                   {"mean_reward", t.reward / n},
                   {"pass_rate", t.passed / n},
                   {"zero_signal_fraction",
                    static_cast<double>(t.zero_signal) / static_cast<double>(std::max<int64_t>(1, t.groups))},
                   {"clip_fraction", u.clip_fraction},
                   {"mean_abs_log_ratio", u.mean_abs_log_ratio},
                   {"staleness", u.staleness},
                   {"behaviour_weight", u.behaviour_weight},
                   {"kl", u.kl},
                   {"loss", u.loss},
                   {"q_halt_loss", u.q_halt_loss},
                   {"q_continue_loss", u.q_continue_loss},
                   {"response_length", t.length / n},
                   {"mean_act_steps", t.segments / n},
                   {"segments", segments},
                   {"samples_per_second", static_cast<double>(t.sequences) / std::max(1e-9, seconds)},
                   {"sandbox_seconds", t.sandbox_seconds},
                   {"judged", t.judged},
                   {"cached", t.cached},
                   {"rollouts", t.rollouts}};
  log_.event(j);
  spdlog::info(
      "{} step {}/{}: reward {:.3f} pass {:.3f} zero-signal {:.2f} clip {:.3f} |log r| {:.2e} staleness {:.1f} "
      "kl {:.2e} len {:.1f} act {:.2f} {:.1f} samples/s sandbox {:.1f}s rollouts {}",
      c_.objective, step, c_.steps, t.reward / n, t.passed / n, j["zero_signal_fraction"].get<double>(),
      u.clip_fraction, u.mean_abs_log_ratio, u.staleness, u.kl, t.length / n, t.segments / n,
      j["samples_per_second"].get<double>(), t.sandbox_seconds, t.rollouts);
}

void GspoLoop::run_eval(int64_t step) {
  if (!held_out_) return;
  last_eval_ = evaluate(policy_, *held_out_, c_.eval_n, c_.eval_ks, c_.eval_temperature, segments_,
                        c_.adaptive_segments, max_new_, eval_judge_, c_.seed + 7777);
  nlohmann::json j{{"step", step}, {"eval", true}, {"problems", last_eval_.problems}, {"n", last_eval_.n}};
  std::string line;
  for (const auto& [k, v] : last_eval_.pass_at) {
    j["pass@" + std::to_string(k)] = v;
    line += " pass@" + std::to_string(k) + "=" + std::to_string(v);
  }
  log_.event(j);
  spdlog::info("gspo eval step {}: {} held-out problems, n={}:{}", step, last_eval_.problems, last_eval_.n, line);
}

void GspoLoop::save_final() {
  const auto final_dir = (fs::path(out_dir_) / "final").string();
  nlohmann::json state{{"stage", "gspo"}, {"objective", c_.objective}, {"step", c_.steps}, {"policy", c_.policy}};
  const auto cutoff = std::max(data_cutoff(c_.policy, train_), c_.problems_before);
  if (!cutoff.empty()) state["data_cutoff"] = cutoff;
  save_checkpoint(final_dir, *policy_.model, state);
  fs::copy_file(fs::path(c_.policy) / "tokenizer.model", fs::path(final_dir) / "tokenizer.model",
                fs::copy_options::overwrite_existing);
}

GspoEvalResult GspoLoop::run() {
  run_eval(0);
  current_ = start_rollout();
  start_judging(*current_);
  for (int64_t step = 1; step <= c_.steps; ++step) {
    const auto t0 = std::chrono::steady_clock::now();
    DrawTotals totals;
    const auto u = draw_and_update(step, totals);
    // Without the pipeline the next batch is sampled only now, from the weights this update produced.
    if (!current_ && step < c_.steps) {
      current_ = start_rollout();
      start_judging(*current_);
    }
    log_step(step, totals, u, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (c_.eval_interval > 0 && step % c_.eval_interval == 0 && step != c_.steps) run_eval(step);
  }
  run_eval(c_.steps);
  save_final();
  return last_eval_;
}

}  // namespace

GspoEvalResult run_gspo_stage(const GspoStageConfig& c, const std::string& out_dir, int threads) {
  configure_threads(threads);
  fs::create_directories(out_dir);
  torch::manual_seed(static_cast<int64_t>(c.seed));
  GspoLoop loop(c, out_dir);
  return loop.run();
}

GspoEvalResult evaluate_pass_at_k(const std::string& checkpoint, const std::string& problems, int64_t n,
                                  const std::vector<int>& ks, double temperature, int64_t segments,
                                  int64_t max_new_tokens, double judge_timeout, uint64_t seed, int64_t limit) {
  Policy policy = load_policy(checkpoint);
  const auto& mc = policy.model->config();
  PromptSet set = load_prompts(problems, *policy.tokenizer, mc.seq_len);
  if (limit > 0 && static_cast<int64_t>(set.problems.size()) > limit) {
    set.problems.resize(static_cast<size_t>(limit));
    set.ids.resize(static_cast<size_t>(limit));
  }
  RolloutJudge judge(judge_options(judge_timeout));
  return evaluate(policy, set, n, ks, temperature, segments > 0 ? segments : mc.halt_max_steps, /*adaptive=*/false,
                  std::min<int64_t>(max_new_tokens, mc.seq_len), judge, seed);
}

}  // namespace hrm::rl
