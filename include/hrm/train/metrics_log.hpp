// MetricsLog — what a run reports: JSON lines in <run>/metrics.jsonl (one per log_interval window and
// one per evaluation) and, per stage, the one progress reporter (hrm::Progress: a bar with ETA and the
// window's loss, accuracy, lr and tok/s on a terminal, periodic lines otherwise). Only rank 0 writes.
// Field names are listed in docs/training.md.
#pragma once
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>

#include "hrm/model/losses.hpp"
#include "hrm/train/evaluation.hpp"
#include "hrm/util/progress.hpp"

namespace hrm {

struct StepMetrics {
  int64_t step = 0;        // global steps done, this one included
  int stage = 0;           // stage index
  int64_t stage_step = 0;  // steps done in the stage
  double loss = 0;         // total loss per example of the global batch
  double lr = 0, grad_norm = 0, seconds = 0;
  bool skipped = false;              // non-finite loss or gradient: no update was applied
  int64_t examples = 0, tokens = 0;  // in the global batch
  ActMetrics act;                    // sums over the global batch's halted sequences
  int64_t all_reduced_bytes = 0;     // gradient bytes this rank all-reduced (0 in one process)
};

// Resident and peak resident memory of this process, MiB (/proc/self/status VmRSS, VmHWM).
std::pair<double, double> process_memory_mb();

class MetricsLog {
 public:
  MetricsLog(const std::string& path, int64_t log_interval, bool enabled);
  void step(const StepMetrics& m, const std::string& stage_name, int64_t stage_steps, int stages);
  void eval(const EvalResult& r, int64_t step, int stage, const std::string& stage_name);
  void event(const nlohmann::json& j);  // e.g. {"event": "skipped_step", ...}

 private:
  void write(const nlohmann::json& j);
  Progress& stage_progress(const StepMetrics& m, const std::string& stage_name, int64_t stage_steps, int stages);
  bool enabled_;
  std::ofstream out_;
  int64_t log_interval_;
  ActMetrics window_;
  double window_seconds_ = 0, window_loss_ = 0;
  int64_t window_steps_ = 0, window_examples_ = 0, window_tokens_ = 0, window_skipped_ = 0;
  std::unique_ptr<Progress> progress_;  // of the stage being trained
  int progress_stage_ = -1;
};

}  // namespace hrm
