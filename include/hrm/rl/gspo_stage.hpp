// The `gspo` training stage: reinforcement learning of a text HRM from sandboxed test results.
//
//   kind: gspo
//   policy: runs/sft/final            # text checkpoint to start from (tokenizer.model inside)
//   problems: runs/synth/lcb/train.jsonl   # LiveCodeBench-format rows (hrm-data synth), file or dir
//   eval_problems: runs/synth/lcb/test_instance.jsonl   # optional held-out set: pass@k while training
//   steps: 20                          # rollout batches
//   prompts_per_step: 8
//   group_size: 8                      # G responses per prompt
//   minibatches: 4                     # gradient steps per rollout batch (off-policy: the ratio matters)
//   resample_zero_signal: 0            # > 0: up to this many extra rollout batches per step replace the
//                                      # zero-signal groups (dynamic sampling, signal_pool.hpp); 0: drop and count
//   segments: 0                        # ACT segments per token when sampling and training; 0 = halt_max_steps
//   adaptive_segments: false           # true: the Q head halts each prompt after 1..segments (ACT-GSPO)
//   halt_exploration: 0.0              # adaptive: share of prompts given a random 1..segments instead
//   pipeline: true                     # sample batch k+1 while batch k is judged and trained on (false: wait)
//   sampling: {temperature: 1.0, max_new_tokens: 256}   # top_k / top_p are refused (see below)
//   objective: gspo                    # gspo | rft (rejection-sampling fine-tuning on the best passing replies)
//   gspo: {clip_low: 3.0e-4, clip_high: 4.0e-4, advantage_eps: 1.0e-4, token_level: false, kl_coef: 0.0,
//          decoupled: true, behaviour_weight_cap: 2.0}
//   reference: runs/sft/final          # with gspo.kl_coef > 0 only: the frozen KL reference (default: policy)
//   reward: {kind: binary, format_weight: 0.0, length_penalty: 0.0, length_budget: 0, segment_cost: 0.0}
//   optimizer: {name: adamw, lr: 1.0e-5, weight_decay: 0.0, grad_clip: 1.0,
//               lr_mult_H: 1.0, lr_mult_L: 1.0, lr_mult_heads: 1.0, lr_mult_embed: 1.0,
//               grad_clip_H: 0, grad_clip_L: 0, grad_clip_heads: 0, grad_clip_embed: 0}
//   act_weight: 0.0                    # ACT-GSPO: the Q head trained on every row (gspo_update.hpp)
//   eval: {interval: 0, n: 10, ks: [1, 5], temperature: 0.8}
//   judge: {timeout: 6, jobs: 0}
//   seed: 0
//
// Each step: sample G replies per prompt from the current policy (hrm::infer, rollout.hpp), judge them in
// the sandbox (RolloutJudge, cached), group-normalise rewards (groups without spread are dropped and
// counted), then `minibatches` GSPO updates. With `pipeline` (the default) judging overlaps with
// generation: while the sandbox judges batch k, the policy samples batch k+1 (and records its
// log pi_behav); the update from batch k follows, so batch k+1 is `minibatches` optimizer steps stale when
// it is trained on. The update therefore centres the clip on the weights it starts from (log pi_prox, one
// no-grad forward) and corrects for the sampler's distance with a capped weight (gspo.hpp). With
// `pipeline: false` sampling waits for the update: every row is on-policy and the loss is plain GSPO.
//
// The log-probs are the sampler's: softmax(logits / temperature) over the tokenizer's vocabulary. Top-k /
// top-p truncation is not applied to them, so a gspo stage refuses sampling.top_k / sampling.top_p (a
// truncated sampler's ratio against untruncated log-probs would be biased).
//
// KL penalty: with gspo.kl_coef > 0 a second, frozen copy of the starting policy (or of `reference`) scores
// every rollout once, with the same segments (no grad), and the loss adds kl_coef * k3 KL to it; with 0
// (the default) no reference is loaded. Per-module clipping: grad_clip_<module> > 0 limits the gradient
// norm of that module's optimizer group (module_clip.hpp) before the global grad_clip (0: global only).
// objective: rft keeps the sampling, judging and metrics and replaces the GSPO loss by the token NLL of
// each group's best passing replies (rft.hpp); groups where nothing passes are zero-signal.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "hrm/rl/gspo.hpp"
#include "hrm/rl/module_clip.hpp"
#include "hrm/rl/reward.hpp"
#include "hrm/util/config_reader.hpp"

