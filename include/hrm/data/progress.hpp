// A one-line progress bar on stderr for long builds; silent when stderr is not a terminal
// (tests, logs), so output stays clean.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace hrm {

class Progress {
 public:
  // `total` in `unit`s (e.g. bytes, files); 0 when unknown.
  Progress(std::string label, uint64_t total, std::string unit);
  ~Progress();
  void update(uint64_t done);  // redraws at most ~5 times a second
  void finish();

 private:
  void draw(bool final_line);
  std::string label_, unit_;
  uint64_t total_, done_ = 0;
  bool enabled_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace hrm
