// Progress: counts under a lock; what is printed, and how often, depends only on the mode.
#include "hrm/util/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace hrm {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kBarRedraw = std::chrono::milliseconds(200);
constexpr auto kLineInterval = std::chrono::seconds(30);

// 950, 12.3K, 4.5M, 0.4: counts, byte sizes and rates alike.
std::string human(double v) {
  const char* suffix[] = {"", "K", "M", "G", "T"};
  int i = 0;
  while (v >= 1000.0 && i < 4) {
    v /= 1000.0;
    ++i;
  }
  char buf[32];
  const bool fraction = i > 0 || (v < 100 && v != static_cast<double>(static_cast<long>(v)));
  std::snprintf(buf, sizeof buf, fraction ? "%.1f%s" : "%.0f%s", v, suffix[i]);
  return buf;
}

// 45s, 3m05s, 2h10m.
std::string duration(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%lds", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, s % 3600 / 60);
  }
  return buf;
}

ProgressMode resolve(ProgressMode mode) {
  if (mode != ProgressMode::kAuto) return mode;
  return ::isatty(STDERR_FILENO) ? ProgressMode::kBar : ProgressMode::kLines;
}

}  // namespace

Progress::Progress(std::string label, uint64_t total, std::string unit, ProgressMode mode, std::ostream* out)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      mode_(resolve(mode)),
      out_(out ? *out : std::cerr),
      start_(Clock::now()),
      last_report_(start_) {}

Progress::~Progress() {
  try {
    finish();
  } catch (...) {
    // a full stream must not end the program from a destructor
  }
}

void Progress::advance(uint64_t n, const std::string& detail) {
  std::lock_guard<std::mutex> lock(mutex_);
  done_ += n;
  if (!detail.empty()) detail_ = detail;
  report(false);
}

void Progress::advance(uint64_t n, uint64_t passed, const std::string& detail) {
  std::lock_guard<std::mutex> lock(mutex_);
  counts_passes_ = true;
  passed_ += passed;
  done_ += n;
  if (!detail.empty()) detail_ = detail;
  report(false);
}

void Progress::set(uint64_t done) {
  std::lock_guard<std::mutex> lock(mutex_);
  done_ = done;
  report(false);
}

void Progress::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return;
  finished_ = true;
  report(true);
}

uint64_t Progress::done() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return done_;
}

uint64_t Progress::passed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return passed_;
}

void Progress::report(bool final_line) {
  if (finished_ && !final_line) return;
  const auto now = Clock::now();
  if (mode_ == ProgressMode::kBar) {
    if (!final_line && drawn_ && now - last_report_ < kBarRedraw) return;
    if (final_line && !drawn_) return;  // nothing was ever shown: no empty bar at the end
    out_ << '\r' << line() << (final_line ? "\n" : "   ") << std::flush;
  } else if (mode_ == ProgressMode::kLines) {
    const uint64_t tenth = total_ ? std::min<uint64_t>(10, done_ * 10 / total_) : 0;
    const bool new_tenth = tenth > last_tenth_;
    if (!final_line && !new_tenth && now - last_report_ < kLineInterval) return;
    if (final_line && drawn_ && tenth == 10) return;  // the 100% line is already out
    if (final_line && done_ == 0) return;
    last_tenth_ = tenth;
    out_ << line() << '\n' << std::flush;
  } else {
    return;
  }
  drawn_ = true;
  last_report_ = now;
}

std::string Progress::line() const {
  const double secs = std::chrono::duration<double>(Clock::now() - start_).count();
  const double rate = secs > 0 ? static_cast<double>(done_) / secs : 0.0;
  std::string s = label_ + (mode_ == ProgressMode::kLines ? ":" : "");
  if (mode_ == ProgressMode::kBar && total_ > 0) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(kWidth * std::min(1.0, static_cast<double>(done_) / total_));
    s += " [" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "]";
  }
  s += " " + human(static_cast<double>(done_));
  if (total_ > 0) {
    char pct[16];
    std::snprintf(pct, sizeof pct, " (%.0f%%)", 100.0 * std::min(1.0, static_cast<double>(done_) / total_));
    s += "/" + human(static_cast<double>(total_)) + " " + unit_ + pct;
  } else {
    s += " " + unit_;
  }
  if (counts_passes_) s += ", " + human(static_cast<double>(passed_)) + " passed";
  s += ", " + human(rate) + " " + unit_ + "/s";
  if (total_ > 0 && rate > 0 && done_ < total_) s += ", ETA " + duration(static_cast<double>(total_ - done_) / rate);
  if (total_ > 0 && done_ >= total_) s += ", " + duration(secs);
  if (!detail_.empty()) s += "  " + detail_;
  return s;
}

}  // namespace hrm
