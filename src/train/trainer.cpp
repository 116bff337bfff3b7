#include "hrm/train/trainer.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cmath>
#include <filesystem>

#include "hrm/model/checkpoint.hpp"
#include "hrm/model/lr_schedule.hpp"
#include "hrm/train/code_eval.hpp"
#include "hrm/train/external_stage.hpp"
#include "hrm/train/stop_signal.hpp"
#include "trainer_stage.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace fs = std::filesystem;

namespace hrm {

Trainer::Trainer(TrainConfig config, std::string out_dir, torch::Device device, Distributed* dist)
    : config_(std::move(config)), out_dir_(std::move(out_dir)), device_(device), dist_(dist ? dist : &local_) {
  torch::manual_seed(config_.seed);
  model_ = HRM(config_.model, config_.seed);
  if (!config_.init.empty()) {
    const auto c = load_checkpoint(config_.init, *model_->inner);
    // The data behind the starting weights is part of this model's training data too.
    const auto inherited = c.train_state.value("data_cutoff", std::string());
    if (inherited > config_.data_cutoff) config_.data_cutoff = inherited;
    spdlog::info("initial weights from {} (step {})", config_.init, c.train_state.value("step", int64_t{0}));
  }
  model_->to(device_);
  model_->train();
  start_stage(0);
  if (dist_->is_main()) {
    fs::create_directories(out_dir_);
    write_file_atomic(fs::path(out_dir_) / "model_config.yaml", config_.model.to_yaml());
    write_file_atomic(fs::path(out_dir_) / "train_config.yaml", config_.to_yaml());
  }
  log_ = std::make_unique<MetricsLog>((fs::path(out_dir_) / "metrics.jsonl").string(), config_.log_interval,
                                      dist_->is_main());
}

Trainer::~Trainer() = default;

void Trainer::start_stage(int index) {
  stage_.reset();  // release the previous stage's data and optimizer first
  stage_ = std::make_unique<Stage>(config_, index, model_, dist_->world_size(), dist_->rank());
}

int Trainer::current_stage() const { return stage_->index; }

bool Trainer::finished() const {
  return stage_->index + 1 == static_cast<int>(config_.stages.size()) && stage_->done();
}

std::string Trainer::checkpoints_dir() const { return (fs::path(out_dir_) / "checkpoints").string(); }

Trainer::Stage& Trainer::stage() {
  if (stage_->done() && stage_->index + 1 < static_cast<int>(config_.stages.size())) {
    const auto tokenizer = stage_->tokenizer_path();  // an external stage starts from a text checkpoint
    start_stage(stage_->index + 1);
    stage_->external_tokenizer = tokenizer;
  }
  return *stage_;
}

void Trainer::run_code_eval(Stage& st) {
  if (dist_->is_main()) {
    const auto& c = st.config.eval.code;
    const auto t0 = std::chrono::steady_clock::now();
    // The evaluator reads a text checkpoint: the weights evaluated (EMA when the stage keeps one) and the tokenizer.
    const auto dir = (fs::path(out_dir_) / "code_eval_model").string();
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (st.ema) st.ema->swap();
    save_checkpoint(dir, *model_->inner, {{"step", step_}});
    if (st.ema) st.ema->swap();
    fs::copy_file(st.tokenizer_path(), fs::path(dir) / "tokenizer.model");
    const auto pass_at = (*code_evaluator())(dir, c, mix_seed(config_.seed, static_cast<uint64_t>(step_)));
    fs::remove_all(dir, ec);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    nlohmann::json j{{"event", "code_eval"},   {"step", step_},    {"stage", st.index}, {"stage_name", st.config.name},
                     {"problems", c.problems}, {"limit", c.limit}, {"n", c.n},          {"seconds", seconds}};
    std::string line;
    for (const auto& [k, v] : pass_at) {
      j["eval_pass@" + std::to_string(k)] = v;
      line += fmt::format(" pass@{} {:.3f}", k, v);
    }
    log_->event(j);
    spdlog::info("code eval @ {} [{}]:{} ({} samples per problem, sandbox, {:.1f} s)", step_, st.config.name, line, c.n,
                 seconds);
  }
  dist_->barrier();  // the other ranks wait for rank 0's evaluation
}

void Trainer::run_external_stage(Stage& st) {
  const auto what =
      "stages." + std::to_string(st.index) + " ('" + st.config.name + "', kind " + st.config.external_kind + ")";
  HRM_CHECK(
      dist_->world_size() == 1, what + " runs in one process, this run has " + std::to_string(dist_->world_size()),
      "run the data-parallel stages as one job and this stage as a second hrm-train job with init: <first job>/final");
  HRM_CHECK(device_.is_cpu(), what + " runs on the CPU", "train it with --device cpu (or as its own job)");
  const auto* kind = find_stage_kind(st.config.external_kind);
  HRM_CHECK(kind != nullptr, what + ": the kind is not registered in this program");
  if (st.index == 0) st.external_tokenizer = (fs::path(config_.init) / "tokenizer.model").string();
  HRM_CHECK(!st.external_tokenizer.empty() && fs::exists(st.external_tokenizer),
            what + " needs a text model, but the weights it starts from have no tokenizer",
            "put it after an sft stage, or start the run from a text checkpoint (init:)");
  char index[16];
  std::snprintf(index, sizeof index, "%02d", st.index);
  const fs::path dir = fs::path(out_dir_) / "stages" / (std::string(index) + "-" + st.config.name);
  const auto start = (dir / "start").string();
  std::error_code ec;
  fs::remove_all(dir, ec);  // not resumable inside: a resume starts the stage over
  nlohmann::json state{{"step", step_}, {"stage", st.index}, {"stage_name", st.config.name}};
  if (!config_.data_cutoff.empty()) state["data_cutoff"] = config_.data_cutoff;
  save_checkpoint(start, *model_->inner, state);
  fs::copy_file(st.external_tokenizer, fs::path(start) / "tokenizer.model");
  spdlog::info("stage {}: {} steps from {}, logs in {}", what, st.config.steps, start, dir.string());
  log_->event({{"event", "stage_start"},
               {"stage", st.index},
               {"stage_name", st.config.name},
               {"kind", st.config.external_kind},
               {"step", step_},
               {"dir", dir.string()}});
  kind->run(st.config.external_yaml, start, dir.string(), at::get_num_threads());
  const auto result = (dir / "final").string();
  const auto c = load_checkpoint(result, *model_->inner);
  const auto cutoff = c.train_state.value("data_cutoff", std::string());
  if (cutoff > config_.data_cutoff) config_.data_cutoff = cutoff;
  st.external_tokenizer = (fs::path(result) / "tokenizer.model").string();
  st.step = st.config.steps;
  step_ += st.config.steps;
  log_->event({{"event", "stage_end"},
               {"stage", st.index},
               {"stage_name", st.config.name},
               {"step", step_},
               {"metrics", (dir / "metrics.jsonl").string()}});
  maybe_save_periodic(/*stage_end=*/true, nullptr);
}

StepMetrics Trainer::step() {
  const auto t0 = std::chrono::steady_clock::now();
  auto& st = stage();
  HRM_CHECK(!st.done(), "Trainer::step: every stage is done (" + std::to_string(step_) + " steps)");
  st.apply_bp_warmup(*model_->inner);
  StepMetrics m;
  st.optimizer->zero_grad();
  micro_batches(st, m);                // next batch → forward(carry) → act_loss → backward, per micro-batch
  m.grad_norm = reduce_gradients(st);  // all-reduce over ranks, norm, clip
  m.all_reduced_bytes = st.step_all_reduced_bytes;
  m.skipped = !std::isfinite(m.loss) || !std::isfinite(m.grad_norm);
  m.lr = st.scheduled_lr();
  if (!m.skipped) apply_update(st, m.lr);  // optimizer, SignSGD, EMA
  ++st.step;
  ++step_;
  bad_steps_ = m.skipped ? bad_steps_ + 1 : 0;
  m.step = step_, m.stage = st.index, m.stage_step = st.step;
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (m.skipped) {
    spdlog::warn("step {}: non-finite loss ({}) or gradient norm ({}); update skipped ({} in a row)", step_, m.loss,
                 m.grad_norm, bad_steps_);
    log_->event({{"event", "skipped_step"},
                 {"step", step_},
                 {"loss", m.loss},
                 {"grad_norm", m.grad_norm},
                 {"in_a_row", bad_steps_}});
    if (bad_steps_ >= config_.max_bad_steps) {
      throw Error(
          "stopping at step " + std::to_string(step_) + ": " + std::to_string(bad_steps_) +
              " non-finite steps in a row",
          "lower the learning rate, set optimizer.grad_clip, or train in float32; the last checkpoint is intact");
    }
  }
  return m;
}

void Trainer::micro_batches(Stage& st, StepMetrics& m) {
  const auto rows = st.sampler->next(st.global_batch);            // the same global batch on every rank
  const auto scale = 1.0 / static_cast<double>(st.global_batch);  // the reference's 1/global_batch
  // loss, examples, tokens, the 8 ActMetrics sums, a stop flag: summed over ranks in one collective.
  std::vector<double> sums(12, 0.0);
  std::vector<torch::Tensor> ids;
  for (int64_t k = 0; k < st.accumulation; ++k) {
    const int64_t chunk = st.first_chunk + k;
    const std::vector<SampleRef> part(rows.begin() + chunk * st.micro_batch,
                                      rows.begin() + (chunk + 1) * st.micro_batch);
    const auto batch = st.data->train_batch(part, device_);
    model_->generator().set_current_seed(st.exploration_seed(chunk));
    auto& carry = st.carries[static_cast<size_t>(k)];
    if (!carry.steps.defined()) carry = model_->initial_carry(batch);
    auto [next, out] = model_->forward(carry, batch, LogitPositions::kLabelled);  // one ACT segment
    const auto loss = act_loss(next, out, config_.model.loss);                    // lm + 0.5 (q_halt + q_continue)
    (loss.loss * scale).backward();
    if (st.puzzle_emb_optimizer) ids.push_back(next.current.puzzle_ids);
    carry = std::move(next);
    const auto& a = loss.metrics;
    sums[0] += loss.loss.item<double>();
    sums[1] += static_cast<double>(batch.size());
    sums[2] += static_cast<double>(batch.inputs.numel());
    sums[3] += a.count, sums[4] += a.accuracy, sums[5] += a.exact_accuracy, sums[6] += a.q_halt_accuracy;
    sums[7] += a.steps, sums[8] += a.lm_loss, sums[9] += a.q_halt_loss, sums[10] += a.q_continue_loss;
  }
  sums[11] = stop_signal() != 0 ? 1.0 : 0.0;  // every rank learns that one was asked to stop
  sums = dist_->sum(sums);
  m.loss = sums[0] * scale;
  m.examples = static_cast<int64_t>(sums[1]);
  m.tokens = static_cast<int64_t>(sums[2]);
  m.act = {sums[3], sums[4], sums[5], sums[6], sums[7], sums[8], sums[9], sums[10]};
  st.stop_requested = sums[11] > 0;
  if (st.puzzle_emb_optimizer)
    st.step_puzzle_rows = SparseSignSGD::unique_rows(dist_->all_gather(torch::cat(ids)).reshape({-1}));
}

double Trainer::reduce_gradients(Stage& st) {
  std::vector<torch::Tensor> grads;
  for (auto& p : st.params) {
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);  // same tensor list on every rank
    grads.push_back(p.grad());
  }
  if (st.puzzle_emb_optimizer) {
    // The task embedding: only the rows the global batch touched (the same rows on every rank), not the table.
    st.step_puzzle_grad = st.puzzle_emb_optimizer->take_grad_rows(st.step_puzzle_rows);
    grads.push_back(st.step_puzzle_grad);
  }
  const auto sent = dist_->all_reduced_bytes();
  dist_->all_reduce_sum(grads, static_cast<int64_t>(config_.distributed.bucket_mb * (1 << 20)));
  st.step_all_reduced_bytes = dist_->all_reduced_bytes() - sent;
  // The untouched rows of the task embedding have zero gradient: this is the norm of the dense gradient.
  std::vector<torch::Tensor> norms;
  for (const auto& g : grads) norms.push_back(g.norm(2).to(torch::kFloat64));
  const double norm = torch::stack(norms).norm(2).item<double>();
  const double clip = st.config.optimizer.grad_clip;
  if (clip > 0 && std::isfinite(norm) && norm > clip) {
    for (auto& g : grads) g.mul_(clip / (norm + 1e-6));
  }
  return norm;
}

