// hrm-train: train an HRM from a YAML config (a list of stages), alone or as one rank of hrm-launch.
//   hrm-train --config configs/train/sudoku4x4.yaml --out runs/sudoku4x4 [--steps N] [--threads N]
//             [--set key.path=value]... [--resume] [--device cpu|cuda[:i]]
//   hrm-train report --metrics runs/x/metrics.jsonl --out runs/x/report
//   hrm-train --config gspo.yaml --out runs/gspo        (a `kind: gspo` run, docs/rl.md; gspo stages can
//                                                       also follow sft stages in a stage list)
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <torch/cuda.h>

#include <csignal>
#include <filesystem>
#include <iostream>

#include "hrm/model/runtime.hpp"
#include "hrm/rl/gspo_stage.hpp"
#include "hrm/train/distributed.hpp"
#include "hrm/train/report.hpp"
#include "hrm/train/stop_signal.hpp"
#include "hrm/train/trainer.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/run_main.hpp"

namespace {

int train(const std::string& config_path, const std::string& out_dir, const std::vector<std::string>& overrides,
          int threads, int64_t steps, bool resume, const std::string& device_name) {
  const auto env = hrm::DistributedEnv::from_environment();
  if (env.rank != 0) spdlog::set_level(spdlog::level::warn);  // rank 0 logs; the others only warn
  auto all = overrides;
  auto config = hrm::TrainConfig::from_file(config_path, all);
  if (steps > 0) {
    if (config.stages.size() != 1) {
      throw hrm::Error(
          "--steps applies to single-stage configs; this one has " + std::to_string(config.stages.size()) + " stages",
          "use --set stages.N.steps=M");
    }
    config.stages[0].steps = steps;
  }
  torch::Device device = [&] {
    try {
      return torch::Device(device_name);
    } catch (const std::exception&) {
      throw hrm::Error("--device '" + device_name + "' is not a device", "use cpu, cuda or cuda:N");
    }
  }();
  if (device.is_cuda() && !torch::cuda::is_available()) {
    throw hrm::Error("--device " + device_name + ": this LibTorch has no CUDA, or no GPU is visible",
                     "train on --device cpu, or build against a CUDA LibTorch");
  }
  if (device.is_cuda() && env.world_size > 1 && !device.has_index())
    device = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(env.local_rank));
  const int used = hrm::configure_threads(threads >= 0 ? threads : config.threads);
  hrm::Distributed dist(env, config.distributed, device);
  spdlog::info("hrm-train: {} -> {} ({} threads, {} stage(s), {} steps, world size {}{})", config_path, out_dir, used,
               config.stages.size(), config.total_steps(), dist.world_size(),
               dist.world_size() > 1 ? ", " + dist.backend() : "");
  spdlog::info("resolved config (also in {}/train_config.yaml):\n{}", out_dir, config.to_yaml());
  hrm::install_stop_handlers();
  hrm::Trainer trainer(config, out_dir, device, &dist);
  spdlog::info("model: {} parameters", hrm::count_parameters(*trainer.model()));
  if (resume) {
    const auto used_dir = trainer.resume_latest();
    if (used_dir.empty())
      spdlog::info("--resume: no checkpoint under {} yet; starting at step 0", trainer.checkpoints_dir());
    else
      spdlog::info("resumed from {} at step {} (stage {})", used_dir, trainer.current_step(), trainer.current_stage());
  }
  const auto r = trainer.run();
  if (trainer.stopped_by_signal()) return 128 + hrm::stop_signal();
  if (dist.is_main()) {
    std::cout << "held-out exact accuracy: " << r.exact_accuracy << " (" << r.examples << " examples; token accuracy "
              << r.token_accuracy << ", loss " << r.loss << ")" << std::endl;
  }
  return 0;
}

// A config with `kind: gspo` at the top is a GSPO run from a text checkpoint (docs/rl.md).
int train_gspo(const std::string& config_path, const std::string& out_dir, const std::vector<std::string>& overrides,
               int threads) {
  const auto run = hrm::rl::read_gspo_run(config_path, overrides);
  const auto r = hrm::rl::run_gspo_stage(run.stage, out_dir, threads >= 0 ? threads : run.threads);
  std::cout << "gspo: final policy in " << out_dir << "/final";
  for (const auto& [k, v] : r.pass_at) std::cout << "  held-out pass@" << k << " " << v;
  std::cout << std::endl;
  return 0;
}

int run(int argc, char** argv) {
  CLI::App app{"hrm-train: train a Hierarchical Reasoning Model"};
  std::string config_path, out_dir = "runs/default", device = "cpu";
  std::vector<std::string> overrides;
  int threads = -1;
  int64_t steps = 0;
  bool resume = false;
  app.add_option("--config", config_path, "training config (YAML)");
  app.add_option("--out", out_dir, "run directory (metrics, checkpoints)");
  app.add_option("--set", overrides, "override a config key: --set stages.0.optimizer.lr=3e-4 (repeatable)");
  app.add_option("--threads", threads, "LibTorch threads (default: the config's, else all cores)");
  app.add_option("--steps", steps, "override the steps of a single-stage config");
  app.add_option("--device", device, "cpu, cuda or cuda:N (with hrm-launch: cuda:LOCAL_RANK)");
  app.add_flag("--resume", resume, "continue from the newest readable checkpoint in <out>/checkpoints");
  auto* report = app.add_subcommand("report", "draw training curves (PNG and SVG, via gnuplot) from metrics.jsonl");
  std::string metrics, report_out;
  report->add_option("--metrics", metrics, "a run's metrics.jsonl")->required();
  report->add_option("--out", report_out, "directory for the figures")->required();
  CLI11_PARSE(app, argc, argv);
  hrm::configure_cpu_allocator();          // keep freed activation memory instead of re-faulting it every step
  hrm::rl::register_trainer_extensions();  // `kind: gspo` in stage lists, eval.code
  if (*report) {
    const auto files = hrm::write_training_report(metrics, report_out);
    for (const auto& f : files.images) std::cout << f << "\n";
    return 0;
  }
  if (config_path.empty())
    throw hrm::Error("--config is required", "hrm-train --config configs/train/sudoku4x4.yaml --out runs/x");
  if (hrm::rl::is_gspo_run(config_path)) {
    if (resume || steps > 0 || device != "cpu") {
      throw hrm::Error("--resume, --steps and --device are not supported for gspo runs", "use --set steps=N");
    }
    return train_gspo(config_path, out_dir, overrides, threads);
  }
  return train(config_path, out_dir, overrides, threads, steps, resume, device);
}

}  // namespace

int main(int argc, char** argv) { return hrm::run_main(argc, argv, run); }
