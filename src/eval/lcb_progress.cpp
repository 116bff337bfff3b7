// The progress bar of a LiveCodeBench run (see lcb_progress.hpp); worker threads advance it at once,
// hence the lock.
#include "lcb_progress.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <utility>

namespace hrm::eval::lcb::detail {

using Clock = std::chrono::steady_clock;

ProgressBar::ProgressBar(std::string label, size_t total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled), tty_(::isatty(2)), start_(Clock::now()) {}

void ProgressBar::advance(size_t samples, size_t passed) {
  std::lock_guard<std::mutex> lock(mutex_);
  done_ += samples;
  passed_ += passed;
  if (!enabled_) return;
  const double secs = std::chrono::duration<double>(Clock::now() - start_).count();
  const double rate = secs > 0 ? done_ / secs : 0;
  if (tty_) {
    const int width = 30;
    const int filled = total_ ? static_cast<int>(width * done_ / total_) : width;
    std::fprintf(stderr, "\r%s [%s%s] %zu/%zu samples, %zu passed, %.1f samples/s, ETA %.0f s ", label_.c_str(),
                 std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(), done_, total_, passed_,
                 rate, rate > 0 ? (total_ - done_) / rate : 0.0);
    if (done_ == total_) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  } else if (total_ && (done_ * 10 / total_ != last_decile_ || done_ == total_)) {
    last_decile_ = done_ * 10 / total_;
    spdlog::info("{}: {}/{} samples judged, {} passed ({:.1f} samples/s)", label_, done_, total_, passed_, rate);
  }
}

}  // namespace hrm::eval::lcb::detail