void Trainer::apply_update(Stage& st, double lr) {
  for (size_t g = 0; g < st.optimizer->param_groups().size(); ++g) {
    st.optimizer->param_groups()[g].options().set_lr(lr * st.group_lr_mult[g]);
  }
  st.optimizer->step();
  if (st.puzzle_emb_optimizer) {
    st.puzzle_emb_optimizer->set_lr(lr / st.config.optimizer.lr * st.config.optimizer.puzzle_emb_lr);
    st.puzzle_emb_optimizer->step(st.step_puzzle_rows, st.step_puzzle_grad);
  }
  if (st.ema) st.ema->update();
}

EvalResult Trainer::evaluate() {
  auto& st = *stage_;
  const auto total = st.data->held_out_size();
  const auto n = st.config.eval.max_examples > 0 ? std::min(st.config.eval.max_examples, total) : total;
  const auto w = static_cast<int64_t>(dist_->world_size()), r = static_cast<int64_t>(dist_->rank());
  if (st.ema) st.ema->swap();
  auto sums = evaluate_examples(
      model_, n * r / w, n * (r + 1) / w, st.config.eval.batch_size,
      [&](int64_t b, int64_t e) { return st.data->held_out_batch(b, e, device_); }, config_.model.loss);
  if (st.ema) st.ema->swap();
  sums.values = dist_->sum(sums.values);
  return sums.to_result();
}

