#include "trainer_stage.hpp"

#include <cstdio>

#include "hrm/model/lr_schedule.hpp"
#include "hrm/model/module_optimizer.hpp"
#include "hrm/util/error.hpp"

namespace hrm {
std::string checkpoint_name(int64_t step) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "step-%08lld", static_cast<long long>(step));
  return buf;
}

Trainer::Stage::Stage(const TrainConfig& run, int index_, HRM& model, int world_size, int rank)
    : index(index_),
      config(run.stages.at(static_cast<size_t>(index_))),
      model_config(run.model),
      seed(mix_seed(run.seed, static_cast<uint64_t>(index_))) {
  if (external()) return;  // runs itself (Trainer::run_external_stage): no data, optimizer or carries here
  const auto key = run.source + ": stages." + std::to_string(index) + " ('" + config.name + "')";
  global_batch = config.global_batch_size;
  micro_batch = config.micro_batch_size > 0 ? config.micro_batch_size : global_batch / world_size;
  if (micro_batch < 1 || global_batch % (micro_batch * world_size) != 0) {
    throw Error(key + ": global_batch_size " + std::to_string(global_batch) +
                    " is not a multiple of micro_batch_size (" + std::to_string(micro_batch) + ") x world size (" +
                    std::to_string(world_size) + ")",
                "choose global_batch_size = micro_batch_size x gradient-accumulation steps x processes");
  }
  accumulation = global_batch / (micro_batch * world_size);
  first_chunk = static_cast<int64_t>(rank) * accumulation;
  carries.resize(static_cast<size_t>(accumulation));

  data = std::make_unique<StageData>(config, model_config, run.source);
  sampler = std::make_unique<MixtureSampler>(data->train_sizes(), data->train_weights(), seed);
  for (auto& p : model->parameters())  // the task embedding's gradient is sparse: SparseSignSGD takes its rows
    if (!model->inner->puzzle_emb.defined() || !p.is_same(model->inner->puzzle_emb)) params.push_back(p);

  const auto& o = config.optimizer;
  auto made = make_module_optimizer(*model->inner, {o.name, o.lr, o.weight_decay, o.beta1, o.beta2, o.lr_mult_H,
                                                    o.lr_mult_L, o.lr_mult_heads, o.lr_mult_embed});
  optimizer = std::move(made.optimizer);
  group_lr_mult = std::move(made.group_lr_mult);
  if (model_config.puzzle_emb_ndim > 0) {
    puzzle_emb_optimizer =
        std::make_unique<SparseSignSGD>(model->inner->puzzle_emb, o.puzzle_emb_lr, o.puzzle_emb_weight_decay);
  }
  if (config.ema_decay > 0) ema = std::make_unique<EmaWeights>(*model, config.ema_decay);
}

double Trainer::Stage::scheduled_lr() const {
  const auto& o = config.optimizer;
  return cosine_warmup_lr(step + 1, o.lr, o.warmup_steps, config.steps, o.lr_min_ratio);  // the update step + 1
}

uint64_t Trainer::Stage::exploration_seed(int64_t chunk) const {
  return mix_seed(mix_seed(seed, static_cast<uint64_t>(step)), static_cast<uint64_t>(chunk));
}

void Trainer::Stage::apply_bp_warmup(HRMInnerImpl& inner) const {
  if (config.bp_steps_final <= 0) return;
  const auto ramp =
      std::max<int64_t>(1, static_cast<int64_t>(config.bp_warmup_fraction * static_cast<double>(config.steps)));
  const auto extra = (config.bp_steps_final - model_config.bp_steps) * std::min<int64_t>(step, ramp) / ramp;
  inner.set_bp_steps(model_config.bp_steps + extra);
}

}  // namespace hrm
