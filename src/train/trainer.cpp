#include "hrm/train/trainer.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

#include "hrm/model/adam_atan2.hpp"
#include "hrm/model/checkpoint.hpp"
#include "hrm/model/lr_schedule.hpp"
#include "hrm/train/optimizer_state.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace fs = std::filesystem;

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

Trainer::Trainer(TrainConfig config, std::string out_dir, torch::Device device)
    : config_(std::move(config)), out_dir_(std::move(out_dir)), device_(device) {
  data_ = with_context("loading dataset '" + config_.data_path + "'", [&] { return puzzle::PuzzleDataset::load(config_.data_path); });
  auto& mc = config_.model;
  if (mc.vocab_size != data_.meta.vocab_size || mc.seq_len != data_.meta.seq_len) {
    throw Error(config_.source + ": model vocab_size/seq_len (" + std::to_string(mc.vocab_size) + "/" + std::to_string(mc.seq_len) +
                    ") do not match dataset '" + config_.data_path + "' (" + std::to_string(data_.meta.vocab_size) + "/" +
                    std::to_string(data_.meta.seq_len) + ")",
                "set model.vocab_size and model.seq_len to the values in dataset.json");
  }
  if (mc.puzzle_emb_ndim > 0 && mc.num_puzzle_identifiers < data_.meta.num_puzzle_identifiers) {
    throw Error(config_.source + ": model.num_puzzle_identifiers is smaller than the dataset's");
  }
  torch::manual_seed(config_.seed);
  model_ = HRM(mc, config_.seed);
  model_->to(device_);
  model_->train();

  std::vector<torch::optim::OptimizerParamGroup> groups;
  const auto& o = config_.optimizer;
  for (auto& [params, mult] : parameter_groups(*model_->inner, o)) {
    if (params.empty()) continue;
    if (o.name == "adamw") {
      auto opts = std::make_unique<torch::optim::AdamWOptions>(o.lr * mult);
      opts->betas({o.beta1, o.beta2}).weight_decay(o.weight_decay).eps(1e-8);
      groups.emplace_back(params, std::move(opts));
    } else {
      auto opts = std::make_unique<AdamATan2Options>(o.lr * mult);
      opts->betas({o.beta1, o.beta2}).weight_decay(o.weight_decay);
      groups.emplace_back(params, std::move(opts));
    }
    group_lr_mult_.push_back(mult);
  }
  if (o.name == "adamw") {
    optimizer_ = std::make_unique<torch::optim::AdamW>(groups, torch::optim::AdamWOptions(o.lr));
  } else {
    optimizer_ = std::make_unique<AdamATan2>(groups, AdamATan2Options(o.lr));
  }
  if (mc.puzzle_emb_ndim > 0) {
    puzzle_emb_optimizer_ = std::make_unique<SparseSignSGD>(model_->inner->puzzle_emb, o.puzzle_emb_lr, o.puzzle_emb_weight_decay);
  }
  if (config_.ema_decay > 0) ema_ = std::make_unique<EmaWeights>(*model_, config_.ema_decay);
  batcher_ = std::make_unique<PuzzleBatcher>(&data_.train, config_.seed, device_);

  fs::create_directories(out_dir_);
  write_file_atomic(fs::path(out_dir_) / "model_config.yaml", mc.to_yaml());
  write_file_atomic(fs::path(out_dir_) / "train_config.yaml", read_file(config_.source));
  metrics_.open(fs::path(out_dir_) / "metrics.jsonl", std::ios::app);
}

double Trainer::scheduled_lr() const {
  const auto& o = config_.optimizer;
  return cosine_warmup_lr(step_, o.lr, o.warmup_steps, config_.steps, o.lr_min_ratio);
}

