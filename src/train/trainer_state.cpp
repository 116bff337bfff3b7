// Trainer checkpoints: what is saved for an exact resume, where, and which ones are kept.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "hrm/model/checkpoint.hpp"
#include "hrm/train/optimizer_state.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"
#include "trainer_stage.hpp"

namespace fs = std::filesystem;

namespace hrm {
namespace {

constexpr int kTrainStateVersion = 2;  // train_state.json layout written by this trainer

// The named tensors of one ACT carry (prefix_lens only for prefix-LM batches).
std::vector<std::pair<std::string, torch::Tensor*>> carry_fields(Carry& c) {
  std::vector<std::pair<std::string, torch::Tensor*>> f = {{"z_H", &c.inner.z_H},
                                                           {"z_L", &c.inner.z_L},
                                                           {"steps", &c.steps},
                                                           {"halted", &c.halted},
                                                           {"inputs", &c.current.inputs},
                                                           {"labels", &c.current.labels},
                                                           {"puzzle_ids", &c.current.puzzle_ids}};
  if (c.current.prefix_lens.defined()) f.emplace_back("prefix_lens", &c.current.prefix_lens);
  return f;
}

std::string carry_key(int64_t chunk, const std::string& field) {
  return "carry." + std::to_string(chunk) + "." + field;
}

// Moves `staging` into place as `dir` (the old `dir`, if any, is moved aside first and removed after).
void swap_in(const fs::path& staging, const fs::path& dir) {
  const fs::path old = dir.string() + ".old";
  std::error_code ec;
  fs::remove_all(old, ec);
  if (fs::exists(dir)) fs::rename(dir, old);
  fs::rename(staging, dir);
  fs::remove_all(old, ec);
}

}  // namespace

void Trainer::save(const std::string& dir) {
  auto& st = *stage_;
  TensorMap extra;
  // Every rank's carries go into the checkpoint, keyed by global micro-batch: collective.
  const bool have_carry = !st.carries.empty() && st.carries.front().steps.defined();
  if (have_carry) {
    for (int64_t k = 0; k < st.accumulation; ++k) {
      for (auto& [name, t] : carry_fields(st.carries[static_cast<size_t>(k)])) {
        const auto all = dist_->all_gather(*t);
        for (int64_t r = 0; r < dist_->world_size(); ++r)
          extra[carry_key(r * st.accumulation + k, name)] = all[r].cpu();
      }
    }
  }
  if (!dist_->is_main()) {
    dist_->barrier();
    return;
  }
  if (st.optimizer) {
    auto opt = optimizer_state_tensors(*st.optimizer, *model_->inner, "optimizer.");
    extra.insert(opt.begin(), opt.end());
  }
  if (st.puzzle_emb_optimizer)
    extra["puzzle_emb_optimizer.lr"] = torch::tensor(st.puzzle_emb_optimizer->lr(), torch::kFloat64);
  if (st.ema) {
    const auto params = model_->named_parameters();
    for (size_t i = 0; i < params.size(); ++i) extra["ema." + params[i].key()] = st.ema->shadow()[i].to(torch::kCPU);
  }
  nlohmann::json state = {
      {"train_state_version", kTrainStateVersion},
      {"step", step_},
      {"stage", st.index},
      {"stage_name", st.config.name},
      {"stage_kind", kind_name(st.config)},
      {"stage_step", st.step},
      {"stage_steps", st.config.steps},
      {"global_batch_size", st.global_batch},
      {"micro_batch_size", st.micro_batch},
      {"world_size", dist_->world_size()},
      {"lr", st.scheduled_lr()},
      {"sampler", st.sampler ? st.sampler->state() : nlohmann::json()},
      {"bad_steps_in_a_row", bad_steps_},
      {"seed", config_.seed},
      {"rng", "ACT exploration draws are seeded from (seed, stage, stage_step, micro-batch); nothing to restore"},
      {"train_config", config_.source},
      {"has_carry", have_carry}};
  if (have_best_)
    state["best"] = {{"metric", config_.checkpoint.best_metric}, {"value", best_metric_}, {"dir", best_dir_}};
  if (!st.tokenizer_path().empty()) state["tokenizer"] = "tokenizer.model";
  if (!config_.data_cutoff.empty()) state["data_cutoff"] = config_.data_cutoff;
  if (!config_.init.empty()) state["init"] = config_.init;
  const fs::path final_dir(dir), staging = dir + ".partial";
  std::error_code ec;
  fs::remove_all(staging, ec);
  fs::create_directories(final_dir.parent_path().empty() ? fs::path(".") : final_dir.parent_path());
  save_checkpoint(staging.string(), *model_->inner, state, extra);
  if (!st.tokenizer_path().empty())
    fs::copy_file(st.tokenizer_path(), staging / "tokenizer.model", fs::copy_options::overwrite_existing);
  write_file_atomic(staging / "train_config.yaml", config_.to_yaml());
  swap_in(staging, final_dir);
  dist_->barrier();
}

void Trainer::resume(const std::string& dir) {
  const auto meta = read_checkpoint_meta(dir);
  const auto where = dir + "/train_state.json";
  const auto& s = meta.train_state;
  try {
    if (s.value("train_state_version", 1) != kTrainStateVersion) {
      throw Error(where + ": train_state_version " + std::to_string(s.value("train_state_version", 1)) +
                      " cannot be resumed by this trainer (" + std::to_string(kTrainStateVersion) + ")",
                  "the weights still load for evaluation; start a new run from them");
    }
    const int index = s.at("stage").get<int>();
    if (index < 0 || index >= static_cast<int>(config_.stages.size()) ||
        config_.stages[static_cast<size_t>(index)].name != s.at("stage_name").get<std::string>()) {
      throw Error(where + ": the checkpoint is in stage " + std::to_string(index) + " ('" +
                      s.at("stage_name").get<std::string>() + "'), which this config does not have at that position",
                  "resume with the config the run was started with");
    }
    start_stage(index);
    auto& st = *stage_;
    if (st.external()) {  // written only at the stage's end: the weights are all there is
      HRM_CHECK(s.at("stage_step").get<int64_t>() == st.config.steps,
                where + ": an unfinished " + st.config.external_kind + " stage",
                "external stages are checkpointed at their end only");
      load_checkpoint(dir, *model_->inner);
      st.external_tokenizer = (fs::path(dir) / "tokenizer.model").string();
      restore_progress(s);
      return;
    }
    if (s.at("global_batch_size").get<int64_t>() != st.global_batch ||
        s.at("micro_batch_size").get<int64_t>() != st.micro_batch) {
      throw Error(where + ": written with global/micro batch " +
                      std::to_string(s.at("global_batch_size").get<int64_t>()) + "/" +
                      std::to_string(s.at("micro_batch_size").get<int64_t>()) + ", the config has " +
                      std::to_string(st.global_batch) + "/" + std::to_string(st.micro_batch),
                  "the ACT carries belong to micro-batches: keep both sizes (the number of processes may change)");
    }
    auto c = load_checkpoint(dir, *model_->inner, /*with_trainer_tensors=*/true);
    const auto tensors_file = dir + "/train_state.safetensors";
    if (c.trainer_tensors.empty())
      throw Error("checkpoint '" + dir + "' has no train_state.safetensors", "it can be evaluated but not resumed");
    const auto get = [&](const std::string& key) {
      const auto it = c.trainer_tensors.find(key);
      if (it == c.trainer_tensors.end()) throw Error(tensors_file + ": missing '" + key + "'");
      return it->second.to(device_);
    };
    load_optimizer_state(*st.optimizer, *model_->inner, c.trainer_tensors, "optimizer.", tensors_file);
    if (st.puzzle_emb_optimizer) st.puzzle_emb_optimizer->set_lr(get("puzzle_emb_optimizer.lr").item<double>());
    if (st.ema) {
      torch::NoGradGuard no_grad;
      const auto params = model_->named_parameters();
      for (size_t i = 0; i < params.size(); ++i) st.ema->shadow()[i].copy_(get("ema." + params[i].key()));
    }
    if (s.at("has_carry").get<bool>()) {
      for (int64_t k = 0; k < st.accumulation; ++k) {
        auto& carry = st.carries[static_cast<size_t>(k)];
        const auto chunk = st.first_chunk + k;
        if (st.config.kind == StageKind::kSft) carry.current.prefix_lens = get(carry_key(chunk, "prefix_lens"));
        for (auto& [name, t] : carry_fields(carry)) *t = get(carry_key(chunk, name));
      }
    }
    st.sampler->restore(s.at("sampler"), where);
    restore_progress(s);
  } catch (const nlohmann::json::exception& e) {
    throw Error(where + ": malformed training state: " + e.what());
  }
}

void Trainer::restore_progress(const nlohmann::json& s) {
  stage_->step = s.at("stage_step").get<int64_t>();
  step_ = s.at("step").get<int64_t>();
  bad_steps_ = s.at("bad_steps_in_a_row").get<int64_t>();
  have_best_ = s.contains("best");
  if (have_best_)
    best_metric_ = s["best"].at("value").get<double>(), best_dir_ = s["best"].at("dir").get<std::string>();
}

std::string Trainer::resume_latest() {
  std::vector<fs::path> candidates;
  if (fs::is_directory(checkpoints_dir())) {
    for (const auto& e : fs::directory_iterator(checkpoints_dir())) {
      const auto name = e.path().filename().string();
      if (e.is_directory() && name.rfind("step-", 0) == 0 && name.find('.') == std::string::npos)
        candidates.push_back(e.path());
    }
  }
  std::sort(candidates.rbegin(), candidates.rend());
  std::string used;
  for (const auto& dir : candidates) {
    try {
      resume(dir.string());
      used = dir.string();
      break;
    } catch (const Error& e) {
      spdlog::warn("checkpoint {} cannot be resumed ({}); falling back to the previous one", dir.string(), e.what());
    }
  }
  if (used.empty() && !candidates.empty()) {
    throw Error("no checkpoint under '" + checkpoints_dir() + "' can be resumed (" + std::to_string(candidates.size()) +
                    " tried)",
                "see the warnings above; remove the run directory to start over");
  }
  if (used.empty()) start_stage(0), step_ = 0;
  // Every rank must continue from the same step.
  const double s = static_cast<double>(step_);
  if (dist_->max(s) != s || -dist_->max(-s) != s) {
    throw Error("ranks resumed from different checkpoints (this rank: step " + std::to_string(step_) + ")",
                "all ranks must see the same run directory (a shared filesystem)");
  }
  return used;
}

void Trainer::maybe_save_periodic(bool stage_end, const EvalResult* eval) {
  const auto& k = config_.checkpoint;
  bool better = false;
  if (eval != nullptr && k.keep_best && eval->examples > 0) {
    const double v = k.best_metric == "eval_loss" ? eval->loss : eval->exact_accuracy;
    better = !have_best_ || (k.best_metric == "eval_loss" ? v < best_metric_ : v > best_metric_);
    if (better) best_metric_ = v, have_best_ = true;
  }
  const bool periodic = k.interval > 0 && step_ % k.interval == 0;
  if (!(periodic || stage_end || better)) return;
  const auto dir = (fs::path(checkpoints_dir()) / checkpoint_name(step_)).string();
  if (better) best_dir_ = dir;
  save(dir);
  if (better && dist_->is_main()) {
    write_file_atomic(
        fs::path(checkpoints_dir()) / "best.json",
        nlohmann::json({{"dir", dir}, {"step", step_}, {"metric", k.best_metric}, {"value", best_metric_}}).dump(2) +
            "\n");
    const auto link = fs::path(checkpoints_dir()) / "best";
    std::error_code ec;
    fs::remove(link, ec);
    fs::create_directory_symlink(fs::path(dir).filename(), link, ec);
  }
  prune_checkpoints();
}

void Trainer::prune_checkpoints() {
  if (!dist_->is_main() || !fs::is_directory(checkpoints_dir())) return;
  // <out>/checkpoint always names the newest checkpoint (the layout docs/inference.md uses).
  std::vector<fs::path> all;
  for (const auto& e : fs::directory_iterator(checkpoints_dir())) {
    const auto name = e.path().filename().string();
    if (e.is_directory() && !e.is_symlink() && name.rfind("step-", 0) == 0 && name.find('.') == std::string::npos)
      all.push_back(e.path());
  }
  if (!all.empty()) {
    const auto link = fs::path(out_dir_) / "checkpoint", tmp = fs::path(out_dir_) / "checkpoint.link-tmp";
    std::error_code ec;
    fs::remove(tmp, ec);
    fs::create_directory_symlink(fs::path("checkpoints") / std::max_element(all.begin(), all.end())->filename(), tmp,
                                 ec);
    if (!ec && (!fs::exists(link) || fs::is_symlink(link))) fs::rename(tmp, link, ec);  // atomic replace
    fs::remove(tmp, ec);
  }
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(checkpoints_dir())) {
    const auto name = e.path().filename().string();
    if (e.is_directory() && !e.is_symlink() && name.rfind("step-", 0) == 0 && name.find('.') == std::string::npos)
      dirs.push_back(e.path());
  }
  std::sort(dirs.begin(), dirs.end());
  const auto keep = static_cast<size_t>(config_.checkpoint.keep_last);
  for (size_t i = 0; i + keep < dirs.size(); ++i) {
    if (dirs[i].string() == best_dir_) continue;
    std::error_code ec;
    fs::remove_all(dirs[i], ec);
  }
}

}  // namespace hrm
