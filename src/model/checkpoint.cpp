#include "hrm/model/checkpoint.hpp"

#include <unistd.h>

#include <filesystem>

#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace fs = std::filesystem;

namespace hrm {

void save_checkpoint(const std::string& dir, HRMInnerImpl& model, const nlohmann::json& train_state,
                     const TensorMap& trainer_tensors) {
  const fs::path final_dir(dir);
  const fs::path tmp = final_dir.string() + ".tmp-" + std::to_string(::getpid());
  std::error_code ec;
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  if (ec) throw Error("cannot create checkpoint directory '" + tmp.string() + "': " + ec.message());
  auto state = train_state;
  state["format_version"] = kCheckpointFormatVersion;
  save_safetensors((tmp / "model.safetensors").string(), module_tensors(model, HRMInnerImpl::is_derived_buffer),
                   {{"format", "pt"}, {"hrm_format_version", std::to_string(kCheckpointFormatVersion)}});
  if (!trainer_tensors.empty()) save_safetensors((tmp / "train_state.safetensors").string(), trainer_tensors);
  write_file_atomic(tmp / "config.yaml", model.config().to_yaml());
  write_file_atomic(tmp / "train_state.json", state.dump(2) + "\n");
  // Swap in: move any old checkpoint aside first so the directory name never points at a partial one.
  const fs::path old = final_dir.string() + ".old-" + std::to_string(::getpid());
  if (fs::exists(final_dir)) fs::rename(final_dir, old);
  fs::rename(tmp, final_dir);
  fs::remove_all(old, ec);
}

CheckpointContents read_checkpoint_meta(const std::string& dir) {
  return with_context("loading checkpoint '" + dir + "'", [&] {
    if (!fs::is_directory(dir))
      throw Error("not a directory", "pass the checkpoint directory (it holds model.safetensors and config.yaml)");
    CheckpointContents c;
    c.config = ModelConfig::from_file((fs::path(dir) / "config.yaml").string());
    const auto state_path = fs::path(dir) / "train_state.json";
    try {
      c.train_state = nlohmann::json::parse(read_file(state_path));
    } catch (const nlohmann::json::exception& e) {
      throw Error(state_path.string() + ": invalid JSON: " + e.what());
    }
    const int version = c.train_state.value("format_version", 0);
    if (version != kCheckpointFormatVersion) {
      throw Error("format_version " + std::to_string(version) + " is not supported (this hrm reads " +
                  std::to_string(kCheckpointFormatVersion) + ")");
    }
    return c;
  });
}

CheckpointContents load_checkpoint(const std::string& dir, HRMInnerImpl& model, bool with_trainer_tensors) {
  auto c = read_checkpoint_meta(dir);
  const auto mismatch = model.config().diff(c.config);
  if (!mismatch.empty()) {
    throw Error(
        "checkpoint '" + dir + "' was written for another model configuration: " + mismatch + " (model vs checkpoint)",
        "build the model from the checkpoint's config.yaml");
  }
  const auto weights = (fs::path(dir) / "model.safetensors").string();
  load_into_module(model, load_safetensors(weights), weights, HRMInnerImpl::is_derived_buffer);
  const auto extra = fs::path(dir) / "train_state.safetensors";
  if (with_trainer_tensors && fs::exists(extra)) c.trainer_tensors = load_safetensors(extra.string());
  return c;
}

}  // namespace hrm