StepMetrics Trainer::step() {
  const auto t0 = std::chrono::steady_clock::now();
  if (config_.bp_steps_final > 0) {  // HRM-Text's warmup of deep credit assignment
    const auto ramp = std::max<int64_t>(1, static_cast<int64_t>(config_.bp_warmup_fraction * static_cast<double>(config_.steps)));
    const auto extra = (config_.bp_steps_final - config_.model.bp_steps) * std::min<int64_t>(step_, ramp) / ramp;
    model_->inner->set_bp_steps(config_.model.bp_steps + extra);
  }
  const auto batch = batcher_->next(config_.batch_size);              // fresh examples for halted slots
  if (!carry_ready_) carry_ = model_->initial_carry(batch), carry_ready_ = true;
  auto [carry, out] = model_->forward(carry_, batch);                 // one ACT segment
  const auto loss = act_loss(carry, out, config_.model.loss);          // lm + 0.5 (q_halt + q_continue)
  optimizer_->zero_grad();
  (loss.loss / static_cast<double>(config_.batch_size)).backward();    // the reference's 1/global_batch scaling
  double grad_norm = 0;
  if (config_.optimizer.grad_clip > 0) {
    grad_norm = torch::nn::utils::clip_grad_norm_(model_->parameters(), config_.optimizer.grad_clip);
  }
  const double lr = scheduled_lr();
  for (size_t g = 0; g < optimizer_->param_groups().size(); ++g) optimizer_->param_groups()[g].options().set_lr(lr * group_lr_mult_[g]);
  optimizer_->step();
  if (puzzle_emb_optimizer_) {
    puzzle_emb_optimizer_->set_lr(lr / config_.optimizer.lr * config_.optimizer.puzzle_emb_lr);
    puzzle_emb_optimizer_->step(carry.current.puzzle_ids);
  }
  if (ema_) ema_->update();
  carry_ = std::move(carry);
  ++step_;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return {step_, loss.loss.item<double>(), lr, grad_norm, seconds, loss.metrics};
}

PuzzleEvalResult Trainer::evaluate() {
  if (ema_) ema_->swap();
  auto r = evaluate_puzzles(model_, data_.test, config_.eval_batch_size, config_.eval_max_examples, device_);
  if (ema_) ema_->swap();
  return r;
}

nlohmann::json Trainer::eval_json(const PuzzleEvalResult& r) const {
  return {{"step", step_}, {"eval_examples", r.examples}, {"eval_token_accuracy", r.token_accuracy},
          {"eval_exact_accuracy", r.exact_accuracy}, {"eval_exact_by_segment", r.exact_by_segment},
          {"eval_q_halt_exact_accuracy", r.q_halt_exact_accuracy}, {"eval_mean_q_halt_segments", r.mean_q_halt_segments}};
}

void Trainer::log_step(const StepMetrics& m) {
  const auto add = [](ActMetrics& a, const ActMetrics& b) {
    a.count += b.count, a.accuracy += b.accuracy, a.exact_accuracy += b.exact_accuracy;
    a.q_halt_accuracy += b.q_halt_accuracy, a.steps += b.steps;
    a.lm_loss += b.lm_loss, a.q_halt_loss += b.q_halt_loss, a.q_continue_loss += b.q_continue_loss;
  };
  add(window_, m.act);
  window_seconds_ += m.seconds;
  ++window_steps_;
  if (m.step % config_.log_interval != 0 && m.step != config_.steps) return;
  const double n = std::max(1.0, window_.count);
  const double per_step = static_cast<double>(config_.batch_size) * static_cast<double>(window_steps_);
  nlohmann::json j = {{"step", m.step},
                      {"lr", m.lr},
                      {"loss", m.loss},
                      {"lm_loss", window_.lm_loss / per_step},
                      {"q_halt_loss", window_.q_halt_loss / per_step},
                      {"q_continue_loss", window_.q_continue_loss / per_step},
                      {"accuracy", window_.accuracy / n},
                      {"exact_accuracy", window_.exact_accuracy / n},
                      {"q_halt_accuracy", window_.q_halt_accuracy / n},
                      {"mean_act_steps", window_.steps / n},
                      {"grad_norm", m.grad_norm},
                      {"ms_per_step", 1e3 * window_seconds_ / static_cast<double>(window_steps_)},
                      {"examples_per_s", per_step / window_seconds_},
                      {"tokens_per_s", per_step * static_cast<double>(config_.model.seq_len) / window_seconds_}};
  metrics_ << j.dump() << "\n" << std::flush;
  spdlog::info("step {:>6}/{}  loss {:.4f}  acc {:.3f}  exact {:.3f}  act {:.2f}  lr {:.2e}  {:.1f} ms/step", m.step,
               config_.steps, m.loss, window_.accuracy / n, window_.exact_accuracy / n, window_.steps / n, m.lr,
               1e3 * window_seconds_ / static_cast<double>(window_steps_));
  window_ = {};
  window_seconds_ = 0;
  window_steps_ = 0;
}

