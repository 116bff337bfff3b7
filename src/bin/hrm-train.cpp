// hrm-train: train an HRM from a YAML config.
//   hrm-train --config configs/train/sudoku4x4.yaml --out runs/sudoku4x4 [--steps N] [--threads N] [--resume]
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>

#include "hrm/model/runtime.hpp"
#include "hrm/train/trainer.hpp"
#include "hrm/util/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"hrm-train: train a Hierarchical Reasoning Model"};
  std::string config_path, out_dir = "runs/default";
  int threads = -1;
  int64_t steps = 0;
  bool resume = false;
  app.add_option("--config", config_path, "training config (YAML)")->required();
  app.add_option("--out", out_dir, "run directory (metrics, checkpoints)");
  app.add_option("--threads", threads, "LibTorch threads (default: the config's, else all cores)");
  app.add_option("--steps", steps, "override the config's number of steps");
  app.add_flag("--resume", resume, "continue from <out>/checkpoint if present");
  CLI11_PARSE(app, argc, argv);
  try {
    auto config = hrm::TrainConfig::from_file(config_path);
    if (steps > 0) config.steps = steps;
    const int used = hrm::configure_threads(threads >= 0 ? threads : config.threads);
    spdlog::info("hrm-train: {} -> {} ({} threads)", config_path, out_dir, used);
    hrm::Trainer trainer(config, out_dir);
    spdlog::info("model: {} parameters", hrm::count_parameters(*trainer.model()));
    const auto ckpt = (std::filesystem::path(out_dir) / "checkpoint").string();
    if (resume && std::filesystem::exists(ckpt)) {
      trainer.resume(ckpt);
      spdlog::info("resumed from {} at step {}", ckpt, trainer.current_step());
    }
    const auto r = trainer.run();
    std::cout << "held-out exact accuracy: " << r.exact_accuracy << " (" << r.examples << " puzzles; token accuracy "
              << r.token_accuracy << ")" << std::endl;
  } catch (const hrm::Error& e) {
    std::cerr << "error: " << e.describe() << std::endl;
    return 1;
  }
  return 0;
}
