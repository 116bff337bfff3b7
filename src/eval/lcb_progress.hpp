// Progress of a long judging run, so that hours of sampling are not silent: a one-line bar on a
// terminal, a log line per 10% otherwise. Internal to src/eval.
#pragma once
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace hrm::eval::lcb::detail {

// A one-line progress bar on stderr (a log line per 10% when stderr is not a terminal).
class ProgressBar {
 public:
  ProgressBar(std::string label, size_t total, bool enabled);
  void advance(size_t samples, size_t passed);  // thread-safe

 private:
  std::mutex mutex_;
  std::string label_;
  size_t total_, done_ = 0, passed_ = 0, last_decile_ = 0;
  bool enabled_, tty_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace hrm::eval::lcb::detail