PuzzleEvalResult Trainer::run() {
  PuzzleEvalResult last;
  while (step_ < config_.steps) {
    log_step(step());
    const bool final = step_ == config_.steps;
    if (step_ % config_.eval_interval == 0 || final) {
      last = evaluate();
      metrics_ << eval_json(last).dump() << "\n" << std::flush;
      spdlog::info("eval @ {}: exact {:.4f}  token {:.4f}  (q-halt exact {:.4f} at {:.2f} segments)", step_,
                   last.exact_accuracy, last.token_accuracy, last.q_halt_exact_accuracy, last.mean_q_halt_segments);
    }
    if ((config_.checkpoint_interval > 0 && step_ % config_.checkpoint_interval == 0) || final) {
      save((fs::path(out_dir_) / (final ? "final" : "checkpoint")).string());
    }
  }
  return last;
}

void Trainer::save(const std::string& dir) {
  TensorMap extra = optimizer_state_tensors(*optimizer_, *model_->inner, "optimizer.");
  if (puzzle_emb_optimizer_) extra["puzzle_emb_optimizer.lr"] = torch::tensor(puzzle_emb_optimizer_->lr(), torch::kFloat64);
  if (ema_) {
    const auto params = model_->named_parameters();
    for (size_t i = 0; i < params.size(); ++i) extra["ema." + params[i].key()] = ema_->shadow()[i].to(torch::kCPU);
  }
  if (carry_ready_) {
    extra["carry.z_H"] = carry_.inner.z_H, extra["carry.z_L"] = carry_.inner.z_L;
    extra["carry.steps"] = carry_.steps, extra["carry.halted"] = carry_.halted;
    extra["carry.inputs"] = carry_.current.inputs, extra["carry.labels"] = carry_.current.labels;
    extra["carry.puzzle_ids"] = carry_.current.puzzle_ids;
  }
  extra["rng.act_generator"] = model_->generator().get_state();
  const nlohmann::json state = {{"step", step_}, {"data_epoch", batcher_->epoch()}, {"data_position", batcher_->position()},
                                {"data_path", config_.data_path}, {"train_config", config_.source}, {"seed", config_.seed}};
  save_checkpoint(dir, *model_->inner, state, extra);
}

void Trainer::resume(const std::string& dir) {
  auto c = load_checkpoint(dir, *model_->inner, /*with_trainer_tensors=*/true);
  const auto where = dir + "/train_state.safetensors";
  if (c.trainer_tensors.empty()) throw Error("checkpoint '" + dir + "' has no train_state.safetensors", "it can be evaluated but not resumed");
  load_optimizer_state(*optimizer_, *model_->inner, c.trainer_tensors, "optimizer.", where);
  const auto get = [&](const std::string& key) {
    const auto it = c.trainer_tensors.find(key);
    if (it == c.trainer_tensors.end()) throw Error(where + ": missing '" + key + "'");
    return it->second.to(device_);
  };
  if (puzzle_emb_optimizer_) puzzle_emb_optimizer_->set_lr(get("puzzle_emb_optimizer.lr").item<double>());
  if (ema_) {
    const auto params = model_->named_parameters();
    for (size_t i = 0; i < params.size(); ++i) ema_->shadow()[i].copy_(get("ema." + params[i].key()));
  }
  if (c.trainer_tensors.count("carry.z_H")) {
    carry_.inner = {get("carry.z_H"), get("carry.z_L")};
    carry_.steps = get("carry.steps"), carry_.halted = get("carry.halted");
    carry_.current = {get("carry.inputs"), get("carry.labels"), get("carry.puzzle_ids"), {}};
    carry_ready_ = true;
  }
  model_->generator().set_state(c.trainer_tensors.at("rng.act_generator"));
  step_ = c.train_state.at("step").get<int64_t>();
  batcher_->seek(c.train_state.at("data_epoch").get<int64_t>(), c.train_state.at("data_position").get<size_t>());
}

}  // namespace hrm
