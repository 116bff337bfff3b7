// The gspo run loop: sampling, sandboxed judging, GSPO updates, held-out pass@k (docs/rl.md).
#include "hrm/rl/gspo_stage.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <random>
#include <nlohmann/json.hpp>

#include "hrm/eval/lcb_prompts.hpp"
#include "hrm/eval/lcb_score.hpp"
#include "hrm/infer/decoder.hpp"
#include "hrm/infer/generate.hpp"
#include "hrm/model/checkpoint.hpp"
#include "hrm/model/runtime.hpp"
#include "hrm/rl/gspo_update.hpp"
#include "hrm/rl/policy_forward.hpp"
#include "hrm/rl/rollout_judge.hpp"
#include "hrm/rl/signal_pool.hpp"
#include "hrm/tokenizer/chat_template.hpp"
#include "hrm/util/date.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace hrm::rl {

namespace fs = std::filesystem;

namespace {

using eval::lcb::Problem;

std::vector<ChatMessage> to_chat(const std::vector<eval::ChatMessage>& messages) {
  std::vector<ChatMessage> out;
  for (const auto& m : messages) out.push_back({m.role, m.content});
  return out;
}

struct Policy {
  std::string dir;
  HRMInner model{nullptr};
  std::unique_ptr<Tokenizer> tokenizer;
};

Policy load_policy(const std::string& dir) {
  Policy p;
  p.dir = dir;
  const auto tok_path = fs::path(dir) / "tokenizer.model";
  HRM_CHECK(fs::exists(tok_path), "policy checkpoint '" + dir + "' has no tokenizer.model",
            "start GSPO from a text checkpoint written by an sft stage of hrm-train");
  const auto meta = read_checkpoint_meta(dir);
  p.model = HRMInner(meta.config);
  load_checkpoint(dir, *p.model);
  p.tokenizer = std::make_unique<Tokenizer>(Tokenizer::load(tok_path));
  HRM_CHECK(meta.config.attention != AttentionMode::kBidirectional,
            "policy checkpoint '" + dir + "' is a bidirectional (puzzle) model",
            "GSPO needs a causal or prefix-LM text model");
  return p;
}

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

struct PromptSet {
  std::vector<Problem> problems;
  std::vector<std::vector<int32_t>> ids;
};

PromptSet load_prompts(const std::string& path, const Tokenizer& tokenizer, int64_t seq_len,
                       const std::string& before = "") {
  PromptSet set;
  size_t too_long = 0;
  eval::lcb::ProblemFilter filter;
  filter.before_date = before;  // the data cutoff: only problems dated before it
  for (auto& p : eval::lcb::load_problems(path, "v6", filter)) {
    auto ids = encode_prompt(tokenizer, to_chat(eval::lcb::codegen_messages(p)));
    if (static_cast<int64_t>(ids.size()) + 2 > seq_len) {
      ++too_long;
      continue;
    }
    set.ids.push_back(std::move(ids));
    set.problems.push_back(std::move(p));
  }
  if (too_long)
    spdlog::warn("{}: {} problems skipped: their prompts leave no room in seq_len {}", path, too_long, seq_len);
  HRM_CHECK(!set.problems.empty(), "'" + path + "' has no usable problems", "check the file and the model's seq_len");
  return set;
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

struct Sampled {
  std::vector<size_t> prompt_of;                // per sequence, index into the PromptSet
  std::vector<std::vector<int32_t>> responses;  // generated tokens (+ <|end|> when the model stopped)
  std::vector<Rollout> rollouts;
  int64_t segments_total = 0;
  double seconds = 0;
};

// n samples of each chosen prompt from the current weights, prompt-major.
Sampled sample(Policy& policy, const PromptSet& set, const std::vector<size_t>& chosen, int64_t n, double temperature,
               int64_t top_k, double top_p, int64_t max_new_tokens, int64_t segments, uint64_t seed) {
  const auto t0 = std::chrono::steady_clock::now();
  torch::NoGradGuard no_grad;
  infer::Decoder decoder(*policy.model);
  infer::GenerateOptions o;
  o.sampling.temperature = temperature;
  o.sampling.top_k = top_k;
  o.sampling.top_p = top_p;
  o.sampling.seed = seed;
  o.sampling.max_new_tokens = max_new_tokens;
  o.act.segments = segments;
  o.samples = n;
  o.stop_tokens = {tok::kEndId, tok::kEosId};
  o.vocab_limit = policy.tokenizer->vocab_size();
  std::vector<std::vector<int32_t>> prompts;
  for (size_t i : chosen) prompts.push_back(set.ids[i]);
  const auto& tok = *policy.tokenizer;
  const auto result = infer::generate(decoder, prompts, o, [&](int32_t id) { return tok.decode(&id, 1); });
  Sampled s;
  const int64_t seq_len = policy.model->config().seq_len;
  for (size_t c = 0; c < result.completions.size(); ++c) {
    const auto& comp = result.completions[c];
    const size_t p = chosen[c / static_cast<size_t>(n)];
    auto response = comp.tokens;
    const bool room = static_cast<int64_t>(set.ids[p].size() + response.size()) < seq_len;
    if (comp.finish == infer::FinishReason::kStopToken && room) response.push_back(tok::kEndId);
    if (response.empty()) response.push_back(tok::kEndId);
    s.prompt_of.push_back(p);
    s.rollouts.push_back({&set.problems[p], comp.text, static_cast<int64_t>(response.size())});
    s.responses.push_back(std::move(response));
    s.segments_total += comp.segments;
  }
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

int64_t segments_of(const GspoStageConfig& c, const ModelConfig& m) {
  return c.segments > 0 ? c.segments : m.halt_max_steps;
}

GspoEvalResult evaluate(Policy& policy, const PromptSet& set, int64_t n, const std::vector<int>& ks, double temperature,
                        int64_t segments, int64_t max_new_tokens, RolloutJudge& judge, uint64_t seed) {
  std::vector<size_t> all(set.problems.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  const auto s = sample(policy, set, all, n, temperature, 0, 1.0, max_new_tokens, segments, seed);
  const auto judged = judge.judge(s.rollouts);
  std::vector<int> correct(set.problems.size(), 0);
  for (size_t i = 0; i < judged.size(); ++i) {
    const auto& j = judged[i];
    if (j.tests_total > 0 && j.tests_passed == j.tests_total) ++correct[s.prompt_of[i]];
  }
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

nlohmann::json eval_json(int64_t step, const GspoEvalResult& r) {
  nlohmann::json j{{"step", step}, {"eval", true}, {"problems", r.problems}, {"n", r.n}};
  for (const auto& [k, v] : r.pass_at) j["pass@" + std::to_string(k)] = v;
  return j;
}

eval::lcb::JudgeOptions judge_options(double timeout) {
  eval::lcb::JudgeOptions o;
  o.timeout_seconds = timeout;
  return o;
}

}  // namespace

GspoEvalResult run_gspo_stage(const GspoStageConfig& c, const std::string& out_dir, int threads) {
  configure_threads(threads);
  fs::create_directories(out_dir);
  torch::manual_seed(static_cast<int64_t>(c.seed));
  Policy policy = load_policy(c.policy);
  const auto& mc = policy.model->config();
  const int64_t segments = segments_of(c, mc);
  const PromptSet train = load_prompts(c.problems, *policy.tokenizer, mc.seq_len, c.problems_before);
  std::optional<PromptSet> held_out;
  if (!c.eval_problems.empty()) held_out = load_prompts(c.eval_problems, *policy.tokenizer, mc.seq_len);
  RolloutJudge judge(judge_options(c.judge_timeout));
  RolloutJudge eval_judge(judge_options(c.judge_timeout));
  PolicyUpdater updater(c, *policy.model, segments);
  // Only a KL penalty needs the reference: without one nothing is loaded and nothing extra computed.
  HRMInner reference{nullptr};
  if (c.gspo.kl_coef > 0) reference = load_reference(c.reference, mc);
  std::ofstream metrics(fs::path(out_dir) / "metrics.jsonl", std::ios::app);
  const int64_t max_new = std::min<int64_t>(c.max_new_tokens, mc.seq_len);

  GspoEvalResult last_eval;
  const auto run_eval = [&](int64_t step) {
    if (!held_out) return;
    last_eval = evaluate(policy, *held_out, c.eval_n, c.eval_ks, c.eval_temperature, segments, max_new, eval_judge,
                         c.seed + 7777);
    metrics << eval_json(step, last_eval).dump() << std::endl;
    std::string line;
    for (const auto& [k, v] : last_eval.pass_at) line += " pass@" + std::to_string(k) + "=" + std::to_string(v);
    spdlog::info("gspo eval step {}: {} held-out problems, n={}:{}", step, last_eval.problems, last_eval.n, line);
  };
  run_eval(0);

  // Prompt order: a seeded shuffle, walked in order and reshuffled at the end of each pass.
  std::mt19937_64 order_rng(c.seed);
  std::vector<size_t> order(train.problems.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), order_rng);
  size_t cursor = 0;
  const auto next_prompts = [&] {
    std::vector<size_t> chosen;
    for (int64_t i = 0; i < c.prompts_per_step; ++i) {
      if (cursor == order.size()) {
        std::shuffle(order.begin(), order.end(), order_rng);
        cursor = 0;
      }
      chosen.push_back(order[cursor++]);
    }
    return chosen;
  };

  struct InFlight {
    Sampled sampled;
    SequenceBatch batch;
    torch::Tensor logp_old, logp_ref;
    std::future<std::vector<Judgement>> judged;
    JudgeStats stats;
  };
  const auto start_rollout = [&](int64_t step) {
    auto f = std::make_unique<InFlight>();
    f->sampled = sample(policy, train, next_prompts(), c.group_size, c.temperature, c.top_k, c.top_p, max_new, segments,
                        c.seed * 1000003ULL + static_cast<uint64_t>(step) * 7919ULL);
    std::vector<std::vector<int32_t>> prompts;
    for (size_t p : f->sampled.prompt_of) prompts.push_back(train.ids[p]);
    f->batch = make_sequence_batch(prompts, f->sampled.responses, mc.seq_len);
    {
      torch::NoGradGuard no_grad;
      f->logp_old = policy_forward(*policy.model, f->batch, segments).logp.detach();
      // Once per rollout, with the segments the policy is trained with: the minibatches index into it.
      if (reference) f->logp_ref = policy_forward(*reference, f->batch, segments).logp.detach();
    }
    return f;
  };
  // One judge call at a time (the judge's cache is not shared between threads).
  const auto start_judging = [&](InFlight& f) {
    f.judged = std::async(std::launch::async, [&judge, &f] { return judge.judge(f.sampled.rollouts, &f.stats); });
  };

  std::mt19937_64 minibatch_rng(c.seed + 1);
  const bool resample = c.resample_zero_signal > 0;
  SignalPool pool(c.group_size);
  int64_t rollout_index = 1;
  auto current = start_rollout(rollout_index);
  start_judging(*current);
  for (int64_t step = 1; step <= c.steps; ++step) {
    const auto t0 = std::chrono::steady_clock::now();
    GspoStepMetrics m;
    m.step = step;
    double reward_sum = 0, passed_sum = 0, length = 0, segments_sum = 0;
    int64_t n_seq = 0, groups = 0, zero_signal = 0;
    UpdateStats u;
    // Without resampling one rollout batch per step. With it, batches are drawn until prompts_per_step
    // groups with signal are pooled or resample_zero_signal extra batches were spent.
    for (int64_t draw = 0;; ++draw) {
      // Generate the next batch with the current weights while the sandbox judges this one.
      std::unique_ptr<InFlight> next = step < c.steps ? start_rollout(++rollout_index) : nullptr;
      const auto judged = current->judged.get();
      if (next) start_judging(*next);
      std::vector<float> rewards, passed;
      for (const auto& j : judged) {
        rewards.push_back(static_cast<float>(reward(j, c.reward)));
        passed.push_back(j.tests_total > 0 && j.tests_passed == j.tests_total ? 1.0f : 0.0f);
        length += static_cast<double>(j.response_tokens);
      }
      const auto reward_t = torch::tensor(rewards);
      const auto passed_t = torch::tensor(passed);
      n_seq += static_cast<int64_t>(judged.size());
      reward_sum += reward_t.sum().item<double>();
      passed_sum += passed_t.sum().item<double>();
      segments_sum += static_cast<double>(current->sampled.segments_total);
      m.sandbox_seconds += current->stats.seconds;
      m.judged += current->stats.judged;
      m.cached += current->stats.cached;
      ++m.rollouts;
      const JudgedBatch batch{current->batch, current->logp_old, current->logp_ref, reward_t, passed_t};
      if (!resample) {
        u = updater.update(batch, minibatch_rng);
        groups = u.groups;
        zero_signal = u.zero_signal_groups;
        current = std::move(next);
        break;
      }
      const auto signal = updater.group_signal(reward_t, passed_t);
      groups += signal.size(0);
      zero_signal += signal.size(0) - signal.sum().item<int64_t>();
      pool.add(batch, signal);
      current = std::move(next);
      if (pool.groups() >= c.prompts_per_step || draw == c.resample_zero_signal) break;
      if (!current) {  // the last step prefetches nothing: draw its extra batch now
        current = start_rollout(++rollout_index);
        start_judging(*current);
      }
    }
    if (resample) {
      const auto taken = pool.take(c.prompts_per_step);
      if (taken.groups > 0) u = updater.update(taken.judged(), minibatch_rng);
    }
    m.mean_reward = reward_sum / static_cast<double>(std::max<int64_t>(1, n_seq));
    m.pass_rate = passed_sum / static_cast<double>(std::max<int64_t>(1, n_seq));
    m.zero_signal_fraction = static_cast<double>(zero_signal) / static_cast<double>(std::max<int64_t>(1, groups));
    m.response_length = length / static_cast<double>(std::max<int64_t>(1, n_seq));
    m.mean_act_steps = segments_sum / static_cast<double>(std::max<int64_t>(1, n_seq));
    m.clip_fraction = u.clip_fraction;
    m.mean_abs_log_ratio = u.mean_abs_log_ratio;
    m.kl = u.kl;
    m.loss = u.loss;
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    m.samples_per_second = static_cast<double>(n_seq) / std::max(1e-9, dt);
    metrics << nlohmann::json{{"step", m.step},
                              {"stage", "gspo"},
                              {"objective", c.objective},
                              {"mean_reward", m.mean_reward},
                              {"pass_rate", m.pass_rate},
                              {"zero_signal_fraction", m.zero_signal_fraction},
                              {"clip_fraction", m.clip_fraction},
                              {"mean_abs_log_ratio", m.mean_abs_log_ratio},
                              {"kl", m.kl},
                              {"loss", m.loss},
                              {"response_length", m.response_length},
                              {"mean_act_steps", m.mean_act_steps},
                              {"samples_per_second", m.samples_per_second},
                              {"sandbox_seconds", m.sandbox_seconds},
                              {"judged", m.judged},
                              {"cached", m.cached},
                              {"rollouts", m.rollouts}}
                   .dump()
            << std::endl;
    spdlog::info(
        "{} step {}/{}: reward {:.3f} pass {:.3f} zero-signal {:.2f} clip {:.3f} |log r| {:.2e} kl {:.2e} "
        "len {:.1f} {:.1f} samples/s sandbox {:.1f}s rollouts {}",
        c.objective, step, c.steps, m.mean_reward, m.pass_rate, m.zero_signal_fraction, m.clip_fraction,
        m.mean_abs_log_ratio, m.kl, m.response_length, m.samples_per_second, m.sandbox_seconds, m.rollouts);
    if (c.eval_interval > 0 && step % c.eval_interval == 0 && step != c.steps) run_eval(step);
  }
  run_eval(c.steps);
  const auto final_dir = (fs::path(out_dir) / "final").string();
  nlohmann::json state{{"stage", "gspo"}, {"objective", c.objective}, {"step", c.steps}, {"policy", c.policy}};
  const auto cutoff = std::max(data_cutoff(c.policy, train), c.problems_before);
  if (!cutoff.empty()) state["data_cutoff"] = cutoff;
  save_checkpoint(final_dir, *policy.model, state);
  fs::copy_file(fs::path(c.policy) / "tokenizer.model", fs::path(final_dir) / "tokenizer.model",
                fs::copy_options::overwrite_existing);
  return last_eval;
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
  return evaluate(policy, set, n, ks, temperature, segments > 0 ? segments : mc.halt_max_steps,
                  std::min<int64_t>(max_new_tokens, mc.seq_len), judge, seed);
}

}  // namespace hrm::rl
