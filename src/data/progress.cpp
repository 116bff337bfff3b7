#include "hrm/data/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace hrm {

namespace {

std::string human(double v, const std::string& unit) {
  const char* suffix[] = {"", "K", "M", "G", "T"};
  int i = 0;
  while (v >= 1000.0 && i < 4) {
    v /= 1000.0;
    ++i;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, i ? "%.1f%s %s" : "%.0f%s %s", v, suffix[i], unit.c_str());
  return buf;
}

}  // namespace

Progress::Progress(std::string label, uint64_t total, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), enabled_(::isatty(STDERR_FILENO) != 0) {
  start_ = last_ = std::chrono::steady_clock::now();
}

Progress::~Progress() { finish(); }

void Progress::update(uint64_t done) {
  done_ = done;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  draw(false);
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (enabled_) draw(true);
}

void Progress::draw(bool final_line) {
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = secs > 0 ? static_cast<double>(done_) / secs : 0.0;
  std::string bar;
  if (total_ > 0) {
    const double frac = std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_));
    const int width = 30, filled = static_cast<int>(frac * width);
    bar = "[" + std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(width - filled), '.') +
          "] ";
    char pct[16];
    std::snprintf(pct, sizeof pct, "%5.1f%% ", 100.0 * frac);
    bar += pct;
  }
  std::fprintf(stderr, "\r%s %s%s (%s/s)%s", label_.c_str(), bar.c_str(),
               human(static_cast<double>(done_), unit_).c_str(), human(rate, unit_).c_str(), final_line ? "\n" : "   ");
  std::fflush(stderr);
}

}  // namespace hrm
