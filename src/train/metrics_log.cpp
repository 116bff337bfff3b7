#include "hrm/train/metrics_log.hpp"

#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>
#include <sstream>

namespace hrm {

std::pair<double, double> process_memory_mb() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return {0, 0};
  char line[256];
  double rss = 0, peak = 0;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    long kb = 0;
    if (std::sscanf(line, "VmRSS: %ld kB", &kb) == 1) rss = static_cast<double>(kb) / 1024.0;
    if (std::sscanf(line, "VmHWM: %ld kB", &kb) == 1) peak = static_cast<double>(kb) / 1024.0;
  }
  std::fclose(f);
  return {rss, peak};
}

MetricsLog::MetricsLog(const std::string& path, int64_t log_interval, bool enabled)
    : enabled_(enabled), log_interval_(log_interval) {
  if (enabled_) out_.open(path, std::ios::app);
}

void MetricsLog::write(const nlohmann::json& j) {
  if (enabled_) out_ << j.dump() << "\n" << std::flush;
}

void MetricsLog::event(const nlohmann::json& j) { write(j); }

void MetricsLog::step(const StepMetrics& m, const std::string& stage_name, int64_t stage_steps, int stages) {
  const auto add = [](ActMetrics& a, const ActMetrics& b) {
    a.count += b.count, a.accuracy += b.accuracy, a.exact_accuracy += b.exact_accuracy;
    a.q_halt_accuracy += b.q_halt_accuracy, a.steps += b.steps;
    a.lm_loss += b.lm_loss, a.q_halt_loss += b.q_halt_loss, a.q_continue_loss += b.q_continue_loss;
  };
  add(window_, m.act);
  window_seconds_ += m.seconds;
  window_loss_ += m.loss;
  window_examples_ += m.examples;
  window_tokens_ += m.tokens;
  window_skipped_ += m.skipped ? 1 : 0;
  ++window_steps_;
  const double n = std::max(1.0, window_.count);
  const double ex = std::max<double>(1.0, static_cast<double>(window_examples_));
  std::ostringstream line;
  line.precision(4);
  line << "loss " << window_loss_ / static_cast<double>(window_steps_) << "  acc " << window_.accuracy / n << "  exact "
       << window_.exact_accuracy / n << "  act " << window_.steps / n << "  lr " << m.lr << "  "
       << static_cast<int64_t>(static_cast<double>(window_tokens_) / window_seconds_) << " tok/s";
  // Right after a window starts no sequence may have halted yet: the line keeps the last full figures then.
  stage_progress(m, stage_name, stage_steps, stages).advance(1, window_.count > 0 ? line.str() : "");
  const bool log_now = m.step % log_interval_ == 0 || m.stage_step == stage_steps;
  if (!log_now) return;
  const auto [rss, peak] = process_memory_mb();
  const double steps = static_cast<double>(window_steps_);
  nlohmann::json j = {{"step", m.step},
                      {"stage", m.stage},
                      {"stage_name", stage_name},
                      {"stage_step", m.stage_step},
                      {"lr", m.lr},
                      {"loss", window_loss_ / steps},
                      {"lm_loss", window_.lm_loss / ex},
                      {"q_halt_loss", window_.q_halt_loss / ex},
                      {"q_continue_loss", window_.q_continue_loss / ex},
                      {"accuracy", window_.accuracy / n},
                      {"exact_accuracy", window_.exact_accuracy / n},
                      {"q_halt_accuracy", window_.q_halt_accuracy / n},
                      {"mean_act_steps", window_.steps / n},
                      {"grad_norm", m.grad_norm},
                      {"all_reduced_bytes", m.all_reduced_bytes},
                      {"skipped_steps", window_skipped_},
                      {"ms_per_step", 1e3 * window_seconds_ / steps},
                      {"examples_per_s", static_cast<double>(window_examples_) / window_seconds_},
                      {"tokens_per_s", static_cast<double>(window_tokens_) / window_seconds_},
                      {"rss_mb", rss},
                      {"peak_rss_mb", peak}};
  write(j);
  window_ = {};
  window_seconds_ = window_loss_ = 0;
  window_steps_ = window_examples_ = window_tokens_ = window_skipped_ = 0;
}

Progress& MetricsLog::stage_progress(const StepMetrics& m, const std::string& stage_name, int64_t stage_steps,
                                     int stages) {
  if (progress_ && progress_stage_ == m.stage) return *progress_;
  // A resumed stage counts from the step it resumed at, so the rate and ETA are this process's own.
  const int64_t first = m.stage_step - 1;
  std::string label = stage_name + " " + std::to_string(m.stage + 1) + "/" + std::to_string(stages);
  if (first > 0) label += ", resumed after step " + std::to_string(first);
  progress_.reset();  // the previous stage's last line first
  progress_ = std::make_unique<Progress>(label, static_cast<uint64_t>(stage_steps - first), "steps",
                                         enabled_ ? ProgressMode::kAuto : ProgressMode::kSilent);
  progress_stage_ = m.stage;
  return *progress_;
}

void MetricsLog::eval(const EvalResult& r, int64_t step, int stage, const std::string& stage_name) {
  write({{"step", step},
         {"stage", stage},
         {"stage_name", stage_name},
         {"eval_examples", r.examples},
         {"eval_labelled_examples", r.labelled_examples},
         {"eval_loss", r.loss},
         {"eval_token_accuracy", r.token_accuracy},
         {"eval_exact_accuracy", r.exact_accuracy},
         {"eval_exact_by_segment", r.exact_by_segment},
         {"eval_q_halt_exact_accuracy", r.q_halt_exact_accuracy},
         {"eval_mean_q_halt_segments", r.mean_q_halt_segments}});
  if (enabled_) {
    spdlog::info(
        "eval @ {} [{}]: loss {:.4f}  exact {:.4f}  token {:.4f}  (q-halt exact {:.4f} at {:.2f} segments; {} "
        "examples)",
        step, stage_name, r.loss, r.exact_accuracy, r.token_accuracy, r.q_halt_exact_accuracy, r.mean_q_halt_segments,
        r.examples);
  }
}

}  // namespace hrm
