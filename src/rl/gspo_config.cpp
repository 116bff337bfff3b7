// Reading a GSPO stage / run configuration (gspo_stage.hpp lists the keys).
#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "hrm/rl/gspo_stage.hpp"
#include "hrm/util/config_override.hpp"
#include "hrm/util/error.hpp"

namespace hrm::rl {

namespace fs = std::filesystem;

GspoStageConfig GspoStageConfig::from_reader(ConfigReader& r, bool policy_from_run) {
  GspoStageConfig c;
  const fs::path base = fs::path(r.source()).parent_path();
  const auto resolve = [&](std::string& p) {
    if (!p.empty() && fs::path(p).is_relative()) p = (base / p).lexically_normal().string();
  };
  if (policy_from_run) {
    r.check(!r.has("policy"), "policy",
            "is not set in a stage list: a gspo stage starts from the previous stage's weights (or the run's init)");
  } else {
    r.require("policy", c.policy);
  }
  r.require("problems", c.problems);
  r.get("eval_problems", c.eval_problems);
  resolve(c.policy);
  resolve(c.problems);
  resolve(c.eval_problems);
  r.get("steps", c.steps);
  r.get("prompts_per_step", c.prompts_per_step);
  r.get("group_size", c.group_size);
  r.get("minibatches", c.minibatches);
  r.get("segments", c.segments);
  r.get("resample_zero_signal", c.resample_zero_signal);
  r.get("adaptive_segments", c.adaptive_segments);
  r.get("halt_exploration", c.halt_exploration);
  r.get("pipeline", c.pipeline);
  r.check(c.halt_exploration >= 0 && c.halt_exploration <= 1, "halt_exploration", "must be in [0, 1]");
  r.check(c.halt_exploration == 0 || c.adaptive_segments, "halt_exploration",
          "only applies with adaptive_segments: true (fixed segments explore nothing)");
  r.check(c.steps >= 1, "steps", "must be at least 1");
  r.check(c.prompts_per_step >= 1, "prompts_per_step", "must be at least 1");
  r.check(c.group_size >= 2, "group_size", "must be at least 2 (advantages are relative within a group)");
  r.check(c.minibatches >= 1, "minibatches", "must be at least 1");
  r.check(c.resample_zero_signal >= 0, "resample_zero_signal",
          "must be >= 0 (extra rollout batches per step that replace zero-signal groups; 0: off)");
  r.check(c.segments >= 0, "segments", "must be >= 0 (0: the model's halt_max_steps)");
  if (r.has("sampling")) {
    auto s = r.child("sampling");
    s.get("temperature", c.temperature);
    s.get("max_new_tokens", c.max_new_tokens);
    // The importance ratio needs the sampler's own log-probs; those are computed under the temperature
    // and the tokenizer's vocabulary, not under a top-k / top-p truncation.
    double top_p = 1.0;
    int64_t top_k = 0;
    s.get("top_p", top_p);
    s.get("top_k", top_k);
    const char* why =
        "is not supported in a gspo stage: the log-probs of the importance ratio are taken under the "
        "temperature only, so a truncated sampler would make the ratio biased; remove the key";
    s.check(top_p == 1.0, "top_p", std::string("must be 1.0: nucleus sampling ") + why);
    s.check(top_k == 0, "top_k", std::string("must be 0: top-k sampling ") + why);
    s.check(c.temperature > 0, "temperature", "must be > 0 (GSPO needs different samples per group)");
    s.check(c.max_new_tokens >= 1, "max_new_tokens", "must be at least 1");
    s.finish();
  }
  r.get_choice("objective", c.objective, {"gspo", "rft"});
  if (r.has("gspo")) {
    auto g = r.child("gspo");
    g.get("clip_low", c.gspo.clip_low);
    g.get("clip_high", c.gspo.clip_high);
    g.get("advantage_eps", c.gspo.advantage_eps);
    g.get("unbiased_std", c.gspo.unbiased_std);
    g.get("token_level", c.gspo.token_level);
    g.get("kl_coef", c.gspo.kl_coef);
    g.get("decoupled", c.gspo.decoupled);
    g.get("behaviour_weight_cap", c.gspo.behaviour_weight_cap);
    g.check(c.gspo.behaviour_weight_cap >= 1, "behaviour_weight_cap",
            "must be >= 1 (the cap on pi_prox / pi_behav per sequence)");
    g.check(c.gspo.clip_low > 0 && c.gspo.clip_low < 1, "clip_low", "must be in (0, 1)");
    g.check(c.gspo.clip_high > 0, "clip_high", "must be > 0");
    g.check(c.gspo.kl_coef >= 0, "kl_coef", "must be >= 0 (0: no KL penalty and no reference policy)");
    g.finish();
  }
  r.get("reference", c.reference);
  r.check(c.reference.empty() || c.gspo.kl_coef > 0, "reference",
          "is only used by the KL penalty; set gspo.kl_coef > 0 or remove the key");
  if (c.gspo.kl_coef > 0 && c.reference.empty()) c.reference = c.policy;  // already resolved
  resolve(c.reference);
  if (r.has("reward")) {
    auto w = r.child("reward");
    std::string kind = "binary";
    w.get("kind", kind);
    c.reward.kind = RewardConfig::parse_kind(kind, w.source() + ": " + w.path_of("kind"));
    w.get("format_weight", c.reward.format_weight);
    w.get("length_penalty", c.reward.length_penalty);
    w.get("length_budget", c.reward.length_budget);
    w.get("segment_cost", c.reward.segment_cost);
    w.check(c.reward.segment_cost >= 0, "segment_cost", "must be >= 0 (reward subtracted per ACT segment)");
    w.finish();
  }
  if (r.has("optimizer")) {
    auto o = r.child("optimizer");
    o.get_choice("name", c.optimizer, {"adamw", "adam_atan2"});
    o.get("lr", c.lr);
    o.get("weight_decay", c.weight_decay);
    o.get("grad_clip", c.grad_clip);
    o.get("lr_mult_H", c.lr_mult_H);
    o.get("lr_mult_L", c.lr_mult_L);
    o.get("lr_mult_heads", c.lr_mult_heads);
    o.get("lr_mult_embed", c.lr_mult_embed);
    o.get("grad_clip_H", c.module_clip.H);
    o.get("grad_clip_L", c.module_clip.L);
    o.get("grad_clip_heads", c.module_clip.heads);
    o.get("grad_clip_embed", c.module_clip.embed);
    o.check(c.lr > 0, "lr", "must be > 0");
    o.check(c.grad_clip >= 0, "grad_clip", "must be >= 0 (0: no global clipping)");
    for (const auto& [key, v] : {std::pair<const char*, double>{"grad_clip_H", c.module_clip.H},
                                 {"grad_clip_L", c.module_clip.L},
                                 {"grad_clip_heads", c.module_clip.heads},
                                 {"grad_clip_embed", c.module_clip.embed}}) {
      o.check(v >= 0, key, "must be >= 0 (0: only the global grad_clip)");
    }
    o.finish();
  }
  r.get("act_weight", c.act_weight);
  if (r.has("eval")) {
    auto e = r.child("eval");
    e.get("interval", c.eval_interval);
    e.get("n", c.eval_n);
    e.get("temperature", c.eval_temperature);
    e.get_list("ks", c.eval_ks);
    for (int k : c.eval_ks) e.check(k >= 1 && k <= c.eval_n, "ks", "every k must be in [1, n]");
    e.check(c.eval_n >= 1, "n", "must be at least 1");
    e.finish();
  }
  if (r.has("judge")) {
    auto j = r.child("judge");
    j.get("timeout", c.judge_timeout);
    j.get("jobs", c.judge_jobs);
    j.finish();
  }
  r.get("seed", c.seed);
  return c;
}

bool is_gspo_run(const std::string& path) {
  try {
    const YAML::Node root = YAML::LoadFile(path);
    return root.IsMap() && root["kind"] && root["kind"].IsScalar() && root["kind"].as<std::string>() == "gspo";
  } catch (const YAML::Exception&) {
    return false;
  }
}

GspoRun read_gspo_run(const std::string& path, const std::vector<std::string>& overrides) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw Error(path + ": " + e.what(), "check the YAML syntax of the GSPO config");
  }
  for (const auto& o : overrides) apply_override(root, parse_override(o));
  ConfigReader r(root, path);
  std::string kind;
  r.get_choice("kind", kind, {"gspo"});
  GspoRun run;
  r.get("threads", run.threads);
  run.stage = GspoStageConfig::from_reader(r);
  r.finish();
  return run;
}

}  // namespace hrm::rl
