// The one progress reporter of long jobs (synth, data builds, evaluation runs): a one-line bar redrawn
// on a terminal, plain periodic lines in logs, or nothing. Thread-safe: worker threads advance it.
//
// Exports: ProgressMode, Progress.
#pragma once
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <mutex>
#include <string>

namespace hrm {

enum class ProgressMode {
  kAuto,    // kBar when stderr is a terminal, else kLines
  kBar,     // "\rlabel [#####.....] 37/225 exercises (16%), 30 passed, 1.2/s, ETA 3m05s  last", redrawn
  kLines,   // one such line (without the bar) at every tenth of the total and at least every 30 s
  kSilent,  // counts only (--no-progress)
};

class Progress {
 public:
  // `total` in `unit`s (0 when unknown); `out` defaults to std::cerr.
  Progress(std::string label, uint64_t total, std::string unit, ProgressMode mode = ProgressMode::kAuto,
           std::ostream* out = nullptr);
  ~Progress();  // finish()
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // `n` more units done; `detail` (e.g. the item just finished) ends the line.
  void advance(uint64_t n = 1, const std::string& detail = "");
  // The same for judging runs: `passed` of the `n` passed (from then on the line shows the count).
  void advance(uint64_t n, uint64_t passed, const std::string& detail = "");
  // The absolute position, for loops that know it (bytes read so far).
  void set(uint64_t done);
  // The last line (bar mode: ends the bar's line). Later calls do nothing.
  void finish();

  uint64_t done() const;
  uint64_t passed() const;
  ProgressMode mode() const { return mode_; }

 private:
  void report(bool final_line);  // mutex_ held
  std::string line() const;      // mutex_ held

  mutable std::mutex mutex_;
  const std::string label_, unit_;
  const uint64_t total_;
  const ProgressMode mode_;
  std::ostream& out_;
  uint64_t done_ = 0, passed_ = 0, last_tenth_ = 0;
  bool counts_passes_ = false, drawn_ = false, finished_ = false;
  std::string detail_;
  std::chrono::steady_clock::time_point start_, last_report_;
};

}  // namespace hrm
