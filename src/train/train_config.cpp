#include "hrm/train/train_config.hpp"

#include <filesystem>

namespace fs = std::filesystem;

namespace hrm {
namespace {

// Paths in a config are relative to the config file's directory unless they exist as given.
std::string resolve_path(const std::string& config_path, const std::string& p) {
  if (p.empty() || fs::path(p).is_absolute() || fs::exists(p)) return p;
  const auto rel = fs::path(config_path).parent_path() / p;
  return fs::exists(rel) ? rel.string() : p;
}

void read_optimizer(ConfigReader r, OptimizerConfig& o) {
  r.get_choice("name", o.name, {"adam_atan2", "adamw"});
  r.get("lr", o.lr);
  r.get("lr_min_ratio", o.lr_min_ratio);
  r.get("warmup_steps", o.warmup_steps);
  r.get("weight_decay", o.weight_decay);
  r.get("beta1", o.beta1);
  r.get("beta2", o.beta2);
  r.get("grad_clip", o.grad_clip);
  r.get("puzzle_emb_lr", o.puzzle_emb_lr);
  r.get("puzzle_emb_weight_decay", o.puzzle_emb_weight_decay);
  r.get("lr_mult_H", o.lr_mult_H);
  r.get("lr_mult_L", o.lr_mult_L);
  r.get("lr_mult_heads", o.lr_mult_heads);
  r.get("lr_mult_embed", o.lr_mult_embed);
  r.finish();
  r.check(o.lr > 0, "lr", "must be > 0");
  r.check(o.lr_min_ratio >= 0 && o.lr_min_ratio <= 1, "lr_min_ratio", "must be in [0, 1]");
  r.check(o.warmup_steps >= 0, "warmup_steps", "must be >= 0");
  r.check(o.beta1 >= 0 && o.beta1 < 1 && o.beta2 >= 0 && o.beta2 < 1, "beta1", "betas must be in [0, 1)");
  r.check(o.grad_clip >= 0, "grad_clip", "must be >= 0");
}

}  // namespace

TrainConfig TrainConfig::from_file(const std::string& path) {
  auto r = ConfigReader::from_file(path);
  TrainConfig c;
  c.source = path;
  if (!r.has("model")) throw Error(path + ": missing required key 'model'", "give a path to an arch config or an inline mapping");
  if (r.is_scalar("model")) {
    std::string model_path;
    r.get("model", model_path);
    c.model = with_context("model config referenced by " + path, [&] { return ModelConfig::from_file(resolve_path(path, model_path)); });
  } else {
    auto m = r.child("model");
    c.model = ModelConfig::from_reader(m);
  }
  auto data = r.child("data");
  data.require("path", c.data_path);
  data.finish();
  c.data_path = resolve_path(path, c.data_path);
  r.get("seed", c.seed);
  r.get("threads", c.threads);
  r.get("batch_size", c.batch_size);
  r.get("steps", c.steps);
  if (r.has("optimizer")) read_optimizer(r.child("optimizer"), c.optimizer);
  r.get("ema_decay", c.ema_decay);
  r.get("bp_steps_final", c.bp_steps_final);
  r.get("bp_warmup_fraction", c.bp_warmup_fraction);
  r.get("eval_interval", c.eval_interval);
  r.get("eval_max_examples", c.eval_max_examples);
  r.get("eval_batch_size", c.eval_batch_size);
  r.get("log_interval", c.log_interval);
  r.get("checkpoint_interval", c.checkpoint_interval);
  r.finish();
  r.check(c.batch_size >= 1, "batch_size", "must be >= 1");
  r.check(c.steps >= 1, "steps", "must be >= 1");
  r.check(c.ema_decay >= 0 && c.ema_decay < 1, "ema_decay", "must be in [0, 1)");
  r.check(c.bp_steps_final == 0 || (c.bp_steps_final >= c.model.bp_steps && c.bp_steps_final <= c.model.module_calls()),
          "bp_steps_final", "must be 0 or in [model.bp_steps, H_cycles*(L_cycles+1)]");
  r.check(c.eval_interval >= 1 && c.log_interval >= 1, "eval_interval", "eval_interval and log_interval must be >= 1");
  return c;
}

}  // namespace hrm
