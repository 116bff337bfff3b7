// Internal: name pools and samplers shared by the family definitions (families_stage*.cpp).
#pragma once
#include <string>
#include <vector>

#include "hrm/synth/family.hpp"

namespace hrm::synth::kit {

// Parameter names valid in all six languages (no keyword or builtin type of any of them).
inline const std::vector<std::string> kIntNames = {"x",      "n",     "value", "num",  "number",
                                                   "amount", "score", "level", "size", "item"};
inline const std::vector<std::vector<std::string>> kIntPairs = {
    {"a", "b"}, {"x", "y"}, {"left", "right"}, {"first", "second"},
    {"p", "q"}, {"m", "n"}, {"u", "v"},        {"base", "extra"}};
inline const std::vector<std::string> kStrNames = {"s", "text", "word", "name", "line", "label", "phrase", "token"};
inline const std::vector<std::string> kListNames = {"nums", "values",  "items", "scores",
                                                    "data", "numbers", "xs",    "points"};
inline const std::vector<std::string> kTargetNames = {"target", "key", "wanted", "goal", "needle", "query"};

struct Op {
  std::string symbol, word;
};
inline const std::vector<Op> kArith = {{"+", "plus"}, {"-", "minus"}, {"*", "times"}};

inline std::string random_word(Rng& r, int min_len, int max_len,
                               const std::string& alphabet = "abcdefghijklmnopqrstuvwxyz") {
  std::string w;
  const int64_t len = r.range(min_len, max_len);
  for (int64_t k = 0; k < len; ++k)
    w += alphabet[static_cast<size_t>(r.range(0, static_cast<int64_t>(alphabet.size()) - 1))];
  return w;
}

inline std::vector<int64_t> random_ints(Rng& r, int min_len, int max_len, int64_t lo, int64_t hi) {
  std::vector<int64_t> v;
  const int64_t len = r.range(min_len, max_len);
  for (int64_t k = 0; k < len; ++k) v.push_back(r.range(lo, hi));
  return v;
}

inline int64_t arith(const std::string& op, int64_t a, int64_t b) {
  if (op == "+") return a + b;
  if (op == "-") return a - b;
  return a * b;
}

}  // namespace hrm::synth::kit

namespace hrm::synth {
std::vector<Family> stage1_families();
std::vector<Family> stage2_families();
std::vector<Family> stage2_dp_graph_families();  // part of stage 2, in its own file
}  // namespace hrm::synth