namespace hrm::rl {

struct GspoStageConfig {
  std::string policy, problems, eval_problems;
  int64_t steps = 20, prompts_per_step = 8, group_size = 8, minibatches = 4, segments = 0;
  int64_t resample_zero_signal = 0;
  bool adaptive_segments = false;
  double halt_exploration = 0.0;
  bool pipeline = true;
  double temperature = 1.0;
  int64_t max_new_tokens = 256;
  std::string objective = "gspo";  // gspo | rft
  GspoConfig gspo;
  std::string reference;  // KL reference checkpoint; set (to `policy` by default) iff kl_coef > 0
  RewardConfig reward;
  std::string optimizer = "adamw";
  double lr = 1e-5, weight_decay = 0.0, grad_clip = 1.0;
  double lr_mult_H = 1.0, lr_mult_L = 1.0, lr_mult_heads = 1.0, lr_mult_embed = 1.0;
  ModuleClip module_clip;  // optimizer.grad_clip_H / _L / _heads / _embed
  double act_weight = 0.0;
  int64_t eval_interval = 0, eval_n = 10;
  std::vector<int> eval_ks{1, 5};
  double eval_temperature = 0.8;
  double judge_timeout = 6.0;
  int judge_jobs = 0;
  uint64_t seed = 0;

  // Relative paths are resolved against the directory of r.source(). Unknown keys are errors.
  // `policy_from_run`: a stage of an hrm-train stage list, whose policy the run provides (the key is
  // then an error and `policy` stays empty).
  static GspoStageConfig from_reader(ConfigReader& r, bool policy_from_run = false);
};

struct GspoEvalResult {
  int64_t problems = 0, n = 0;
  std::vector<std::pair<int, double>> pass_at;  // k -> mean pass@k
};

// A GSPO run file: the stage's keys at the top level plus `kind: gspo` and optional `threads`, with
// `--set key.path=value` overrides applied first (hrm-train dispatches such files here).
struct GspoRun {
  GspoStageConfig stage;
  int threads = 0;
};
// True when the YAML file's top-level `kind` is `gspo` (false for unreadable files: the caller's own
// reader reports those).
bool is_gspo_run(const std::string& path);
GspoRun read_gspo_run(const std::string& path, const std::vector<std::string>& overrides);

// What rl adds to hrm-train's runs: `kind: gspo` inside a stage list (train/external_stage.hpp; the stage
// starts from the previous stage's weights, writes <run>/stages/NN-<name>/{start,final,metrics.jsonl},
// and its final weights continue into the next stage) and the sandboxed pass@k of an sft stage's
// eval.code (train/code_eval.hpp). Idempotent.
void register_trainer_extensions();

// Runs the stage; writes <out_dir>/metrics.jsonl (through train's MetricsLog: one line per step, fields in
// docs/rl.md, and one per evaluation) and the
// final policy as a text checkpoint in <out_dir>/final. Returns the last evaluation (empty without
// eval_problems). `threads` sizes LibTorch's pool (0: all cores).
GspoEvalResult run_gspo_stage(const GspoStageConfig& config, const std::string& out_dir, int threads = 0);

// pass@k of `checkpoint` on LiveCodeBench-format `problems` (the first `limit`, 0: all) with n samples
// each (the stage's evaluation; also the trainer's eval.code).
GspoEvalResult evaluate_pass_at_k(const std::string& checkpoint, const std::string& problems, int64_t n,
                                  const std::vector<int>& ks, double temperature, int64_t segments,
                                  int64_t max_new_tokens, double judge_timeout, uint64_t seed, int64_t limit = 0);

}  // namespace hrm::rl
