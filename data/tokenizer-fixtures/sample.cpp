// A small interval merger, written for the hrm tokenizer tests.
#include <algorithm>
#include <iostream>
#include <vector>

struct Interval {
  int lo = 0;
  int hi = 0;
};

std::vector<Interval> merge(std::vector<Interval> xs) {
  std::sort(xs.begin(), xs.end(), [](const Interval& a, const Interval& b) { return a.lo < b.lo; });
  std::vector<Interval> out;
  for (const auto& x : xs) {
    if (!out.empty() && x.lo <= out.back().hi) {
      out.back().hi = std::max(out.back().hi, x.hi);
    } else {
      out.push_back(x);
    }
  }
  return out;
}

int main() {
  for (const auto& iv : merge({{1, 3}, {2, 6}, {8, 10}, {15, 18}})) {
    std::cout << "[" << iv.lo << ", " << iv.hi << "]\n";
  }
  return 0;
}
