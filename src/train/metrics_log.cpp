#include "hrm/train/metrics_log.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

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

namespace {

std::string duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const auto s = static_cast<int64_t>(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return buf;
}

std::string bar(double fraction, int width) {
  const int filled = static_cast<int>(fraction * width + 0.5);
  return std::string(static_cast<size_t>(std::clamp(filled, 0, width)), '#') +
         std::string(static_cast<size_t>(width - std::clamp(filled, 0, width)), '.');
}

}  // namespace

MetricsLog::MetricsLog(const std::string& path, int64_t log_interval, int64_t total_steps, bool enabled)
    : enabled_(enabled),
      tty_(enabled && ::isatty(STDERR_FILENO) != 0),
      log_interval_(log_interval),
      total_steps_(total_steps) {
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
  run_seconds_ += m.seconds;
  ++run_steps_;
  const double eta = run_seconds_ / static_cast<double>(run_steps_) * static_cast<double>(total_steps_ - m.step);
  const double n = std::max(1.0, window_.count);
  const double ex = std::max<double>(1.0, static_cast<double>(window_examples_));
  const auto line = [&] {
    std::ostringstream s;
    s.precision(4);
    s << "[" << stage_name << " " << (m.stage + 1) << "/" << stages << "] ["
      << bar(static_cast<double>(m.stage_step) / static_cast<double>(stage_steps), 24) << "] " << m.stage_step << "/"
      << stage_steps << "  loss " << window_loss_ / static_cast<double>(window_steps_) << "  acc "
      << window_.accuracy / n << "  exact " << window_.exact_accuracy / n << "  act " << window_.steps / n << "  lr "
      << m.lr << "  " << static_cast<int64_t>(static_cast<double>(window_tokens_) / window_seconds_) << " tok/s  ETA "
      << duration(eta);
    return s.str();
  };
  const bool log_now = m.step % log_interval_ == 0 || m.stage_step == stage_steps;
  if (tty_ && enabled_) {
    std::fprintf(stderr, "\r%s\033[K", line().c_str());
    if (log_now) std::fprintf(stderr, "\n");
  }
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
  if (enabled_ && !tty_) spdlog::info("{}", line());
  window_ = {};
  window_seconds_ = window_loss_ = 0;
  window_steps_ = window_examples_ = window_tokens_ = window_skipped_ = 0;
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
