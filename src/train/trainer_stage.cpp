#include "trainer_stage.hpp"

#include <cstdio>

#include "hrm/model/adam_atan2.hpp"
#include "hrm/model/lr_schedule.hpp"
#include "hrm/util/error.hpp"

namespace hrm {
namespace {

// Parameter groups with per-module learning-rate multipliers: H, L, heads (lm/q), embeddings.
std::vector<std::pair<std::vector<torch::Tensor>, double>> parameter_groups(HRMInnerImpl& m, const OptimizerConfig& o) {
  std::vector<torch::Tensor> h, l, heads, embed;
  for (auto& p : m.named_parameters()) {
    const auto& name = p.key();
    if (name == "puzzle_emb") continue;  // trained by SparseSignSGD
    if (name.rfind("H.", 0) == 0) h.push_back(p.value());
    else if (name.rfind("L.", 0) == 0) l.push_back(p.value());
    else if (name.rfind("lm_head.", 0) == 0 || name.rfind("q_head.", 0) == 0) heads.push_back(p.value());
    else embed.push_back(p.value());
  }
  return {{h, o.lr_mult_H}, {l, o.lr_mult_L}, {heads, o.lr_mult_heads}, {embed, o.lr_mult_embed}};
}

}  // namespace

std::string checkpoint_name(int64_t step) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "step-%08lld", static_cast<long long>(step));
  return buf;
}

Trainer::Stage::Stage(const TrainConfig& run, int index_, HRM& model, int world_size, int rank)
    : index(index_), config(run.stages.at(static_cast<size_t>(index_))), model_config(run.model),
      seed(mix_seed(run.seed, static_cast<uint64_t>(index_))) {
  const auto key = run.source + ": stages." + std::to_string(index) + " ('" + config.name + "')";
  global_batch = config.global_batch_size;
  micro_batch = config.micro_batch_size > 0 ? config.micro_batch_size : global_batch / world_size;
  if (micro_batch < 1 || global_batch % (micro_batch * world_size) != 0) {
    throw Error(key + ": global_batch_size " + std::to_string(global_batch) + " is not a multiple of micro_batch_size (" +
                    std::to_string(micro_batch) + ") x world size (" + std::to_string(world_size) + ")",
                "choose global_batch_size = micro_batch_size x gradient-accumulation steps x processes");
  }
  accumulation = global_batch / (micro_batch * world_size);
  first_chunk = static_cast<int64_t>(rank) * accumulation;
  carries.resize(static_cast<size_t>(accumulation));

  data = std::make_unique<StageData>(config, model_config, run.source);
  sampler = std::make_unique<MixtureSampler>(data->train_sizes(), data->train_weights(), seed);
  params = model->parameters();

  std::vector<torch::optim::OptimizerParamGroup> groups;
  const auto& o = config.optimizer;
  for (auto& [ps, mult] : parameter_groups(*model->inner, o)) {
    if (ps.empty()) continue;
    if (o.name == "adamw") {
      auto opts = std::make_unique<torch::optim::AdamWOptions>(o.lr * mult);
      opts->betas({o.beta1, o.beta2}).weight_decay(o.weight_decay).eps(1e-8);
      groups.emplace_back(ps, std::move(opts));
    } else {
      auto opts = std::make_unique<AdamATan2Options>(o.lr * mult);
      opts->betas({o.beta1, o.beta2}).weight_decay(o.weight_decay);
      groups.emplace_back(ps, std::move(opts));
    }
    group_lr_mult.push_back(mult);
  }
  if (o.name == "adamw") {
    optimizer = std::make_unique<torch::optim::AdamW>(groups, torch::optim::AdamWOptions(o.lr));
  } else {
    optimizer = std::make_unique<AdamATan2>(groups, AdamATan2Options(o.lr));
  }
  if (model_config.puzzle_emb_ndim > 0) {
    puzzle_emb_optimizer = std::make_unique<SparseSignSGD>(model->inner->puzzle_emb, o.puzzle_emb_lr, o.puzzle_emb_weight_decay);
  }
  if (config.ema_decay > 0) ema = std::make_unique<EmaWeights>(*model, config.ema_decay);
}

double Trainer::Stage::scheduled_lr() const {
  const auto& o = config.optimizer;
  return cosine_warmup_lr(step, o.lr, o.warmup_steps, config.steps, o.lr_min_ratio);
}

uint64_t Trainer::Stage::exploration_seed(int64_t chunk) const {
  return mix_seed(mix_seed(seed, static_cast<uint64_t>(step)), static_cast<uint64_t>(chunk));
}

void Trainer::Stage::apply_bp_warmup(HRMInnerImpl& inner) const {
  if (config.bp_steps_final <= 0) return;
  const auto ramp = std::max<int64_t>(1, static_cast<int64_t>(config.bp_warmup_fraction * static_cast<double>(config.steps)));
  const auto extra = (config.bp_steps_final - model_config.bp_steps) * std::min<int64_t>(step, ramp) / ramp;
  inner.set_bp_steps(model_config.bp_steps + extra);
}

}  // namespace hrm