EvalResult Trainer::run() {
  EvalResult last;
  while (!finished()) {
    if (stage().external()) {
      run_external_stage(stage());
      continue;
    }
    const auto m = step();
    auto& st = *stage_;
    log_->step(m, st.config.name, st.config.steps, static_cast<int>(config_.stages.size()));
    const bool stage_end = st.done();
    EvalResult eval;
    bool evaluated = false;
    if ((st.step % st.config.eval.interval == 0 || stage_end) && st.data->held_out_size() > 0) {
      eval = evaluate();
      evaluated = true;
      last = eval;
      log_->eval(eval, step_, st.index, st.config.name);
      if (!st.config.eval.code.problems.empty()) run_code_eval(st);
    }
    if (st.stop_requested) {
      stopped_ = true;
      const auto dir = (fs::path(checkpoints_dir()) / checkpoint_name(step_)).string();
      save(dir);
      prune_checkpoints();
      if (dist_->is_main())
        spdlog::warn("stop requested (signal {}): checkpoint {} written at step {}; continue with --resume",
                     stop_signal(), dir, step_);
      return last;
    }
    maybe_save_periodic(stage_end, evaluated ? &eval : nullptr);
  }
  if (last.examples == 0 && stage_->data && stage_->data->held_out_size() > 0)
    last = evaluate();  // e.g. resumed at the very end
  save((fs::path(out_dir_) / "final").string());
  return last;
}

}  // namespace hrm
